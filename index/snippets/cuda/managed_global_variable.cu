/*
 * title: A __managed__ global variable shared by host and kernels
 * tags: cuda, __managed__, unified-memory, qualifiers
 */
#include <cstdio>
#include <cuda_runtime.h>

__device__ __managed__ int total;          /* addressable by name from host and device */

__global__ void accumulate(int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        atomicAdd(&total, i % 10);
}

int main()
{
    total = 0;                              /* written directly by the host */
    accumulate<<<40, 256>>>(10000);
    cudaDeviceSynchronize();                /* synchronise before the host reads it */
    std::printf("total = %d\n", total);
    return 0;
}
