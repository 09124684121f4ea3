/*
 * title: Matrix transpose through shared memory with padding against bank conflicts
 * tags: cuda, transpose, shared-memory, bank-conflicts, coalescing
 */
#include <cstdio>
#include <cuda_runtime.h>

#define TILE 32
#define ROWS 8

__global__ void transpose(const float *in, float *out, int width, int height)
{
    __shared__ float tile[TILE][TILE + 1];   /* +1 column: column accesses hit different banks */
    int x = blockIdx.x * TILE + threadIdx.x;
    int y = blockIdx.y * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += ROWS)
        if (x < width && y + j < height)
            tile[threadIdx.y + j][threadIdx.x] = in[(y + j) * width + x];
    __syncthreads();
    x = blockIdx.y * TILE + threadIdx.x;     /* swapped block indices: coalesced writes */
    y = blockIdx.x * TILE + threadIdx.y;
    for (int j = 0; j < TILE; j += ROWS)
        if (x < height && y + j < width)
            out[(y + j) * height + x] = tile[threadIdx.x][threadIdx.y + j];
}

int main()
{
    const int w = 2048, h = 1024;
    float *in, *out;
    cudaMallocManaged(&in, size_t(w) * h * sizeof(float));
    cudaMallocManaged(&out, size_t(w) * h * sizeof(float));
    for (int i = 0; i < w * h; i++)
        in[i] = float(i);
    dim3 block(TILE, ROWS), grid((w + TILE - 1) / TILE, (h + TILE - 1) / TILE);
    transpose<<<grid, block>>>(in, out, w, h);
    cudaDeviceSynchronize();
    std::printf("out[1] = %f (expect %f)\n", out[1], in[w]);
    cudaFree(in);
    cudaFree(out);
    return 0;
}
