/*
 * title: Overlap a long computation with a transfer, driving progress with MPI_Test
 * tags: mpi, nonblocking, overlap, test, progress
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define N (1 << 20)
#define CHUNKS 16

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    double *msg = malloc(N * sizeof(double));
    double *work = malloc(N * sizeof(double));
    for (int i = 0; i < N; ++i) {
        msg[i] = rank;
        work[i] = i;
    }

    int peer = rank ^ 1; /* pair ranks 0-1, 2-3, ... */
    MPI_Request req = MPI_REQUEST_NULL;
    if (peer < size) {
        if (rank % 2 == 0)
            MPI_Isend(msg, N, MPI_DOUBLE, peer, 0, MPI_COMM_WORLD, &req);
        else
            MPI_Irecv(msg, N, MPI_DOUBLE, peer, 0, MPI_COMM_WORLD, &req);
    }

    /* Compute in chunks; a cheap MPI_Test between chunks lets the library advance the transfer. */
    int done = 0;
    double acc = 0.0;
    for (int c = 0; c < CHUNKS; ++c) {
        for (int i = c * (N / CHUNKS); i < (c + 1) * (N / CHUNKS); ++i) acc += work[i] * 0.5;
        if (!done) MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    }
    /* msg must not be touched until the request is complete. */
    MPI_Wait(&req, MPI_STATUS_IGNORE);

    printf("rank %d: acc=%g msg[0]=%g\n", rank, acc, msg[0]);
    free(msg);
    free(work);
    MPI_Finalize();
    return 0;
}
