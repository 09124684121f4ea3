/*
 * title: A loop-carried dependence pipelined with ordered depend(sink/source)
 * tags: openmp, ordered, doacross, depend, sink, source, c
 */
#include <stdio.h>

#define N 64
#define M 64

static double a[N][M];

int main(void)
{
    for (int j = 0; j < M; j++)
        a[0][j] = 1.0;
    #pragma omp parallel for ordered(1)
    for (int i = 1; i < N; i++) {
        #pragma omp ordered depend(sink : i - 1)  /* wait for row i-1 (5.2 spelling: doacross) */
        for (int j = 0; j < M; j++)
            a[i][j] = a[i - 1][j] + 1.0;
        #pragma omp ordered depend(source)
    }
    printf("%f\n", a[N - 1][M - 1]);
    return 0;
}
