/*
 * title: Block-wide convergence test with __syncthreads_or
 * tags: cuda, __syncthreads_or, synchronization, iterative
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void relax(float *x, int n)
{
    int i = threadIdx.x;
    int changed = 1;
    while (__syncthreads_or(changed)) {     /* barrier and vote: continue while any thread changed */
        changed = 0;
        if (i < n) {
            float target = 0.5f * x[i];
            if (fabsf(x[i] - target) > 1e-3f) {
                x[i] = target;
                changed = 1;
            }
        }
    }
}

int main()
{
    float *x;
    cudaMallocManaged(&x, 256 * sizeof(float));
    for (int i = 0; i < 256; i++)
        x[i] = float(i);
    relax<<<1, 256>>>(x, 256);
    cudaDeviceSynchronize();
    std::printf("x[255] = %f\n", x[255]);
    cudaFree(x);
    return 0;
}
