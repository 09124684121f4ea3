/*
 * title: Polynomial coefficients in __constant__ memory
 * tags: cuda, constant-memory, __constant__, cudaMemcpyToSymbol
 */
#include <cstdio>
#include <cuda_runtime.h>

#define DEGREE 8

__constant__ float coeff[DEGREE + 1];   /* every thread reads the same coefficient: broadcast */

__global__ void horner(const float *x, float *y, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float acc = coeff[DEGREE];
        for (int k = DEGREE - 1; k >= 0; k--)
            acc = acc * x[i] + coeff[k];
        y[i] = acc;
    }
}

int main()
{
    float h_coeff[DEGREE + 1];
    for (int k = 0; k <= DEGREE; k++)
        h_coeff[k] = 1.0f / (k + 1);
    cudaMemcpyToSymbol(coeff, h_coeff, sizeof h_coeff);
    const int n = 1 << 16;
    float *x, *y;
    cudaMallocManaged(&x, n * sizeof(float));
    cudaMallocManaged(&y, n * sizeof(float));
    for (int i = 0; i < n; i++)
        x[i] = 0.5f;
    horner<<<(n + 255) / 256, 256>>>(x, y, n);
    cudaDeviceSynchronize();
    std::printf("p(0.5) = %f\n", y[0]);
    cudaFree(x);
    cudaFree(y);
    return 0;
}
