/*
 * title: Sum reduction with warp shuffles and one atomic per block
 * tags: cuda, reduction, warp-shuffle, __shfl_down_sync, atomicAdd
 */
#include <cstdio>
#include <cuda_runtime.h>

__inline__ __device__ float warp_sum(float v)
{
    for (int offset = 16; offset > 0; offset >>= 1)
        v += __shfl_down_sync(0xffffffff, v, offset);
    return v;                            /* complete only in lane 0 */
}

__global__ void sum_kernel(const float *in, float *out, int n)
{
    __shared__ float warp_partials[32];
    float v = 0.0f;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        v += in[i];
    int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
    v = warp_sum(v);
    if (lane == 0)
        warp_partials[warp] = v;
    __syncthreads();
    if (warp == 0) {
        int nwarps = blockDim.x / 32;
        v = lane < nwarps ? warp_partials[lane] : 0.0f;
        v = warp_sum(v);
        if (lane == 0)
            atomicAdd(out, v);           /* one atomic per block */
    }
}

int main()
{
    const int n = 1 << 22;
    float *in, *out;
    cudaMallocManaged(&in, n * sizeof(float));
    cudaMallocManaged(&out, sizeof(float));
    for (int i = 0; i < n; i++)
        in[i] = 0.5f;
    *out = 0.0f;
    sum_kernel<<<256, 512>>>(in, out, n);
    cudaDeviceSynchronize();
    std::printf("sum = %f\n", *out);
    cudaFree(in);
    cudaFree(out);
    return 0;
}
