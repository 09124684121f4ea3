/*
 * title: Fixing a race on a temporary with private
 * tags: openmp, private, data-race, parallel-for, c
 */
#include <stdio.h>

int main(void)
{
    double in[1000], out[1000];
    double tmp;                             /* declared outside: shared by default */
    for (int i = 0; i < 1000; i++)
        in[i] = i;
    /* without private(tmp) all threads would write the same tmp */
    #pragma omp parallel for private(tmp)
    for (int i = 0; i < 1000; i++) {
        tmp = in[i] * in[i];
        out[i] = tmp + 1.0;
    }
    printf("%f\n", out[999]);
    return 0;
}
