/*
 * title: Task priorities and querying final/explicit task state
 * tags: openmp, task, priority, omp_in_final, omp_get_max_task_priority, c
 */
#include <omp.h>
#include <stdio.h>

int main(void)
{
    int maxp = omp_get_max_task_priority(); /* 0 unless OMP_MAX_TASK_PRIORITY is set */
    #pragma omp parallel
    #pragma omp single
    {
        for (int i = 0; i < 8; i++) {
            #pragma omp task priority(i % (maxp + 1)) final(i > 5)
            {
                if (omp_in_final())
                    printf("task %d is final\n", i);
            }
        }
    }
    return 0;
}
