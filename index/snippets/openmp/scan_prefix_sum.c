/*
 * title: Inclusive prefix sum with an inscan reduction and scan
 * tags: openmp, scan, inscan, reduction, prefix-sum, c
 */
#include <stdio.h>

#define N 1000

int main(void)
{
    int in[N], out[N];
    for (int i = 0; i < N; i++)
        in[i] = 1;
    int running = 0;
    #pragma omp parallel for reduction(inscan, + : running)
    for (int i = 0; i < N; i++) {
        running += in[i];                   /* input phase */
        #pragma omp scan inclusive(running)
        out[i] = running;                   /* scan phase: sum of in[0..i] */
    }
    printf("out[%d] = %d\n", N - 1, out[N - 1]);
    return 0;
}
