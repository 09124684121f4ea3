/* 1-D heat equation with a halo exchange between neighbouring ranks.
 * The right-hand receive is started but never completed before its buffer is read. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define NLOC 1000

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    double *t = calloc(NLOC + 2, sizeof(double));
    double *tn = calloc(NLOC + 2, sizeof(double));
    int left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
    int right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
    MPI_Request reqs[2];
    MPI_Request rreq;

    for (int step = 0; step < 100; step++) {
        MPI_Irecv(&t[NLOC + 1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, &rreq);
        MPI_Isend(&t[1], 1, MPI_DOUBLE, left, 0, MPI_COMM_WORLD, &reqs[0]);
        MPI_Sendrecv(&t[NLOC], 1, MPI_DOUBLE, right, 1, &t[0], 1, MPI_DOUBLE, left, 1,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Wait(&reqs[0], MPI_STATUS_IGNORE);
        for (int i = 1; i <= NLOC; i++)
            tn[i] = t[i] + 0.1 * (t[i - 1] - 2.0 * t[i] + t[i + 1]);
        double *swap = t;
        t = tn;
        tn = swap;
    }

    double local = 0.0, total = 0.0;
    for (int i = 1; i <= NLOC; i++)
        local += t[i];
    MPI_Reduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0)
        printf("total heat %f\n", total);
    free(t);
    free(tn);
    MPI_Finalize();
    return 0;
}
