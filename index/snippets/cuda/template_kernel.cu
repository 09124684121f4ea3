/*
 * title: A templated kernel instantiated for float and double
 * tags: cuda, templates, kernel, cpp
 */
#include <cstdio>
#include <cuda_runtime.h>

template <typename T>
__global__ void axpy(T a, const T *x, T *y, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        y[i] += a * x[i];
}

template <typename T>
void run(int n)
{
    T *x, *y;
    cudaMallocManaged(&x, n * sizeof(T));
    cudaMallocManaged(&y, n * sizeof(T));
    for (int i = 0; i < n; i++) {
        x[i] = T(1);
        y[i] = T(2);
    }
    axpy<T><<<(n + 255) / 256, 256>>>(T(3), x, y, n);
    cudaDeviceSynchronize();
    std::printf("sizeof(T)=%zu y[0]=%f\n", sizeof(T), double(y[0]));
    cudaFree(x);
    cudaFree(y);
}

int main()
{
    run<float>(1000);
    run<double>(1000);
    return 0;
}
