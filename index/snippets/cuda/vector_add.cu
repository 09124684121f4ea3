/*
 * title: Vector addition with host-device copies
 * tags: cuda, kernel, cudaMalloc, cudaMemcpy, launch, basics
 */
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

__global__ void add(const float *a, const float *b, float *c, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;   /* global index */
    if (i < n)                                       /* the last block may be partial */
        c[i] = a[i] + b[i];
}

int main()
{
    const int n = 1 << 20;
    const size_t bytes = n * sizeof(float);
    std::vector<float> a(n, 1.0f), b(n, 2.0f), c(n);
    float *da, *db, *dc;
    cudaMalloc(&da, bytes);
    cudaMalloc(&db, bytes);
    cudaMalloc(&dc, bytes);
    cudaMemcpy(da, a.data(), bytes, cudaMemcpyHostToDevice);
    cudaMemcpy(db, b.data(), bytes, cudaMemcpyHostToDevice);
    int block = 256;
    int grid = (n + block - 1) / block;              /* round up */
    add<<<grid, block>>>(da, db, dc, n);
    cudaMemcpy(c.data(), dc, bytes, cudaMemcpyDeviceToHost);   /* waits for the kernel */
    std::printf("c[0] = %f\n", c[0]);
    cudaFree(da);
    cudaFree(db);
    cudaFree(dc);
    return 0;
}
