/*
 * title: Inclusive warp scan with __shfl_up_sync
 * tags: cuda, warp-shuffle, __shfl_up_sync, scan
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void warp_scan(const int *in, int *out)
{
    int lane = threadIdx.x & 31;
    int v = in[threadIdx.x];
    for (int offset = 1; offset < 32; offset <<= 1) {
        int up = __shfl_up_sync(0xffffffff, v, offset);
        if (lane >= offset)                 /* lower lanes keep their value */
            v += up;
    }
    out[threadIdx.x] = v;
}

int main()
{
    int *in, *out;
    cudaMallocManaged(&in, 64 * sizeof(int));
    cudaMallocManaged(&out, 64 * sizeof(int));
    for (int i = 0; i < 64; i++)
        in[i] = 1;
    warp_scan<<<1, 64>>>(in, out);
    cudaDeviceSynchronize();
    std::printf("out[31] = %d, out[32] = %d\n", out[31], out[32]);
    cudaFree(in);
    cudaFree(out);
    return 0;
}
