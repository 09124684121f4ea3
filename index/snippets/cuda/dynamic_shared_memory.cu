/*
 * title: Dynamic shared memory sized at launch time
 * tags: cuda, shared-memory, extern-shared, launch-configuration
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void reverse_block(int *d, int n)
{
    extern __shared__ int s[];            /* size comes from the third launch parameter */
    int t = threadIdx.x;
    int g = blockIdx.x * blockDim.x + t;
    if (g < n)
        s[t] = d[g];
    __syncthreads();
    int src = blockDim.x - 1 - t;
    int gsrc = blockIdx.x * blockDim.x + src;
    if (g < n && gsrc < n)
        d[g] = s[src];
}

int main()
{
    const int n = 1024, block = 128;
    int *d;
    cudaMallocManaged(&d, n * sizeof(int));
    for (int i = 0; i < n; i++)
        d[i] = i;
    reverse_block<<<n / block, block, block * sizeof(int)>>>(d, n);
    cudaDeviceSynchronize();
    std::printf("d[0] = %d\n", d[0]);
    cudaFree(d);
    return 0;
}
