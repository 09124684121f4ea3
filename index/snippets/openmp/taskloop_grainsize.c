/*
 * title: taskloop with a grainsize inside a single region
 * tags: openmp, taskloop, grainsize, tasks, c
 */
#include <math.h>
#include <stdio.h>

void transform(double *x, int n)
{
    #pragma omp parallel
    #pragma omp single
    {
        /* tasks of roughly 256 iterations; the implicit taskgroup waits for all of them */
        #pragma omp taskloop grainsize(256)
        for (int i = 0; i < n; i++)
            x[i] = sqrt(x[i]) + 1.0;
    }
}

int main(void)
{
    static double x[10000];
    for (int i = 0; i < 10000; i++)
        x[i] = i;
    transform(x, 10000);
    printf("x[9999] = %f\n", x[9999]);
    return 0;
}
