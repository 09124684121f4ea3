/*
 * title: Named critical sections for two unrelated shared structures
 * tags: openmp, critical, mutual-exclusion, c
 */
#include <stdio.h>

int main(void)
{
    int evens = 0, odds = 0;
    double largest = 0.0;
    #pragma omp parallel for
    for (int i = 0; i < 10000; i++) {
        double x = (i * 7 % 1000) / 10.0;
        if (i % 2 == 0) {
            /* different names: the two kinds of update do not block each other */
            #pragma omp critical(count_lock)
            evens++;
        } else {
            #pragma omp critical(count_lock)
            odds++;
        }
        #pragma omp critical(max_lock)
        if (x > largest)
            largest = x;
    }
    printf("%d %d %f\n", evens, odds, largest);
    return 0;
}
