/*
 * title: Floating-point atomic maximum built from atomicCAS
 * tags: cuda, atomicCAS, atomics, float, max
 */
#include <cfloat>
#include <cstdio>
#include <cuda_runtime.h>

__device__ float atomic_max_float(float *addr, float value)
{
    int *as_int = reinterpret_cast<int *>(addr);
    int old = *as_int, assumed;
    do {
        assumed = old;
        if (__int_as_float(assumed) >= value)
            break;                                    /* nothing to do */
        old = atomicCAS(as_int, assumed, __float_as_int(value));
    } while (old != assumed);                         /* another thread changed it: retry */
    return __int_as_float(old);
}

__global__ void max_kernel(const float *x, int n, float *result)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        atomic_max_float(result, x[i]);
}

int main()
{
    const int n = 100000;
    float *x, *r;
    cudaMallocManaged(&x, n * sizeof(float));
    cudaMallocManaged(&r, sizeof(float));
    for (int i = 0; i < n; i++)
        x[i] = float((i * 7919) % 10007) - 5000.0f;
    *r = -FLT_MAX;
    max_kernel<<<(n + 255) / 256, 256>>>(x, n, r);
    cudaDeviceSynchronize();
    std::printf("max = %f\n", *r);
    cudaFree(x);
    cudaFree(r);
    return 0;
}
