/*
 * title: Ordering tasks with depend(in/out) clauses
 * tags: openmp, task, depend, dataflow, c
 */
#include <stdio.h>

int main(void)
{
    double a = 0.0, b = 0.0, c = 0.0;
    #pragma omp parallel
    #pragma omp single
    {
        #pragma omp task depend(out : a)
        a = 1.0;                                /* producer of a */
        #pragma omp task depend(out : b)
        b = 2.0;                                /* independent of a: may run concurrently */
        #pragma omp task depend(in : a, b) depend(out : c)
        c = a + b;                              /* waits for both producers */
        #pragma omp task depend(inout : c)
        c *= 10.0;                              /* runs after the previous writer of c */
        #pragma omp taskwait
        printf("c = %f\n", c);
    }
    return 0;
}
