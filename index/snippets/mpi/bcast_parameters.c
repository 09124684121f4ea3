/*
 * title: Read parameters on rank 0 and broadcast them to all ranks
 * tags: mpi, collective, bcast, setup
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int rank;
    int ints[2] = {0, 0};       /* grid size, number of steps */
    double reals[2] = {0, 0};   /* time step, diffusion coefficient */

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    if (rank == 0) {
        /* In a real code these come from an input file read by one process only. */
        ints[0] = 256;
        ints[1] = 1000;
        reals[0] = 1.0e-3;
        reals[1] = 0.25;
    }
    /* Every rank calls MPI_Bcast with the same root; non-roots receive. */
    MPI_Bcast(ints, 2, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Bcast(reals, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);

    printf("rank %d: n=%d steps=%d dt=%g k=%g\n", rank, ints[0], ints[1], reals[0], reals[1]);
    MPI_Finalize();
    return 0;
}
