/* title: dot product with an OpenMP reduction
 * tags: openmp, reduction, parallel
 */
#include <omp.h>

double dot(const double *x, const double *y, int n)
{
    double s = 0.0;
#pragma omp parallel for reduction(+:s)
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

int worker_id(void)
{
    return omp_get_thread_num();
}
