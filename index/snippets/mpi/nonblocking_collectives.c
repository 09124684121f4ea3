/*
 * title: Overlap an MPI_Iallreduce with independent work
 * tags: mpi, nonblocking, collective, iallreduce, ibcast, overlap, wait
 */
#include <mpi.h>
#include <stdio.h>

#define N 4096

int main(int argc, char **argv)
{
    int rank;
    static double partial[N], global[N], other[N];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    double scale = 0.0;
    if (rank == 0) scale = 2.5;
    for (int i = 0; i < N; ++i) partial[i] = rank + i * 1e-3;

    MPI_Request reqs[2];
    MPI_Ibcast(&scale, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD, &reqs[0]);
    MPI_Iallreduce(partial, global, N, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &reqs[1]);

    /* Work that touches neither scale, partial nor global may run meanwhile. */
    for (int i = 0; i < N; ++i) other[i] = (double)i * i;

    MPI_Waitall(2, reqs, MPI_STATUSES_IGNORE);
    for (int i = 0; i < N; ++i) global[i] *= scale;
    if (rank == 0) printf("global[1] = %g, other[N-1] = %g\n", global[1], other[N - 1]);
    MPI_Finalize();
    return 0;
}
