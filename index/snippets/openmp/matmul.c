/*
 * title: Dense matrix multiplication with a parallel outer loop
 * tags: openmp, matmul, parallel-for, loop-order, c
 */
#include <stdio.h>

#define N 256

static double A[N][N], B[N][N], C[N][N];

int main(void)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = i + j;
            B[i][j] = i == j;
        }
    /* i-k-j order: the inner loop streams through rows of B and C */
    #pragma omp parallel for
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            double aik = A[i][k];
            for (int j = 0; j < N; j++)
                C[i][j] += aik * B[k][j];
        }
    printf("C[10][20] = %f\n", C[10][20]);
    return 0;
}
