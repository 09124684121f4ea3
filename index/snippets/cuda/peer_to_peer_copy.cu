/*
 * title: Copying between two GPUs with peer access
 * tags: cuda, multi-gpu, peer-access, cudaMemcpyPeer, cudaDeviceEnablePeerAccess
 */
#include <cstdio>
#include <cuda_runtime.h>

int main()
{
    int ndev = 0;
    cudaGetDeviceCount(&ndev);
    if (ndev < 2) {
        std::printf("needs two devices\n");
        return 0;
    }
    int can = 0;
    cudaDeviceCanAccessPeer(&can, 0, 1);
    const size_t bytes = 1 << 24;
    void *a, *b;
    cudaSetDevice(0);
    cudaMalloc(&a, bytes);
    if (can)
        cudaDeviceEnablePeerAccess(1, 0);   /* direct GPU-to-GPU path, no staging through the host */
    cudaSetDevice(1);
    cudaMalloc(&b, bytes);
    cudaMemcpyPeer(b, 1, a, 0, bytes);
    cudaDeviceSynchronize();
    std::printf("peer access %s\n", can ? "enabled" : "unavailable (staged copy)");
    cudaFree(b);
    cudaSetDevice(0);
    cudaFree(a);
    return 0;
}
