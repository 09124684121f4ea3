/*
 * title: A shared work queue index with atomic capture
 * tags: openmp, atomic, capture, work-queue, c
 */
#include <stdio.h>

#define NJOBS 200

int main(void)
{
    int next = 0;
    double result[NJOBS];
    #pragma omp parallel
    {
        for (;;) {
            int job;
            #pragma omp atomic capture
            job = next++;                   /* read and increment as one indivisible step */
            if (job >= NJOBS)
                break;
            double s = 0.0;
            for (int k = 1; k <= job; k++)
                s += 1.0 / k;
            result[job] = s;
        }
    }
    printf("H(199) = %f\n", result[NJOBS - 1]);
    return 0;
}
