/*
 * title: Load balancing a triangular loop with dynamic and guided schedules
 * tags: openmp, schedule, dynamic, guided, load-balance, c
 */
#include <stdio.h>

#define N 2000

static double m[N][N];

int main(void)
{
    /* row i costs i operations: static blocks would give the last thread most of the work */
    #pragma omp parallel for schedule(dynamic, 16)
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++)
            m[i][j] = i - j;

    double s = 0.0;
    #pragma omp parallel for schedule(guided) reduction(+ : s)
    for (int i = 0; i < N; i++)
        for (int j = 0; j <= i; j++)
            s += m[i][j];
    printf("%f\n", s);
    return 0;
}
