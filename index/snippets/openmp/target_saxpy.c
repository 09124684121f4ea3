/*
 * title: SAXPY offloaded with target teams distribute parallel for
 * tags: openmp, target, offload, map, teams, distribute, gpu, c
 */
#include <stdio.h>
#include <stdlib.h>

void saxpy(int n, float a, const float *x, float *y)
{
    /* x is only read on the device, y is read and written: map array sections, not the pointers */
    #pragma omp target teams distribute parallel for map(to : x[0:n]) map(tofrom : y[0:n])
    for (int i = 0; i < n; i++)
        y[i] = a * x[i] + y[i];
}

int main(void)
{
    int n = 1 << 20;
    float *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    for (int i = 0; i < n; i++) {
        x[i] = 1.0f;
        y[i] = 2.0f;
    }
    saxpy(n, 3.0f, x, y);
    printf("y[0] = %f\n", y[0]);
    free(x);
    free(y);
    return 0;
}
