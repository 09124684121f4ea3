/*
 * title: A vectorisable function with declare simd uniform and linear
 * tags: openmp, declare-simd, simd, uniform, linear, c
 */
#include <stdio.h>

/* base is the same in every lane, i advances by one per lane */
#pragma omp declare simd uniform(base) linear(i : 1) notinbranch
float load_scaled(const float *base, int i, float s)
{
    return base[i] * s;
}

int main(void)
{
    float in[512], out[512];
    for (int i = 0; i < 512; i++)
        in[i] = (float)i;
    #pragma omp simd
    for (int i = 0; i < 512; i++)
        out[i] = load_scaled(in, i, 0.5f);
    printf("%f\n", out[511]);
    return 0;
}
