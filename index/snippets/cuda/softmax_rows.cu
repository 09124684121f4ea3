/*
 * title: Row-wise softmax with one block per row and shared-memory reductions
 * tags: cuda, softmax, reduction, shared-memory, numerics
 */
#include <cstdio>
#include <cuda_runtime.h>

#define BLOCK 256

__device__ float block_reduce(float v, float *s, bool take_max)
{
    s[threadIdx.x] = v;
    __syncthreads();
    for (int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (threadIdx.x < stride)
            s[threadIdx.x] = take_max ? fmaxf(s[threadIdx.x], s[threadIdx.x + stride]) : s[threadIdx.x] + s[threadIdx.x + stride];
        __syncthreads();
    }
    float r = s[0];
    __syncthreads();                          /* s is reused by the next call */
    return r;
}

__global__ void softmax(const float *x, float *y, int cols)
{
    __shared__ float s[BLOCK];
    const float *row = x + blockIdx.x * cols;
    float m = -1e30f;
    for (int c = threadIdx.x; c < cols; c += BLOCK)
        m = fmaxf(m, row[c]);
    m = block_reduce(m, s, true);             /* subtract the max for numerical stability */
    float sum = 0.0f;
    for (int c = threadIdx.x; c < cols; c += BLOCK)
        sum += __expf(row[c] - m);
    sum = block_reduce(sum, s, false);
    for (int c = threadIdx.x; c < cols; c += BLOCK)
        y[blockIdx.x * cols + c] = __expf(row[c] - m) / sum;
}

int main()
{
    const int rows = 64, cols = 1000;
    float *x, *y;
    cudaMallocManaged(&x, rows * cols * sizeof(float));
    cudaMallocManaged(&y, rows * cols * sizeof(float));
    for (int i = 0; i < rows * cols; i++)
        x[i] = float(i % cols) * 0.01f;
    softmax<<<rows, BLOCK>>>(x, y, cols);
    cudaDeviceSynchronize();
    std::printf("y[0][999] = %f\n", y[cols - 1]);
    cudaFree(x);
    cudaFree(y);
    return 0;
}
