/*
 * title: SAXPY with a grid-stride loop
 * tags: cuda, grid-stride, saxpy, kernel
 */
#include <cstdio>
#include <cuda_runtime.h>

/* works for any n with any grid size: each thread handles several elements */
__global__ void saxpy(int n, float a, const float *__restrict__ x, float *__restrict__ y)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        y[i] = a * x[i] + y[i];
}

int main()
{
    const int n = 1 << 24;
    float *x, *y;
    cudaMallocManaged(&x, n * sizeof(float));
    cudaMallocManaged(&y, n * sizeof(float));
    for (int i = 0; i < n; i++) {
        x[i] = 1.0f;
        y[i] = 2.0f;
    }
    int sms = 0;
    cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
    saxpy<<<32 * sms, 256>>>(n, 2.0f, x, y);
    cudaDeviceSynchronize();
    std::printf("y[0] = %f\n", y[0]);
    cudaFree(x);
    cudaFree(y);
    return 0;
}
