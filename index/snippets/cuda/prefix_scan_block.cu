/*
 * title: Inclusive scan of one block in shared memory (Hillis-Steele)
 * tags: cuda, scan, prefix-sum, shared-memory, __syncthreads
 */
#include <cstdio>
#include <cuda_runtime.h>

#define N 512

__global__ void block_scan(const int *in, int *out)
{
    __shared__ int buf[2][N];            /* double buffer avoids read/write races between steps */
    int t = threadIdx.x, src = 0;
    buf[0][t] = in[t];
    __syncthreads();
    for (int offset = 1; offset < N; offset <<= 1) {
        int dst = 1 - src;
        buf[dst][t] = t >= offset ? buf[src][t] + buf[src][t - offset] : buf[src][t];
        __syncthreads();
        src = dst;
    }
    out[t] = buf[src][t];
}

int main()
{
    int *in, *out;
    cudaMallocManaged(&in, N * sizeof(int));
    cudaMallocManaged(&out, N * sizeof(int));
    for (int i = 0; i < N; i++)
        in[i] = 1;
    block_scan<<<1, N>>>(in, out);
    cudaDeviceSynchronize();
    std::printf("out[N-1] = %d\n", out[N - 1]);
    cudaFree(in);
    cudaFree(out);
    return 0;
}
