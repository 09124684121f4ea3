/*
 * title: Inspecting thread placement with proc_bind and place queries
 * tags: openmp, affinity, proc_bind, OMP_PLACES, omp_get_place_num, c
 */
#include <omp.h>
#include <stdio.h>

int main(void)
{
    printf("%d places, binding policy %d\n", omp_get_num_places(), (int)omp_get_proc_bind());
    #pragma omp parallel proc_bind(spread)
    {
        #pragma omp critical
        printf("thread %d on place %d\n", omp_get_thread_num(), omp_get_place_num());
    }
    return 0;
}
