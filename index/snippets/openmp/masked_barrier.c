/*
 * title: Primary-thread work with masked followed by an explicit barrier
 * tags: openmp, masked, barrier, c
 */
#include <omp.h>
#include <stdio.h>

int main(void)
{
    double data[64];
    double scale = 0.0;
    #pragma omp parallel num_threads(4)
    {
        #pragma omp masked
        scale = 2.5;                        /* only thread 0; no barrier is implied */
        #pragma omp barrier                 /* so the others must wait before reading scale */
        #pragma omp for
        for (int i = 0; i < 64; i++)
            data[i] = scale * i;
    }
    printf("%f\n", data[63]);
    return 0;
}
