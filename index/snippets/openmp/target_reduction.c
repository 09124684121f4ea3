/*
 * title: Reduction on the device with target teams
 * tags: openmp, target, reduction, offload, c
 */
#include <stdio.h>

double norm2(const double *x, int n)
{
    double s = 0.0;
    /* the reduction result is copied back because s appears in the reduction clause */
    #pragma omp target teams distribute parallel for map(to : x[0:n]) reduction(+ : s)
    for (int i = 0; i < n; i++)
        s += x[i] * x[i];
    return s;
}

int main(void)
{
    static double x[5000];
    for (int i = 0; i < 5000; i++)
        x[i] = 1.0;
    printf("|x|^2 = %f\n", norm2(x, 5000));
    return 0;
}
