/*
 * title: Calling a function from a target region with declare target
 * tags: openmp, declare-target, target, offload, c
 */
#include <math.h>
#include <stdio.h>

#pragma omp declare target
static double smooth_step(double x)
{
    return x <= 0.0 ? 0.0 : x >= 1.0 ? 1.0 : x * x * (3.0 - 2.0 * x);
}
#pragma omp end declare target

int main(void)
{
    static double y[1000];
    int n = 1000;
    #pragma omp target teams distribute parallel for map(from : y[0:n])
    for (int i = 0; i < n; i++)
        y[i] = smooth_step(i / (double)(n - 1));
    printf("y[500] = %f (fabs check %f)\n", y[500], fabs(y[500] - 0.5));
    return 0;
}
