/*
 * title: Split MPI_COMM_WORLD into groups by color and reduce within each group
 * tags: mpi, communicator, comm-split, color, comm-free
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int wrank, wsize;
    MPI_Comm sub;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &wrank);
    MPI_Comm_size(MPI_COMM_WORLD, &wsize);

    /* Even and odd world ranks form two communicators; key keeps the world order. */
    int color = wrank % 2;
    MPI_Comm_split(MPI_COMM_WORLD, color, wrank, &sub);

    int srank, ssize, sum = 0;
    MPI_Comm_rank(sub, &srank);
    MPI_Comm_size(sub, &ssize);
    MPI_Allreduce(&wrank, &sum, 1, MPI_INT, MPI_SUM, sub);
    printf("world %d/%d -> group %d rank %d/%d, sum of world ranks in group %d\n", wrank, wsize, color, srank,
           ssize, sum);

    MPI_Comm_free(&sub);
    MPI_Finalize();
    return 0;
}
