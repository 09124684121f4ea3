/*
 * title: Parallelising a loop nest with collapse(2)
 * tags: openmp, collapse, parallel-for, loop-nest, c
 */
#include <stdio.h>

#define NI 8
#define NJ 4096

static double a[NI][NJ];

int main(void)
{
    /* the outer loop has only 8 iterations: collapse gives the threads 8*4096 to share */
    #pragma omp parallel for collapse(2)
    for (int i = 0; i < NI; i++)
        for (int j = 0; j < NJ; j++)
            a[i][j] = i * 0.5 + j * 0.25;
    printf("%f\n", a[NI - 1][NJ - 1]);
    return 0;
}
