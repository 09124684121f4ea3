/*
 * title: Nested parallel regions with max active levels
 * tags: openmp, nested, omp_set_max_active_levels, omp_get_level, c
 */
#include <omp.h>
#include <stdio.h>

int main(void)
{
    omp_set_max_active_levels(2);           /* allow two levels of active parallelism */
    #pragma omp parallel num_threads(2)
    {
        int outer = omp_get_thread_num();
        #pragma omp parallel num_threads(2)
        {
            #pragma omp critical
            printf("level %d: outer thread %d, inner thread %d of %d\n",
                   omp_get_level(), outer, omp_get_thread_num(), omp_get_num_threads());
        }
    }
    return 0;
}
