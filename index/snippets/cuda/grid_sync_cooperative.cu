/*
 * title: Grid-wide synchronisation with a cooperative launch
 * tags: cuda, cooperative-groups, grid-sync, cudaLaunchCooperativeKernel
 */
#include <cstdio>
#include <cooperative_groups.h>
#include <cuda_runtime.h>

namespace cg = cooperative_groups;

__global__ void two_phase(float *a, float *b, int n)
{
    cg::grid_group grid = cg::this_grid();
    for (int i = grid.thread_rank(); i < n; i += grid.size())
        a[i] = float(i);
    grid.sync();                              /* every block finished phase 1 */
    for (int i = grid.thread_rank(); i < n; i += grid.size())
        b[i] = a[n - 1 - i];
}

int main()
{
    const int n = 1 << 20, block = 256;
    float *a, *b;
    cudaMalloc(&a, n * sizeof(float));
    cudaMalloc(&b, n * sizeof(float));
    int per_sm = 0, sms = 0;
    cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, two_phase, block, 0);
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
    dim3 grid(per_sm * sms), threads(block);  /* all blocks must be resident at once */
    int nn = n;
    void *args[] = {&a, &b, &nn};
    cudaError_t err = cudaLaunchCooperativeKernel((void *)two_phase, grid, threads, args, 0, 0);
    std::printf("launch: %s\n", cudaGetErrorString(err));
    cudaDeviceSynchronize();
    cudaFree(a);
    cudaFree(b);
    return 0;
}
