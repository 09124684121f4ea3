/*
 * title: Unified memory with prefetching to the device and back
 * tags: cuda, unified-memory, cudaMallocManaged, cudaMemPrefetchAsync
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void increment(int *a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        a[i] += 1;
}

int main()
{
    const int n = 1 << 24;
    int device = 0;
    cudaGetDevice(&device);
    int *a;
    cudaMallocManaged(&a, n * sizeof(int));
    for (int i = 0; i < n; i++)
        a[i] = i;
    /* move the pages before the kernel needs them instead of faulting them in */
    cudaMemPrefetchAsync(a, n * sizeof(int), device, 0);
    increment<<<(n + 255) / 256, 256>>>(a, n);
    cudaMemPrefetchAsync(a, n * sizeof(int), cudaCpuDeviceId, 0);
    cudaDeviceSynchronize();                 /* required before the host reads the results */
    std::printf("a[42] = %d\n", a[42]);
    cudaFree(a);
    return 0;
}
