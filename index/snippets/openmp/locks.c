/*
 * title: Protecting per-bucket updates with an array of OpenMP locks
 * tags: openmp, lock, omp_set_lock, omp_init_lock, c
 */
#include <omp.h>
#include <stdio.h>

#define BUCKETS 64

int main(void)
{
    omp_lock_t lock[BUCKETS];
    double sum[BUCKETS] = {0};
    for (int b = 0; b < BUCKETS; b++)
        omp_init_lock(&lock[b]);            /* initialise once, outside the parallel region */

    #pragma omp parallel for
    for (int i = 0; i < 100000; i++) {
        int b = (i * 31) % BUCKETS;
        omp_set_lock(&lock[b]);             /* only updates of the same bucket serialise */
        sum[b] += i * 0.001;
        omp_unset_lock(&lock[b]);
    }

    for (int b = 0; b < BUCKETS; b++)
        omp_destroy_lock(&lock[b]);
    printf("sum[0] = %f\n", sum[0]);
    return 0;
}
