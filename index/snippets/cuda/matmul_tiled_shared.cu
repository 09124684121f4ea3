/*
 * title: Tiled matrix multiplication with shared memory
 * tags: cuda, matmul, shared-memory, tiling, __syncthreads
 */
#include <cstdio>
#include <cuda_runtime.h>

#define TILE 16

__global__ void matmul_tiled(const float *A, const float *B, float *C, int n)
{
    __shared__ float As[TILE][TILE];
    __shared__ float Bs[TILE][TILE];
    int row = blockIdx.y * TILE + threadIdx.y;
    int col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.0f;
    for (int t = 0; t < (n + TILE - 1) / TILE; t++) {
        int ac = t * TILE + threadIdx.x, br = t * TILE + threadIdx.y;
        /* each thread loads one element of each tile; out-of-range elements are zero */
        As[threadIdx.y][threadIdx.x] = (row < n && ac < n) ? A[row * n + ac] : 0.0f;
        Bs[threadIdx.y][threadIdx.x] = (br < n && col < n) ? B[br * n + col] : 0.0f;
        __syncthreads();                 /* tiles complete before anyone reads them */
        for (int k = 0; k < TILE; k++)
            acc += As[threadIdx.y][k] * Bs[k][threadIdx.x];
        __syncthreads();                 /* everyone done before the tiles are overwritten */
    }
    if (row < n && col < n)
        C[row * n + col] = acc;
}

int main()
{
    const int n = 1000;
    size_t bytes = size_t(n) * n * sizeof(float);
    float *A, *B, *C;
    cudaMallocManaged(&A, bytes);
    cudaMallocManaged(&B, bytes);
    cudaMallocManaged(&C, bytes);
    for (int i = 0; i < n * n; i++) {
        A[i] = 1.0f;
        B[i] = 0.5f;
    }
    dim3 block(TILE, TILE), grid((n + TILE - 1) / TILE, (n + TILE - 1) / TILE);
    matmul_tiled<<<grid, block>>>(A, B, C, n);
    cudaDeviceSynchronize();
    std::printf("C[0] = %f\n", C[0]);
    cudaFree(A);
    cudaFree(B);
    cudaFree(C);
    return 0;
}
