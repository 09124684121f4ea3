/*
 * title: Sum of an array with a parallel for reduction
 * tags: openmp, reduction, parallel-for, c
 */
#include <stdio.h>

double array_sum(const double *a, int n)
{
    double total = 0.0;
    /* Each thread sums into a private copy initialised to 0; copies are added at the end. */
    #pragma omp parallel for reduction(+ : total)
    for (int i = 0; i < n; i++)
        total += a[i];
    return total;
}

int main(void)
{
    double a[1000];
    for (int i = 0; i < 1000; i++)
        a[i] = 0.5 * i;
    printf("sum = %f\n", array_sum(a, 1000));
    return 0;
}
