/*
 * title: Choosing the schedule at run time with schedule(runtime)
 * tags: openmp, schedule, runtime, omp_set_schedule, OMP_SCHEDULE, c
 */
#include <omp.h>
#include <stdio.h>

double work(int n)
{
    double s = 0.0;
    #pragma omp parallel for schedule(runtime) reduction(+ : s)
    for (int i = 0; i < n; i++)
        s += (i % 3) * 0.5;
    return s;
}

int main(void)
{
    omp_sched_t kind;
    int chunk;
    omp_set_schedule(omp_sched_guided, 8);  /* same effect as OMP_SCHEDULE=guided,8 */
    omp_get_schedule(&kind, &chunk);
    printf("kind %d chunk %d -> %f\n", (int)kind, chunk, work(100000));
    return 0;
}
