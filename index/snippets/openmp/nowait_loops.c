/*
 * title: Removing a barrier between independent loops with nowait
 * tags: openmp, nowait, for, barrier, c
 */
#include <stdio.h>

#define N 10000

int main(void)
{
    static double a[N], b[N];
    #pragma omp parallel
    {
        #pragma omp for nowait          /* b does not depend on a: no need to wait */
        for (int i = 0; i < N; i++)
            a[i] = i * 2.0;
        #pragma omp for
        for (int i = 0; i < N; i++)
            b[i] = i * 3.0;
    }
    printf("%f %f\n", a[N - 1], b[N - 1]);
    return 0;
}
