/*
 * title: Blocked wavefront (Gauss-Seidel style) with task dependences
 * tags: openmp, task, depend, wavefront, blocking, c
 */
#include <stdio.h>

#define N 512
#define B 64
#define NB (N / B)

static double g[N][N];

static void update_block(int bi, int bj)
{
    for (int i = bi * B; i < (bi + 1) * B; i++)
        for (int j = bj * B; j < (bj + 1) * B; j++)
            if (i > 0 && j > 0)
                g[i][j] = 0.5 * (g[i - 1][j] + g[i][j - 1]);
}

int main(void)
{
    for (int j = 0; j < N; j++)
        g[0][j] = g[j][0] = 1.0;
    #pragma omp parallel
    #pragma omp single
    for (int bi = 0; bi < NB; bi++)
        for (int bj = 0; bj < NB; bj++) {
            /* a block needs its upper and left neighbours; g[bi][bj] stands for block (bi,bj) */
            #pragma omp task depend(in : g[bi > 0 ? bi - 1 : bi][bj], g[bi][bj > 0 ? bj - 1 : bj]) depend(inout : g[bi][bj])
            update_block(bi, bj);
        }
    printf("corner = %f\n", g[N - 1][N - 1]);
    return 0;
}
