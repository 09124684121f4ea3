/*
 * title: 2-D Jacobi iteration with a parallel for and a convergence reduction
 * tags: openmp, stencil, jacobi, reduction, collapse, c
 */
#include <math.h>
#include <stdio.h>

#define N 256

static double u[N][N], unew[N][N];

int main(void)
{
    for (int i = 0; i < N; i++)
        u[i][0] = unew[i][0] = 1.0;
    double diff = 1.0;
    int iter = 0;
    while (diff > 1e-4 && iter < 1000) {
        diff = 0.0;
        #pragma omp parallel for collapse(2) reduction(max : diff)
        for (int i = 1; i < N - 1; i++)
            for (int j = 1; j < N - 1; j++) {
                unew[i][j] = 0.25 * (u[i - 1][j] + u[i + 1][j] + u[i][j - 1] + u[i][j + 1]);
                diff = fmax(diff, fabs(unew[i][j] - u[i][j]));
            }
        #pragma omp parallel for collapse(2)
        for (int i = 1; i < N - 1; i++)
            for (int j = 1; j < N - 1; j++)
                u[i][j] = unew[i][j];
        iter++;
    }
    printf("%d iterations, diff %g\n", iter, diff);
    return 0;
}
