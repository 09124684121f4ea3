/*
 * title: Node-local shared memory with MPI_Comm_split_type and MPI_Win_allocate_shared
 * tags: mpi, one-sided, shared-memory, comm-split-type, win-allocate-shared, win-shared-query
 */
#include <mpi.h>
#include <stdio.h>

#define N 16

int main(int argc, char **argv)
{
    int nrank, nsize;
    MPI_Comm node;
    MPI_Win win;
    double *mine;

    MPI_Init(&argc, &argv);
    /* One communicator per shared-memory node. */
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &nrank);
    MPI_Comm_size(node, &nsize);

    MPI_Win_allocate_shared(N * sizeof(double), sizeof(double), MPI_INFO_NULL, node, &mine, &win);

    MPI_Win_lock_all(0, win);
    for (int i = 0; i < N; ++i) mine[i] = nrank;
    MPI_Win_sync(win);        /* make my stores visible ... */
    MPI_Barrier(node);        /* ... before the others read them */
    MPI_Win_sync(win);

    /* Read the next process's segment directly with loads. */
    int peer = (nrank + 1) % nsize;
    MPI_Aint peer_size;
    int peer_disp;
    double *peer_base;
    MPI_Win_shared_query(win, peer, &peer_size, &peer_disp, &peer_base);
    printf("node rank %d sees %g in rank %d's segment\n", nrank, peer_base[0], peer);
    MPI_Win_unlock_all(win);

    MPI_Win_free(&win);
    MPI_Comm_free(&node);
    MPI_Finalize();
    return 0;
}
