/*
 * title: A per-thread persistent counter with threadprivate and copyin
 * tags: openmp, threadprivate, copyin, c
 */
#include <omp.h>
#include <stdio.h>

static int calls = 0;
#pragma omp threadprivate(calls)

static void record(void)
{
    calls++;                                /* no race: each thread has its own copy */
}

int main(void)
{
    calls = 100;
    #pragma omp parallel copyin(calls)      /* every thread starts from the primary's value */
    {
        for (int i = 0; i < 5; i++)
            record();
        #pragma omp critical
        printf("thread %d: %d\n", omp_get_thread_num(), calls);
    }
    return 0;
}
