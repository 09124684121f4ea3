/*
 * title: Naive matrix multiplication, one thread per output element
 * tags: cuda, matmul, dim3, 2d-grid
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void matmul(const float *A, const float *B, float *C, int n)
{
    int row = blockIdx.y * blockDim.y + threadIdx.y;
    int col = blockIdx.x * blockDim.x + threadIdx.x;
    if (row < n && col < n) {
        float acc = 0.0f;
        for (int k = 0; k < n; k++)
            acc += A[row * n + k] * B[k * n + col];
        C[row * n + col] = acc;
    }
}

int main()
{
    const int n = 512;
    float *A, *B, *C;
    cudaMallocManaged(&A, n * n * sizeof(float));
    cudaMallocManaged(&B, n * n * sizeof(float));
    cudaMallocManaged(&C, n * n * sizeof(float));
    for (int i = 0; i < n * n; i++) {
        A[i] = 1.0f;
        B[i] = 2.0f;
    }
    dim3 block(16, 16);
    dim3 grid((n + block.x - 1) / block.x, (n + block.y - 1) / block.y);
    matmul<<<grid, block>>>(A, B, C, n);
    cudaDeviceSynchronize();
    std::printf("C[0] = %f (expect %f)\n", C[0], 2.0f * n);
    cudaFree(A);
    cudaFree(B);
    cudaFree(C);
    return 0;
}
