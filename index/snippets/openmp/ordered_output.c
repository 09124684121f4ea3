/*
 * title: Printing results in loop order with ordered
 * tags: openmp, ordered, for, c
 */
#include <math.h>
#include <stdio.h>

int main(void)
{
    #pragma omp parallel for ordered schedule(dynamic)
    for (int i = 0; i < 20; i++) {
        double r = sqrt((double)i);         /* computed in parallel */
        #pragma omp ordered
        printf("%2d %8.4f\n", i, r);        /* printed in sequential order */
    }
    return 0;
}
