/*
 * title: Vectorising a loop with simd, aligned and safelen
 * tags: openmp, simd, aligned, safelen, vectorization, c
 */
#include <stdio.h>
#include <stdlib.h>

void shift_add(float *a, int n)
{
    /* a[i] depends on a[i - 8]: executing up to 8 iterations at once is safe */
    #pragma omp simd safelen(8)
    for (int i = 8; i < n; i++)
        a[i] += a[i - 8];
}

void scale(float *restrict dst, const float *restrict src, int n)
{
    #pragma omp simd aligned(dst, src : 64)
    for (int i = 0; i < n; i++)
        dst[i] = 2.0f * src[i];
}

int main(void)
{
    float *a = aligned_alloc(64, 1024 * sizeof(float));
    float *b = aligned_alloc(64, 1024 * sizeof(float));
    for (int i = 0; i < 1024; i++)
        a[i] = 1.0f;
    shift_add(a, 1024);
    scale(b, a, 1024);
    printf("%f\n", b[1023]);
    free(a);
    free(b);
    return 0;
}
