/*
 * title: All-pairs n-body accelerations with rsqrtf and shared-memory tiles
 * tags: cuda, nbody, rsqrtf, shared-memory, float4
 */
#include <cstdio>
#include <cuda_runtime.h>

#define BLOCK 128

__global__ void accel(const float4 *pos, float3 *acc, int n, float soft2)
{
    __shared__ float4 tile[BLOCK];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float4 pi = i < n ? pos[i] : make_float4(0.f, 0.f, 0.f, 0.f);
    float3 a = make_float3(0.f, 0.f, 0.f);
    for (int start = 0; start < n; start += BLOCK) {
        int j = start + threadIdx.x;
        tile[threadIdx.x] = j < n ? pos[j] : make_float4(0.f, 0.f, 0.f, 0.f);   /* w = mass, 0 for padding */
        __syncthreads();
        for (int k = 0; k < BLOCK; k++) {
            float dx = tile[k].x - pi.x, dy = tile[k].y - pi.y, dz = tile[k].z - pi.z;
            float inv = rsqrtf(dx * dx + dy * dy + dz * dz + soft2);
            float s = tile[k].w * inv * inv * inv;
            a.x += dx * s;
            a.y += dy * s;
            a.z += dz * s;
        }
        __syncthreads();
    }
    if (i < n)
        acc[i] = a;
}

int main()
{
    const int n = 4096;
    float4 *pos;
    float3 *acc;
    cudaMallocManaged(&pos, n * sizeof(float4));
    cudaMallocManaged(&acc, n * sizeof(float3));
    for (int i = 0; i < n; i++)
        pos[i] = make_float4(float(i % 16), float(i / 16 % 16), float(i / 256), 1.0f);
    accel<<<(n + BLOCK - 1) / BLOCK, BLOCK>>>(pos, acc, n, 0.01f);
    cudaDeviceSynchronize();
    std::printf("acc[0] = (%f, %f, %f)\n", acc[0].x, acc[0].y, acc[0].z);
    cudaFree(pos);
    cudaFree(acc);
    return 0;
}
