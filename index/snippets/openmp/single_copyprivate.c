/*
 * title: Reading input once and broadcasting it with single copyprivate
 * tags: openmp, single, copyprivate, c
 */
#include <omp.h>
#include <stdio.h>

int main(void)
{
    #pragma omp parallel
    {
        double tolerance;                   /* private to each thread */
        #pragma omp single copyprivate(tolerance)
        {
            tolerance = 1e-6;               /* e.g. read from a file by one thread */
        }
        /* every thread now has the same value */
        if (omp_get_thread_num() == 0)
            printf("tolerance %g\n", tolerance);
    }
    return 0;
}
