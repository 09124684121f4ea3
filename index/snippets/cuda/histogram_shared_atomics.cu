/*
 * title: Privatised histogram in shared memory, merged with global atomics
 * tags: cuda, histogram, shared-memory, atomicAdd, privatization
 */
#include <cstdio>
#include <cuda_runtime.h>

#define NBINS 256

__global__ void histogram_shared(const unsigned char *data, int n, unsigned int *bins)
{
    __shared__ unsigned int local[NBINS];
    for (int b = threadIdx.x; b < NBINS; b += blockDim.x)
        local[b] = 0;
    __syncthreads();
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        atomicAdd(&local[data[i]], 1u);  /* shared-memory atomics are cheap */
    __syncthreads();
    for (int b = threadIdx.x; b < NBINS; b += blockDim.x)
        if (local[b])
            atomicAdd(&bins[b], local[b]);
}

int main()
{
    const int n = 1 << 24;
    unsigned char *data;
    unsigned int *bins;
    cudaMallocManaged(&data, n);
    cudaMallocManaged(&bins, NBINS * sizeof(unsigned int));
    for (int i = 0; i < n; i++)
        data[i] = (unsigned char)(i % 251);
    cudaMemset(bins, 0, NBINS * sizeof(unsigned int));
    histogram_shared<<<256, 256>>>(data, n, bins);
    cudaDeviceSynchronize();
    std::printf("bins[10] = %u\n", bins[10]);
    cudaFree(data);
    cudaFree(bins);
    return 0;
}
