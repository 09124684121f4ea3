// Block-wise sum of a vector with shared memory.
// The barrier inside the thread-dependent branch is a classic hang.
#include <cstdio>
#include <cuda_runtime.h>

#define BLOCK 256

__global__ void block_sum(const float *in, float *out, int n)
{
    __shared__ float buf[BLOCK];
    int tid = threadIdx.x;
    int i = blockIdx.x * blockDim.x + tid;
    buf[tid] = i < n ? in[i] : 0.0f;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s) {
            buf[tid] += buf[tid + s];
            __syncthreads();
        }
    }
    if (tid == 0)
        out[blockIdx.x] = buf[0];
}

int main()
{
    const int n = 1 << 20;
    const int blocks = (n + BLOCK - 1) / BLOCK;
    float *d_in, *d_out;
    cudaMalloc(&d_in, n * sizeof(float));
    cudaMalloc(&d_out, blocks * sizeof(float));
    cudaMemset(d_in, 0, n * sizeof(float));
    block_sum<<<blocks, BLOCK>>>(d_in, d_out, n);
    float first;
    cudaMemcpy(&first, d_out, sizeof(float), cudaMemcpyDeviceToHost);
    printf("%f\n", first);
    cudaFree(d_in);
    cudaFree(d_out);
    return 0;
}
