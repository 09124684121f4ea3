/*
 * title: Running host code when a stream reaches a point with cudaLaunchHostFunc
 * tags: cuda, streams, cudaLaunchHostFunc, callback
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void work(int *flag)
{
    if (threadIdx.x == 0 && blockIdx.x == 0)
        *flag = 1;
}

static void report(void *data)   /* CUDART_CB calling convention: empty on Linux */
{
    /* runs on a runtime thread; must not call CUDA API functions */
    std::printf("stream reached the callback, tag %d\n", *static_cast<int *>(data));
}

int main()
{
    int *flag;
    cudaMalloc(&flag, sizeof(int));
    cudaStream_t s;
    cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
    static int tag = 42;
    work<<<1, 32, 0, s>>>(flag);
    cudaLaunchHostFunc(s, report, &tag);
    cudaStreamSynchronize(s);
    cudaStreamDestroy(s);
    cudaFree(flag);
    return 0;
}
