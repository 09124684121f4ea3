/*
 * title: Minimum and maximum of an array with min/max reductions
 * tags: openmp, reduction, min, max, c
 */
#include <float.h>
#include <stdio.h>

void range_of(const float *v, int n, float *lo, float *hi)
{
    float mn = FLT_MAX, mx = -FLT_MAX;
    #pragma omp parallel for reduction(min : mn) reduction(max : mx)
    for (int i = 0; i < n; i++) {
        if (v[i] < mn) mn = v[i];
        if (v[i] > mx) mx = v[i];
    }
    *lo = mn;
    *hi = mx;
}

int main(void)
{
    float v[256];
    for (int i = 0; i < 256; i++)
        v[i] = (float)((i * 37) % 101) - 50.0f;
    float lo, hi;
    range_of(v, 256, &lo, &hi);
    printf("min %g max %g\n", lo, hi);
    return 0;
}
