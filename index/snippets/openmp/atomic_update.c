/*
 * title: Counting matches with atomic update
 * tags: openmp, atomic, update, counter, c
 */
#include <stdio.h>

int count_multiples(const int *v, int n, int k)
{
    int count = 0;
    #pragma omp parallel for
    for (int i = 0; i < n; i++) {
        if (v[i] % k == 0) {
            #pragma omp atomic update
            count++;
        }
    }
    return count;   /* a reduction(+:count) would be faster; atomic shows the construct */
}

int main(void)
{
    int v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = i;
    printf("%d multiples of 7\n", count_multiples(v, 1000, 7));
    return 0;
}
