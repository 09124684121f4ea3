/*
 * title: Sharing a helper between host and device with __host__ __device__
 * tags: cuda, __host__, __device__, qualifiers
 */
#include <cmath>
#include <cstdio>
#include <cuda_runtime.h>

__host__ __device__ inline float gaussian(float x, float sigma)
{
    return expf(-0.5f * x * x / (sigma * sigma));
}

__global__ void eval(float *y, int n, float sigma)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] = gaussian(float(i - n / 2), sigma);
}

int main()
{
    const int n = 101;
    float *y;
    cudaMallocManaged(&y, n * sizeof(float));
    eval<<<1, 128>>>(y, n, 10.0f);
    cudaDeviceSynchronize();
    std::printf("device %f, host %f\n", y[60], gaussian(10.0f, 10.0f));   /* same function on the host */
    cudaFree(y);
    return 0;
}
