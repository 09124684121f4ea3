/*
 * title: Choosing a block size with the occupancy API and __launch_bounds__
 * tags: cuda, occupancy, __launch_bounds__, cudaOccupancyMaxPotentialBlockSize
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void __launch_bounds__(256) square(float *a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        a[i] = a[i] * a[i];
}

int main()
{
    int min_grid = 0, block = 0;
    cudaOccupancyMaxPotentialBlockSize(&min_grid, &block, square, 0, 256);
    int per_sm = 0;
    cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, square, block, 0);
    std::printf("block %d, min grid %d, %d blocks per SM\n", block, min_grid, per_sm);
    const int n = 1 << 20;
    float *a;
    cudaMalloc(&a, n * sizeof(float));
    square<<<(n + block - 1) / block, block>>>(a, n);   /* never more than the declared 256 */
    cudaDeviceSynchronize();
    cudaFree(a);
    return 0;
}
