/*
 * title: Time a phase with MPI_Wtime and report the slowest rank
 * tags: mpi, wtime, wtick, timing, barrier, reduce, benchmark
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int rank;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    /* Line everybody up first so the measurement starts together. */
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();

    volatile double s = 0.0;
    for (long i = 0; i < 5000000L * (rank + 1); ++i) s = s + 1e-9;

    double elapsed = MPI_Wtime() - t0; /* only differences on one rank are meaningful */
    double slowest = 0.0, fastest = 0.0;
    MPI_Reduce(&elapsed, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    MPI_Reduce(&elapsed, &fastest, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
    if (rank == 0)
        printf("phase took %.4f s on the slowest rank, %.4f s on the fastest (tick %.1e s)\n", slowest, fastest,
               MPI_Wtick());
    MPI_Finalize();
    return 0;
}
