/*
 * title: Stream-ordered temporary buffers with cudaMallocAsync and cudaFreeAsync
 * tags: cuda, cudaMallocAsync, cudaFreeAsync, memory-pool, streams
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void square_into(const float *in, float *tmp, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        tmp[i] = in[i] * in[i];
}

int main()
{
    const int n = 1 << 20;
    cudaStream_t s;
    cudaStreamCreate(&s);
    float *in;
    cudaMalloc(&in, n * sizeof(float));
    cudaMemsetAsync(in, 0, n * sizeof(float), s);
    for (int iter = 0; iter < 10; iter++) {
        float *tmp;
        cudaMallocAsync(&tmp, n * sizeof(float), s);   /* served from the pool: cheap */
        square_into<<<(n + 255) / 256, 256, 0, s>>>(in, tmp, n);
        cudaFreeAsync(tmp, s);                          /* released when the stream gets here */
    }
    cudaStreamSynchronize(s);
    std::printf("%s\n", cudaGetErrorName(cudaGetLastError()));
    cudaFree(in);
    cudaStreamDestroy(s);
    return 0;
}
