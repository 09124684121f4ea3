/*
 * title: 1-D halo exchange with Isend/Irecv, overlapping the interior update
 * tags: mpi, halo, nonblocking, isend, irecv, waitall, overlap
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define N 1000

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    double *u = malloc((N + 2) * sizeof(double));
    double *unew = malloc((N + 2) * sizeof(double));
    for (int i = 0; i < N + 2; ++i) u[i] = rank;

    int left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
    int right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
    MPI_Request reqs[4];

    for (int iter = 0; iter < 10; ++iter) {
        /* Post the receives first so incoming data can land directly in the ghost cells. */
        MPI_Irecv(&u[0], 1, MPI_DOUBLE, left, 0, MPI_COMM_WORLD, &reqs[0]);
        MPI_Irecv(&u[N + 1], 1, MPI_DOUBLE, right, 1, MPI_COMM_WORLD, &reqs[1]);
        MPI_Isend(&u[1], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, &reqs[2]);
        MPI_Isend(&u[N], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, &reqs[3]);

        /* Interior points do not need the ghosts: compute them while messages travel. */
        for (int i = 2; i <= N - 1; ++i)
            unew[i] = 0.5 * (u[i - 1] + u[i + 1]);

        MPI_Waitall(4, reqs, MPI_STATUSES_IGNORE);

        /* The two edge points need the ghost cells, so they come after the wait. */
        unew[1] = 0.5 * (u[0] + u[2]);
        unew[N] = 0.5 * (u[N - 1] + u[N + 1]);
        unew[0] = u[0];
        unew[N + 1] = u[N + 1];
        double *tmp = u; u = unew; unew = tmp;
    }

    printf("rank %d: u[1] = %f\n", rank, u[1]);
    free(u);
    free(unew);
    MPI_Finalize();
    return 0;
}
