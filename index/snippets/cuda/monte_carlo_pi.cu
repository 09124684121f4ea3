/*
 * title: Monte Carlo estimate of pi with a per-thread hash generator and a reduction
 * tags: cuda, monte-carlo, reduction, atomicAdd, random
 */
#include <cstdio>
#include <cuda_runtime.h>

__device__ unsigned int hash32(unsigned int x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

__global__ void count_inside(unsigned long long *hits, int samples_per_thread)
{
    unsigned int tid = blockIdx.x * blockDim.x + threadIdx.x;
    unsigned int local = 0;
    for (int s = 0; s < samples_per_thread; s++) {
        unsigned int k = tid * samples_per_thread + s;
        float x = hash32(2 * k) / 4294967296.0f, y = hash32(2 * k + 1) / 4294967296.0f;
        local += x * x + y * y <= 1.0f;
    }
    atomicAdd(hits, (unsigned long long)local);   /* one atomic per thread, not per sample */
}

int main()
{
    const int blocks = 256, threads = 256, per = 1000;
    unsigned long long *hits;
    cudaMallocManaged(&hits, sizeof *hits);
    *hits = 0;
    count_inside<<<blocks, threads>>>(hits, per);
    cudaDeviceSynchronize();
    double total = double(blocks) * threads * per;
    std::printf("pi ~ %f\n", 4.0 * *hits / total);
    cudaFree(hits);
    return 0;
}
