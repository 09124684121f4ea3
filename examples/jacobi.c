/* 2-D Jacobi relaxation on a square grid: the kind of kernel hpclsp is for.
 * Contains one real bug (a shared temporary inside a parallel loop) and
 * one loop that is safe to parallelize but is not yet. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define N 512

static double u[N][N], unew[N][N], f[N][N];

double sweep(double h2)
{
    double diff = 0.0;
    double t;
#pragma omp parallel for reduction(max:diff)
    for (int i = 1; i < N - 1; i++) {
        for (int j = 1; j < N - 1; j++) {
            t = 0.25 * (u[i - 1][j] + u[i + 1][j] + u[i][j - 1] + u[i][j + 1] - h2 * f[i][j]);
            diff = fmax(diff, fabs(t - u[i][j]));
            unew[i][j] = t;
        }
    }
    return diff;
}

void copy_back(void)
{
    for (int i = 1; i < N - 1; i++)
        for (int j = 1; j < N - 1; j++)
            u[i][j] = unew[i][j];
}

int main(void)
{
    double h = 1.0 / (N - 1);
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            u[i][j] = 0.0;
            f[i][j] = sin(i * h) * cos(j * h);
        }
    double diff = 1.0;
    int iter = 0;
    while (diff > 1e-6 && iter < 200) {
        diff = sweep(h * h);
        copy_back();
        iter++;
    }
    printf("iterations %d, residual %g\n", iter, diff);
    return 0;
}
