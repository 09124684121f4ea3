/*
 * title: firstprivate and lastprivate in a worksharing loop
 * tags: openmp, firstprivate, lastprivate, private, c
 */
#include <stdio.h>

int main(void)
{
    double offset = 10.0;                   /* every thread starts with this value */
    double last = 0.0;
    double y[100];
    #pragma omp parallel for firstprivate(offset) lastprivate(last)
    for (int i = 0; i < 100; i++) {
        last = offset + i;                  /* value of the final iteration survives */
        y[i] = last;
    }
    printf("last = %f, y[50] = %f\n", last, y[50]);
    return 0;
}
