/*
 * title: Pitched 2-D allocation and cudaMemcpy2D
 * tags: cuda, cudaMallocPitch, cudaMemcpy2D, pitch, 2d-array
 */
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

__global__ void add_row_index(float *d, size_t pitch, int width, int height)
{
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < width && y < height) {
        float *row = reinterpret_cast<float *>(reinterpret_cast<char *>(d) + y * pitch);   /* rows are pitch bytes apart */
        row[x] += float(y);
    }
}

int main()
{
    const int width = 1000, height = 300;
    std::vector<float> h(size_t(width) * height, 1.0f);
    float *d;
    size_t pitch;
    cudaMallocPitch(&d, &pitch, width * sizeof(float), height);
    cudaMemcpy2D(d, pitch, h.data(), width * sizeof(float), width * sizeof(float), height, cudaMemcpyHostToDevice);
    dim3 block(32, 8), grid((width + 31) / 32, (height + 7) / 8);
    add_row_index<<<grid, block>>>(d, pitch, width, height);
    cudaMemcpy2D(h.data(), width * sizeof(float), d, pitch, width * sizeof(float), height, cudaMemcpyDeviceToHost);
    std::printf("pitch %zu bytes, h[last] = %f\n", pitch, h.back());
    cudaFree(d);
    return 0;
}
