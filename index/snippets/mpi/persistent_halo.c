/*
 * title: Persistent requests for a halo exchange repeated every iteration
 * tags: mpi, persistent, send-init, recv-init, startall, halo
 */
#include <mpi.h>
#include <stdio.h>

#define N 500
#define ITERS 100

int main(int argc, char **argv)
{
    int rank, size;
    double u[N + 2], unew[N + 2];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 0; i < N + 2; ++i) u[i] = unew[i] = rank;

    int left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
    int right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;

    /* Set the exchange up once; the requests always refer to the same buffer u. */
    MPI_Request reqs[4];
    MPI_Recv_init(&u[0], 1, MPI_DOUBLE, left, 0, MPI_COMM_WORLD, &reqs[0]);
    MPI_Recv_init(&u[N + 1], 1, MPI_DOUBLE, right, 1, MPI_COMM_WORLD, &reqs[1]);
    MPI_Send_init(&u[1], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, &reqs[2]);
    MPI_Send_init(&u[N], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, &reqs[3]);

    for (int it = 0; it < ITERS; ++it) {
        MPI_Startall(4, reqs);
        MPI_Waitall(4, reqs, MPI_STATUSES_IGNORE); /* requests become inactive, not freed */
        for (int i = 1; i <= N; ++i) unew[i] = 0.5 * (u[i - 1] + u[i + 1]);
        /* Copy back instead of swapping pointers: the requests are bound to u. */
        for (int i = 1; i <= N; ++i) u[i] = unew[i];
    }

    for (int k = 0; k < 4; ++k) MPI_Request_free(&reqs[k]);
    printf("rank %d: u[1] = %f\n", rank, u[1]);
    MPI_Finalize();
    return 0;
}
