/*
 * title: Timing a kernel with CUDA events
 * tags: cuda, events, timing, cudaEventElapsedTime, benchmark
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void busy(float *a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        for (int k = 0; k < 100; k++)
            a[i] = a[i] * 0.99f + 1.0f;
}

int main()
{
    const int n = 1 << 22;
    float *a;
    cudaMalloc(&a, n * sizeof(float));
    cudaMemset(a, 0, n * sizeof(float));
    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    cudaEventRecord(start);                  /* recorded in the default stream */
    busy<<<(n + 255) / 256, 256>>>(a, n);
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);              /* wait until the kernel and stop event are done */
    float ms = 0.0f;
    cudaEventElapsedTime(&ms, start, stop);
    std::printf("kernel: %.3f ms, %.1f GB/s\n", ms, 2.0 * 100 * n * sizeof(float) / ms / 1e6);
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    cudaFree(a);
    return 0;
}
