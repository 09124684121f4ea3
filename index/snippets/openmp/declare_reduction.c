/*
 * title: A user-defined reduction for a struct with declare reduction
 * tags: openmp, declare-reduction, reduction, initializer, c
 */
#include <float.h>
#include <stdio.h>

typedef struct {
    double lo, hi;
} bounds;

static bounds merge(bounds a, bounds b)
{
    bounds r = {a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi};
    return r;
}

#pragma omp declare reduction(span : bounds : omp_out = merge(omp_out, omp_in)) \
    initializer(omp_priv = (bounds){DBL_MAX, -DBL_MAX})

int main(void)
{
    bounds b = {DBL_MAX, -DBL_MAX};
    #pragma omp parallel for reduction(span : b)
    for (int i = 0; i < 1000; i++) {
        double x = (i * 37 % 1000) - 500.0;
        bounds one = {x, x};
        b = merge(b, one);
    }
    printf("[%f, %f]\n", b.lo, b.hi);
    return 0;
}
