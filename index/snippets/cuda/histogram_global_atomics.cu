/*
 * title: Histogram with atomicAdd on global memory
 * tags: cuda, histogram, atomicAdd, atomics
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void histogram(const unsigned char *data, int n, unsigned int *bins)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        atomicAdd(&bins[data[i]], 1u);   /* simple, but contended for skewed data */
}

int main()
{
    const int n = 1 << 24;
    unsigned char *data;
    unsigned int *bins;
    cudaMallocManaged(&data, n);
    cudaMallocManaged(&bins, 256 * sizeof(unsigned int));
    for (int i = 0; i < n; i++)
        data[i] = (unsigned char)(i * 31);
    cudaMemset(bins, 0, 256 * sizeof(unsigned int));
    histogram<<<512, 256>>>(data, n, bins);
    cudaDeviceSynchronize();
    std::printf("bins[0] = %u\n", bins[0]);
    cudaFree(data);
    cudaFree(bins);
    return 0;
}
