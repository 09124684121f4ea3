/*
 * title: Descriptive parallelism with the loop construct
 * tags: openmp, loop, bind, order-concurrent, c
 */
#include <stdio.h>

int main(void)
{
    static float x[100000], y[100000];
    for (int i = 0; i < 100000; i++)
        x[i] = i * 0.001f;
    /* the compiler decides how to map the independent iterations */
    #pragma omp parallel loop
    for (int i = 0; i < 100000; i++)
        y[i] = x[i] * x[i];
    printf("%f\n", y[99999]);
    return 0;
}
