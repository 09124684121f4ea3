/*
 * title: Sparse matrix-vector product in CSR format, one thread per row
 * tags: cuda, spmv, csr, sparse, __ldg
 */
#include <cstdio>
#include <vector>
#include <cuda_runtime.h>

__global__ void spmv_csr(int nrows, const int *row_ptr, const int *cols, const double *vals, const double *x, double *y)
{
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < nrows) {
        double s = 0.0;
        for (int k = row_ptr[r]; k < row_ptr[r + 1]; k++)
            s += vals[k] * __ldg(&x[cols[k]]);   /* x is read-only: use the read-only cache */
        y[r] = s;
    }
}

int main()
{
    const int n = 1000;                         /* tridiagonal -1 2 -1 matrix */
    std::vector<int> rp(1, 0), c;
    std::vector<double> v;
    for (int r = 0; r < n; r++) {
        for (int j = r - 1; j <= r + 1; j++)
            if (j >= 0 && j < n) {
                c.push_back(j);
                v.push_back(j == r ? 2.0 : -1.0);
            }
        rp.push_back(int(c.size()));
    }
    int *d_rp, *d_c;
    double *d_v, *d_x, *d_y;
    cudaMalloc(&d_rp, rp.size() * sizeof(int));
    cudaMalloc(&d_c, c.size() * sizeof(int));
    cudaMalloc(&d_v, v.size() * sizeof(double));
    cudaMalloc(&d_x, n * sizeof(double));
    cudaMalloc(&d_y, n * sizeof(double));
    cudaMemcpy(d_rp, rp.data(), rp.size() * sizeof(int), cudaMemcpyHostToDevice);
    cudaMemcpy(d_c, c.data(), c.size() * sizeof(int), cudaMemcpyHostToDevice);
    cudaMemcpy(d_v, v.data(), v.size() * sizeof(double), cudaMemcpyHostToDevice);
    std::vector<double> x(n, 1.0), y(n);
    cudaMemcpy(d_x, x.data(), n * sizeof(double), cudaMemcpyHostToDevice);
    spmv_csr<<<(n + 127) / 128, 128>>>(n, d_rp, d_c, d_v, d_x, d_y);
    cudaMemcpy(y.data(), d_y, n * sizeof(double), cudaMemcpyDeviceToHost);
    std::printf("y[0] = %f, y[500] = %f\n", y[0], y[500]);
    cudaFree(d_rp);
    cudaFree(d_c);
    cudaFree(d_v);
    cudaFree(d_x);
    cudaFree(d_y);
    return 0;
}
