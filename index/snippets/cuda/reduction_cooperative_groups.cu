/*
 * title: Reduction with cooperative groups tiles and cg::reduce
 * tags: cuda, cooperative-groups, reduction, tiled_partition, thread_block
 */
#include <cstdio>
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <cuda_runtime.h>

namespace cg = cooperative_groups;

__global__ void dot(const float *x, const float *y, float *result, int n)
{
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> tile = cg::tiled_partition<32>(block);
    float v = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        v += x[i] * y[i];
    float tile_sum = cg::reduce(tile, v, cg::plus<float>());   /* every lane gets the sum */
    if (tile.thread_rank() == 0)
        atomicAdd(result, tile_sum);
}

int main()
{
    const int n = 100000;
    float *x, *y, *r;
    cudaMallocManaged(&x, n * sizeof(float));
    cudaMallocManaged(&y, n * sizeof(float));
    cudaMallocManaged(&r, sizeof(float));
    for (int i = 0; i < n; i++) {
        x[i] = 1.0f;
        y[i] = 2.0f;
    }
    *r = 0.0f;
    dot<<<64, 256>>>(x, y, r, n);
    cudaDeviceSynchronize();
    std::printf("dot = %f\n", *r);
    cudaFree(x);
    cudaFree(y);
    cudaFree(r);
    return 0;
}
