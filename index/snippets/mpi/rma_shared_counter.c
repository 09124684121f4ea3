/*
 * title: Dynamic work distribution with an atomic counter (MPI_Fetch_and_op under lock_all)
 * tags: mpi, one-sided, rma, fetch-and-op, lock-all, flush, load-balancing, lock
 */
#include <mpi.h>
#include <stdio.h>

#define NTASKS 100

int main(int argc, char **argv)
{
    int rank;
    long *counter = NULL;
    MPI_Win win;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    /* Rank 0 hosts the counter; the others expose zero bytes. */
    MPI_Aint bytes = rank == 0 ? (MPI_Aint)sizeof(long) : 0;
    MPI_Win_allocate(bytes, sizeof(long), MPI_INFO_NULL, MPI_COMM_WORLD, &counter, &win);
    if (rank == 0) *counter = 0;
    MPI_Barrier(MPI_COMM_WORLD);

    MPI_Win_lock_all(0, win);
    const long one = 1;
    long task, mine = 0;
    for (;;) {
        /* Atomically take the next task number: returns the old value, adds one. */
        MPI_Fetch_and_op(&one, &task, MPI_LONG, 0, 0, MPI_SUM, win);
        MPI_Win_flush(0, win); /* task is valid only after the flush */
        if (task >= NTASKS) break;
        ++mine;
    }
    MPI_Win_unlock_all(win);

    long total = 0;
    MPI_Reduce(&mine, &total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("%ld tasks processed in total\n", total);
    MPI_Win_free(&win);
    MPI_Finalize();
    return 0;
}
