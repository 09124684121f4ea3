/*
 * title: Splitting work across several GPUs with cudaSetDevice
 * tags: cuda, multi-gpu, cudaSetDevice, device-management
 */
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

__global__ void fill(float *a, int n, float v)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        a[i] = v;
}

int main()
{
    int ndev = 0;
    cudaGetDeviceCount(&ndev);
    if (ndev == 0)
        return 1;
    const int n_per = 1 << 20;
    std::vector<float *> parts(ndev);
    for (int d = 0; d < ndev; d++) {
        cudaSetDevice(d);                    /* allocations and launches now go to device d */
        cudaMalloc(&parts[d], n_per * sizeof(float));
        fill<<<(n_per + 255) / 256, 256>>>(parts[d], n_per, float(d));   /* asynchronous: devices run concurrently */
    }
    for (int d = 0; d < ndev; d++) {
        cudaSetDevice(d);
        cudaDeviceSynchronize();
        cudaFree(parts[d]);
    }
    std::printf("used %d devices\n", ndev);
    return 0;
}
