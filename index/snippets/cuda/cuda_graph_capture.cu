/*
 * title: Capturing a sequence of kernels into a CUDA graph and replaying it
 * tags: cuda, cuda-graph, stream-capture, cudaGraphLaunch
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void step(float *x, int n, float c)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        x[i] = x[i] * 0.5f + c;
}

int main()
{
    const int n = 1 << 16;
    float *x;
    cudaMalloc(&x, n * sizeof(float));
    cudaMemset(x, 0, n * sizeof(float));
    cudaStream_t s;
    cudaStreamCreate(&s);
    cudaGraph_t graph;
    cudaGraphExec_t exec;
    cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal);
    for (int k = 0; k < 20; k++)             /* recorded, not executed */
        step<<<(n + 255) / 256, 256, 0, s>>>(x, n, float(k));
    cudaStreamEndCapture(s, &graph);
    cudaGraphInstantiate(&exec, graph, 0);
    for (int rep = 0; rep < 100; rep++)      /* one cheap launch replays all 20 kernels */
        cudaGraphLaunch(exec, s);
    cudaStreamSynchronize(s);
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
    cudaStreamDestroy(s);
    cudaFree(x);
    std::printf("done\n");
    return 0;
}
