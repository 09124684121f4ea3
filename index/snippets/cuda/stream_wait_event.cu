/*
 * title: Ordering work across two streams with cudaStreamWaitEvent
 * tags: cuda, streams, events, cudaStreamWaitEvent, dependencies
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void produce(float *a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        a[i] = float(i);
}

__global__ void consume(const float *a, float *b, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        b[i] = 2.0f * a[i];
}

int main()
{
    const int n = 1 << 20;
    float *a, *b;
    cudaMalloc(&a, n * sizeof(float));
    cudaMalloc(&b, n * sizeof(float));
    cudaStream_t s1, s2;
    cudaStreamCreateWithFlags(&s1, cudaStreamNonBlocking);
    cudaStreamCreateWithFlags(&s2, cudaStreamNonBlocking);
    cudaEvent_t ready;
    cudaEventCreateWithFlags(&ready, cudaEventDisableTiming);
    produce<<<(n + 255) / 256, 256, 0, s1>>>(a, n);
    cudaEventRecord(ready, s1);
    cudaStreamWaitEvent(s2, ready, 0);          /* device-side wait: the host does not block */
    consume<<<(n + 255) / 256, 256, 0, s2>>>(a, b, n);
    cudaStreamSynchronize(s2);
    std::printf("%s\n", cudaGetErrorString(cudaGetLastError()));
    cudaEventDestroy(ready);
    cudaStreamDestroy(s1);
    cudaStreamDestroy(s2);
    cudaFree(a);
    cudaFree(b);
    return 0;
}
