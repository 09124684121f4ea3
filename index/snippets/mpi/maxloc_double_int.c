/*
 * title: Find the global maximum and the rank holding it with MPI_MAXLOC
 * tags: mpi, collective, allreduce, maxloc, double-int
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int rank;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    /* MPI_DOUBLE_INT describes exactly this layout: the value first, the index second. */
    struct {
        double value;
        int index;
    } in, out;
    in.value = (rank % 3) * 1.5 + rank * 0.1;
    in.index = rank;

    MPI_Allreduce(&in, &out, 1, MPI_DOUBLE_INT, MPI_MAXLOC, MPI_COMM_WORLD);
    if (rank == 0) printf("max %g found on rank %d\n", out.value, out.index);

    MPI_Finalize();
    return 0;
}
