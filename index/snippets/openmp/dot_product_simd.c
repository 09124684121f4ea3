/*
 * title: Dot product with parallel for simd and a reduction
 * tags: openmp, simd, reduction, vectorization, c
 */
#include <stdio.h>

double dot(const double *restrict x, const double *restrict y, int n)
{
    double s = 0.0;
    /* Threads split the range; each thread's chunk is vectorised. */
    #pragma omp parallel for simd reduction(+ : s) schedule(simd : static)
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

int main(void)
{
    static double x[4096], y[4096];
    for (int i = 0; i < 4096; i++) {
        x[i] = 1.0 / (i + 1);
        y[i] = i + 1;
    }
    printf("dot = %f\n", dot(x, y, 4096));
    return 0;
}
