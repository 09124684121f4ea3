/*
 * title: Warp-aggregated atomic increments with coalesced groups
 * tags: cuda, cooperative-groups, coalesced_threads, atomicAdd, stream-compaction
 */
#include <cstdio>
#include <cooperative_groups.h>
#include <cuda_runtime.h>

namespace cg = cooperative_groups;

__device__ int reserve_slot(int *counter)
{
    cg::coalesced_group active = cg::coalesced_threads();   /* lanes that reached this point */
    int base = 0;
    if (active.thread_rank() == 0)
        base = atomicAdd(counter, active.size());           /* one atomic for the whole group */
    base = active.shfl(base, 0);
    return base + active.thread_rank();
}

__global__ void compact(const int *in, int n, int *out, int *count)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && in[i] % 2 == 0)
        out[reserve_slot(count)] = in[i];
}

int main()
{
    const int n = 1 << 16;
    int *in, *out, *count;
    cudaMallocManaged(&in, n * sizeof(int));
    cudaMallocManaged(&out, n * sizeof(int));
    cudaMallocManaged(&count, sizeof(int));
    for (int i = 0; i < n; i++)
        in[i] = i;
    *count = 0;
    compact<<<(n + 255) / 256, 256>>>(in, n, out, count);
    cudaDeviceSynchronize();
    std::printf("%d even values kept\n", *count);
    cudaFree(in);
    cudaFree(out);
    cudaFree(count);
    return 0;
}
