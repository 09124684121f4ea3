/*
 * title: Overlapping copies and kernels with streams and pinned memory
 * tags: cuda, streams, cudaMemcpyAsync, pinned-memory, overlap
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void scale(float *d, int n, float s)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        d[i] *= s;
}

int main()
{
    const int nstreams = 4, chunk = 1 << 20, n = nstreams * chunk;
    float *h, *d;
    cudaMallocHost(&h, n * sizeof(float));   /* pinned: required for asynchronous overlap */
    cudaMalloc(&d, n * sizeof(float));
    for (int i = 0; i < n; i++)
        h[i] = 1.0f;
    cudaStream_t streams[nstreams];
    for (int s = 0; s < nstreams; s++)
        cudaStreamCreate(&streams[s]);
    for (int s = 0; s < nstreams; s++) {
        int off = s * chunk;
        /* copy in, compute, copy out: chunk s+1's copy overlaps chunk s's kernel */
        cudaMemcpyAsync(d + off, h + off, chunk * sizeof(float), cudaMemcpyHostToDevice, streams[s]);
        scale<<<(chunk + 255) / 256, 256, 0, streams[s]>>>(d + off, chunk, 2.0f);
        cudaMemcpyAsync(h + off, d + off, chunk * sizeof(float), cudaMemcpyDeviceToHost, streams[s]);
    }
    for (int s = 0; s < nstreams; s++) {
        cudaStreamSynchronize(streams[s]);
        cudaStreamDestroy(streams[s]);
    }
    std::printf("h[0] = %f\n", h[0]);
    cudaFreeHost(h);
    cudaFree(d);
    return 0;
}
