/*
 * title: 1-D stencil with a shared-memory tile and halo
 * tags: cuda, stencil, shared-memory, halo, __syncthreads
 */
#include <cstdio>
#include <cuda_runtime.h>

#define RADIUS 3
#define BLOCK 256

__global__ void stencil_1d(const float *in, float *out, int n)
{
    __shared__ float tile[BLOCK + 2 * RADIUS];
    int g = blockIdx.x * blockDim.x + threadIdx.x;
    int l = threadIdx.x + RADIUS;
    tile[l] = g < n ? in[g] : 0.0f;
    if (threadIdx.x < RADIUS) {          /* the first RADIUS threads also load both halos */
        int left = g - RADIUS, right = g + BLOCK;
        tile[l - RADIUS] = left >= 0 ? in[left] : 0.0f;
        tile[l + BLOCK] = right < n ? in[right] : 0.0f;
    }
    __syncthreads();
    if (g < n) {
        float s = 0.0f;
        for (int k = -RADIUS; k <= RADIUS; k++)
            s += tile[l + k];
        out[g] = s / (2 * RADIUS + 1);
    }
}

int main()
{
    const int n = 1 << 20;
    float *in, *out;
    cudaMallocManaged(&in, n * sizeof(float));
    cudaMallocManaged(&out, n * sizeof(float));
    for (int i = 0; i < n; i++)
        in[i] = 1.0f;
    stencil_1d<<<(n + BLOCK - 1) / BLOCK, BLOCK>>>(in, out, n);
    cudaDeviceSynchronize();
    std::printf("out[100] = %f\n", out[100]);
    cudaFree(in);
    cudaFree(out);
    return 0;
}
