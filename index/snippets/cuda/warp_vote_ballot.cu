/*
 * title: Counting matching elements with __ballot_sync and __popc
 * tags: cuda, warp-vote, __ballot_sync, __popc, atomicAdd
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void count_positive(const float *x, int n, int *count)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    bool pred = i < n && x[i] > 0.0f;
    unsigned mask = __ballot_sync(0xffffffff, pred);   /* one bit per lane */
    if ((threadIdx.x & 31) == 0)
        atomicAdd(count, __popc(mask));                /* one atomic per warp */
}

int main()
{
    const int n = 1 << 20;
    float *x;
    int *count;
    cudaMallocManaged(&x, n * sizeof(float));
    cudaMallocManaged(&count, sizeof(int));
    for (int i = 0; i < n; i++)
        x[i] = (i % 3 == 0) ? 1.0f : -1.0f;
    *count = 0;
    count_positive<<<(n + 255) / 256, 256>>>(x, n, count);
    cudaDeviceSynchronize();
    std::printf("%d positive\n", *count);
    cudaFree(x);
    cudaFree(count);
    return 0;
}
