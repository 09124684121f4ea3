/*
 * title: Distributed matrix transpose step with MPI_Alltoall
 * tags: mpi, collective, alltoall, transpose, fft
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define B 2 /* block size exchanged with each process */

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Block j of sendbuf is destined for rank j. */
    double *sendbuf = malloc((size_t)size * B * sizeof(double));
    double *recvbuf = malloc((size_t)size * B * sizeof(double));
    for (int j = 0; j < size; ++j)
        for (int k = 0; k < B; ++k)
            sendbuf[j * B + k] = rank * 1000 + j * 10 + k;

    MPI_Alltoall(sendbuf, B, MPI_DOUBLE, recvbuf, B, MPI_DOUBLE, MPI_COMM_WORLD);

    /* Block i of recvbuf now holds what rank i addressed to me. */
    printf("rank %d got %g from rank %d\n", rank, recvbuf[(size - 1) * B], size - 1);
    free(sendbuf);
    free(recvbuf);
    MPI_Finalize();
    return 0;
}
