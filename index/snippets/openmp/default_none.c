/*
 * title: Making every data-sharing decision explicit with default(none)
 * tags: openmp, default-none, shared, private, data-sharing, c
 */
#include <stdio.h>

void axpby(int n, double a, const double *x, double b, double *y)
{
    /* the compiler rejects any variable used in the region without an explicit attribute */
    #pragma omp parallel for default(none) shared(n, a, x, b, y)
    for (int i = 0; i < n; i++)
        y[i] = a * x[i] + b * y[i];
}

int main(void)
{
    double x[10], y[10];
    for (int i = 0; i < 10; i++) {
        x[i] = i;
        y[i] = 1.0;
    }
    axpby(10, 2.0, x, 0.5, y);
    printf("%f\n", y[9]);
    return 0;
}
