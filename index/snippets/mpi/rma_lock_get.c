/*
 * title: Passive-target MPI_Get under MPI_Win_lock from a window made by MPI_Win_allocate
 * tags: mpi, one-sided, rma, win-allocate, get, lock, passive-target
 */
#include <mpi.h>
#include <stdio.h>

#define N 4

int main(int argc, char **argv)
{
    int rank, size;
    double *base;
    double fetched[N];
    MPI_Win win;

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* MPI allocates the memory (baseptr is the address of a pointer). */
    MPI_Win_allocate(N * sizeof(double), sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD, &base, &win);

    /* Initialise my own window memory inside an exclusive lock on myself. */
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win);
    for (int i = 0; i < N; ++i) base[i] = 100.0 * rank + i;
    MPI_Win_unlock(rank, win);
    MPI_Barrier(MPI_COMM_WORLD); /* everyone's data is in place before anyone reads */

    int target = (rank + size - 1) % size;
    MPI_Win_lock(MPI_LOCK_SHARED, target, 0, win);
    MPI_Get(fetched, N, MPI_DOUBLE, target, 0, N, MPI_DOUBLE, win);
    MPI_Win_unlock(target, win); /* the get is complete only after unlock */

    printf("rank %d read %g..%g from rank %d\n", rank, fetched[0], fetched[N - 1], target);
    MPI_Win_free(&win); /* also frees the memory from MPI_Win_allocate */
    MPI_Finalize();
    return 0;
}
