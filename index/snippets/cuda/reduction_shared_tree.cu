/*
 * title: Block-level sum reduction with a shared-memory tree
 * tags: cuda, reduction, shared-memory, __syncthreads, tree
 */
#include <cstdio>
#include <cuda_runtime.h>

#define BLOCK 256

__global__ void block_sum(const float *in, float *partial, int n)
{
    __shared__ float s[BLOCK];
    int tid = threadIdx.x;
    int i = blockIdx.x * blockDim.x * 2 + tid;
    float v = 0.0f;
    if (i < n) v += in[i];
    if (i + blockDim.x < n) v += in[i + blockDim.x];   /* first add during the load */
    s[tid] = v;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (tid < stride)
            s[tid] += s[tid + stride];
        __syncthreads();                               /* outside the if: all threads reach it */
    }
    if (tid == 0)
        partial[blockIdx.x] = s[0];
}

int main()
{
    const int n = 1 << 20;
    int grid = (n + 2 * BLOCK - 1) / (2 * BLOCK);
    float *in, *partial;
    cudaMallocManaged(&in, n * sizeof(float));
    cudaMallocManaged(&partial, grid * sizeof(float));
    for (int i = 0; i < n; i++)
        in[i] = 1.0f;
    block_sum<<<grid, BLOCK>>>(in, partial, n);
    cudaDeviceSynchronize();
    double total = 0.0;
    for (int b = 0; b < grid; b++)
        total += partial[b];
    std::printf("sum = %.0f\n", total);
    cudaFree(in);
    cudaFree(partial);
    return 0;
}
