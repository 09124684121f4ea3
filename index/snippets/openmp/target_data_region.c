/*
 * title: Keeping arrays on the device across kernels with target data
 * tags: openmp, target-data, target-update, map, offload, c
 */
#include <stdio.h>

#define N 100000

int main(void)
{
    static double u[N], v[N];
    for (int i = 0; i < N; i++)
        u[i] = i;
    /* u and v stay on the device for the whole block: no copy per kernel */
    #pragma omp target data map(tofrom : u[0:N]) map(alloc : v[0:N])
    {
        for (int step = 0; step < 10; step++) {
            #pragma omp target teams distribute parallel for
            for (int i = 1; i < N - 1; i++)
                v[i] = 0.5 * (u[i - 1] + u[i + 1]);
            #pragma omp target teams distribute parallel for
            for (int i = 1; i < N - 1; i++)
                u[i] = v[i];
        }
        /* refresh the host copy once in the middle, e.g. for output */
        #pragma omp target update from(u[0:N])
        printf("u[1] after 10 steps = %f\n", u[1]);
    }
    return 0;
}
