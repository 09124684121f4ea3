/*
 * title: Histogram with an array-section reduction
 * tags: openmp, reduction, array-section, histogram, c
 */
#include <stdio.h>

#define NBINS 16

void histogram(const int *keys, int n, long counts[NBINS])
{
    for (int b = 0; b < NBINS; b++)
        counts[b] = 0;
    /* Every thread gets a private zeroed copy of counts[0:NBINS]; copies are summed at the end. */
    #pragma omp parallel for reduction(+ : counts[0:NBINS])
    for (int i = 0; i < n; i++)
        counts[keys[i] % NBINS]++;
}

int main(void)
{
    static int keys[100000];
    for (int i = 0; i < 100000; i++)
        keys[i] = (i * 7919) % 1000;
    long counts[NBINS];
    histogram(keys, 100000, counts);
    for (int b = 0; b < NBINS; b++)
        printf("%2d: %ld\n", b, counts[b]);
    return 0;
}
