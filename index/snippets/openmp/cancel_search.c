/*
 * title: Stopping a parallel search early with cancel for
 * tags: openmp, cancel, cancellation-point, OMP_CANCELLATION, search, c
 */
#include <stdio.h>

int find_first(const int *v, int n, int key)
{
    int found = -1;
    #pragma omp parallel for shared(found)
    for (int i = 0; i < n; i++) {
        if (v[i] == key) {
            #pragma omp critical
            if (found < 0 || i < found)
                found = i;
            /* takes effect only when OMP_CANCELLATION=true */
            #pragma omp cancel for
        }
        #pragma omp cancellation point for
    }
    return found;
}

int main(void)
{
    static int v[100000];
    for (int i = 0; i < 100000; i++)
        v[i] = i % 5000;
    printf("found at %d\n", find_first(v, 100000, 4321));
    return 0;
}
