// title: saxpy kernel
__global__ void saxpy(int n, float a, const float *x, float *y)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
    __syncthreads();
}

void run(float *d_x, float *d_y, int n, cudaStream_t s)
{
    saxpy<<<(n + 255) / 256, 256, 0, s>>>(n, 2.0f, d_x, d_y);
    cudaStreamSynchronize(s);
}
