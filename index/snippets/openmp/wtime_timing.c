/*
 * title: Timing a parallel loop with omp_get_wtime
 * tags: openmp, omp_get_wtime, timing, benchmark, c
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int n = 1 << 22;
    double *a = malloc(n * sizeof *a);
    double t0 = omp_get_wtime();
    #pragma omp parallel for
    for (int i = 0; i < n; i++)
        a[i] = 1.0 / (1.0 + i);
    double t1 = omp_get_wtime();
    printf("%d threads: %.3f ms (tick %.2e s)\n", omp_get_max_threads(), (t1 - t0) * 1e3, omp_get_wtick());
    free(a);
    return 0;
}
