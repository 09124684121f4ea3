/*
 * title: An error-checking macro for CUDA runtime calls and kernel launches
 * tags: cuda, error-handling, cudaGetLastError, cudaGetErrorString, macro
 */
#include <cstdio>
#include <cstdlib>
#include <cuda_runtime.h>

#define CUDA_CHECK(call)                                                        \
    do {                                                                        \
        cudaError_t err_ = (call);                                              \
        if (err_ != cudaSuccess) {                                              \
            std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__,  \
                         #call, cudaGetErrorString(err_));                      \
            std::exit(EXIT_FAILURE);                                            \
        }                                                                       \
    } while (0)

/* a launch returns nothing: check the launch itself, then (when debugging) its execution */
#define CUDA_CHECK_LAUNCH()                                                     \
    do {                                                                        \
        CUDA_CHECK(cudaGetLastError());                                         \
        CUDA_CHECK(cudaDeviceSynchronize());                                    \
    } while (0)

__global__ void fill(int *a, int n, int v)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        a[i] = v;
}

int main()
{
    const int n = 1000;
    int *d = nullptr;
    CUDA_CHECK(cudaMalloc(&d, n * sizeof(int)));
    fill<<<(n + 255) / 256, 256>>>(d, n, 7);
    CUDA_CHECK_LAUNCH();
    CUDA_CHECK(cudaFree(d));
    return 0;
}
