/*
 * title: One-sided MPI_Put into a neighbour's window between two fences
 * tags: mpi, one-sided, rma, win-create, put, fence
 */
#include <mpi.h>
#include <stdio.h>

#define N 8

int main(int argc, char **argv)
{
    int rank, size;
    double local[N], inbox[N];
    MPI_Win win;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int i = 0; i < N; ++i) {
        local[i] = rank + 0.01 * i;
        inbox[i] = -1.0;
    }

    /* Expose inbox; displacements are counted in doubles thanks to disp_unit. */
    MPI_Win_create(inbox, N * sizeof(double), sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD, &win);

    int right = (rank + 1) % size;
    MPI_Win_fence(MPI_MODE_NOPRECEDE, win);          /* open the access/exposure epoch */
    MPI_Put(local, N, MPI_DOUBLE, right, 0, N, MPI_DOUBLE, win);
    MPI_Win_fence(MPI_MODE_NOSUCCEED, win);          /* all puts are complete everywhere */

    /* Only now is it safe to read what the left neighbour wrote. */
    printf("rank %d received %g from its left neighbour\n", rank, inbox[0]);

    MPI_Win_free(&win);
    MPI_Finalize();
    return 0;
}
