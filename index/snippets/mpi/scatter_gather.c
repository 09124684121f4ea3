/*
 * title: Scatter an array, work on the pieces, gather the results
 * tags: mpi, collective, scatter, gather, decomposition
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define PER_RANK 4

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    double *full = NULL;
    if (rank == 0) {
        full = malloc((size_t)size * PER_RANK * sizeof(double));
        for (int i = 0; i < size * PER_RANK; ++i) full[i] = i;
    }

    /* The counts are per process, not totals; the send side only matters at the root. */
    double part[PER_RANK];
    MPI_Scatter(full, PER_RANK, MPI_DOUBLE, part, PER_RANK, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    for (int i = 0; i < PER_RANK; ++i) part[i] = part[i] * part[i];
    MPI_Gather(part, PER_RANK, MPI_DOUBLE, full, PER_RANK, MPI_DOUBLE, 0, MPI_COMM_WORLD);

    if (rank == 0) {
        printf("last square: %g\n", full[size * PER_RANK - 1]);
        free(full);
    }
    MPI_Finalize();
    return 0;
}
