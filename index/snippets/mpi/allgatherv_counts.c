/*
 * title: Share variable-length lists with MPI_Allgather of counts then MPI_Allgatherv
 * tags: mpi, collective, allgather, allgatherv, variable-length
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int mycount = rank + 1; /* each rank owns a different number of items */
    int *mine = malloc(mycount * sizeof(int));
    for (int i = 0; i < mycount; ++i) mine[i] = rank;

    /* Step 1: everybody learns everybody's count. */
    int *counts = malloc(size * sizeof(int));
    MPI_Allgather(&mycount, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);

    /* Step 2: displacements from the counts, then the variable-size exchange. */
    int *displs = malloc(size * sizeof(int));
    int total = 0;
    for (int r = 0; r < size; ++r) {
        displs[r] = total;
        total += counts[r];
    }
    int *all = malloc(total * sizeof(int));
    MPI_Allgatherv(mine, mycount, MPI_INT, all, counts, displs, MPI_INT, MPI_COMM_WORLD);

    if (rank == 0) printf("gathered %d items, last from rank %d\n", total, all[total - 1]);
    free(mine);
    free(counts);
    free(displs);
    free(all);
    MPI_Finalize();
    return 0;
}
