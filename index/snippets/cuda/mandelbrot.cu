/*
 * title: Mandelbrot set with a 2-D grid (divergent work per thread)
 * tags: cuda, mandelbrot, 2d-grid, divergence
 */
#include <cstdio>
#include <cuda_runtime.h>

__global__ void mandelbrot(unsigned char *img, int w, int h, int max_iter)
{
    int px = blockIdx.x * blockDim.x + threadIdx.x;
    int py = blockIdx.y * blockDim.y + threadIdx.y;
    if (px >= w || py >= h)
        return;
    float cx = -2.0f + 3.0f * px / w, cy = -1.5f + 3.0f * py / h;
    float x = 0.0f, y = 0.0f;
    int it = 0;
    while (x * x + y * y < 4.0f && it < max_iter) {   /* iteration counts differ between lanes */
        float xt = x * x - y * y + cx;
        y = 2.0f * x * y + cy;
        x = xt;
        it++;
    }
    img[py * w + px] = (unsigned char)(255 * it / max_iter);
}

int main()
{
    const int w = 1024, h = 768;
    unsigned char *img;
    cudaMallocManaged(&img, w * h);
    dim3 block(16, 16), grid((w + 15) / 16, (h + 15) / 16);
    mandelbrot<<<grid, block>>>(img, w, h, 256);
    cudaDeviceSynchronize();
    long inside = 0;
    for (int i = 0; i < w * h; i++)
        inside += img[i] == 255;
    std::printf("%ld pixels inside\n", inside);
    cudaFree(img);
    return 0;
}
