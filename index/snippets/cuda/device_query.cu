/*
 * title: Listing devices and their properties
 * tags: cuda, device-management, cudaGetDeviceProperties, cudaGetDeviceCount
 */
#include <cstdio>
#include <cuda_runtime.h>

int main()
{
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        std::printf("no CUDA device: %s\n", cudaGetErrorString(err));
        return 1;
    }
    for (int d = 0; d < count; d++) {
        cudaDeviceProp p;
        cudaGetDeviceProperties(&p, d);
        std::printf("%d: %s, compute %d.%d, %d SMs, %.1f GiB, %zu KiB shared/block, warp %d\n", d, p.name,
                    p.major, p.minor, p.multiProcessorCount, p.totalGlobalMem / 1073741824.0,
                    p.sharedMemPerBlock / 1024, p.warpSize);
    }
    size_t free_b = 0, total_b = 0;
    cudaMemGetInfo(&free_b, &total_b);
    std::printf("device 0 memory: %zu of %zu bytes free\n", free_b, total_b);
    return 0;
}
