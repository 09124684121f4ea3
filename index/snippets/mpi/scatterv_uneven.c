/*
 * title: Uneven block decomposition with MPI_Scatterv and MPI_Gatherv
 * tags: mpi, collective, scatterv, gatherv, load-balancing, decomposition
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int rank, size;
    const int n = 103; /* deliberately not divisible by the process count */
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Every rank computes the same counts/displacements: the first n % size ranks get one extra. */
    int *counts = malloc(size * sizeof(int));
    int *displs = malloc(size * sizeof(int));
    for (int r = 0, off = 0; r < size; ++r) {
        counts[r] = n / size + (r < n % size ? 1 : 0);
        displs[r] = off;
        off += counts[r];
    }

    int *data = NULL;
    if (rank == 0) {
        data = malloc(n * sizeof(int));
        for (int i = 0; i < n; ++i) data[i] = i;
    }
    int *mine = malloc(counts[rank] * sizeof(int));
    MPI_Scatterv(data, counts, displs, MPI_INT, mine, counts[rank], MPI_INT, 0, MPI_COMM_WORLD);
    for (int i = 0; i < counts[rank]; ++i) mine[i] *= 2;
    MPI_Gatherv(mine, counts[rank], MPI_INT, data, counts, displs, MPI_INT, 0, MPI_COMM_WORLD);

    if (rank == 0) {
        printf("data[%d] = %d\n", n - 1, data[n - 1]);
        free(data);
    }
    free(mine);
    free(counts);
    free(displs);
    MPI_Finalize();
    return 0;
}
