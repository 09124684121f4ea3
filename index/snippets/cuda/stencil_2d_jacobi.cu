/*
 * title: 2-D Jacobi sweeps with two device buffers swapped each step
 * tags: cuda, stencil, jacobi, 2d-grid, double-buffering
 */
#include <cstdio>
#include <utility>
#include <cuda_runtime.h>

__global__ void jacobi_step(const float *u, float *unew, int nx, int ny)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int j = blockIdx.y * blockDim.y + threadIdx.y;
    if (i > 0 && i < nx - 1 && j > 0 && j < ny - 1)
        unew[j * nx + i] = 0.25f * (u[j * nx + i - 1] + u[j * nx + i + 1] + u[(j - 1) * nx + i] + u[(j + 1) * nx + i]);
}

int main()
{
    const int nx = 1024, ny = 1024;
    size_t bytes = size_t(nx) * ny * sizeof(float);
    float *u, *unew;
    cudaMalloc(&u, bytes);
    cudaMalloc(&unew, bytes);
    cudaMemset(u, 0, bytes);
    cudaMemset(unew, 0, bytes);
    dim3 block(32, 8), grid((nx + 31) / 32, (ny + 7) / 8);
    for (int step = 0; step < 100; step++) {
        jacobi_step<<<grid, block>>>(u, unew, nx, ny);
        std::swap(u, unew);              /* kernels in the same stream run in order */
    }
    cudaError_t err = cudaDeviceSynchronize();
    std::printf("%s\n", cudaGetErrorString(err));
    cudaFree(u);
    cudaFree(unew);
    return 0;
}
