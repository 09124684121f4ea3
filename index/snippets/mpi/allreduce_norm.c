/*
 * title: Global vector norm and convergence test with MPI_Allreduce in place
 * tags: mpi, collective, allreduce, in-place, convergence
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>

#define NLOC 1000

int main(int argc, char **argv)
{
    int rank;
    double x[NLOC];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    for (int i = 0; i < NLOC; ++i) x[i] = 1.0 / (rank * NLOC + i + 1);

    /* Sum of squares and maximum in one pass; both reductions happen on every rank. */
    double sums[2] = {0.0, 0.0};
    for (int i = 0; i < NLOC; ++i) sums[0] += x[i] * x[i];
    double maxabs = 0.0;
    for (int i = 0; i < NLOC; ++i) maxabs = fmax(maxabs, fabs(x[i]));
    sums[1] = (double)NLOC;

    /* MPI_IN_PLACE: the input is taken from, and the result written to, the same buffer. */
    MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &maxabs, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);

    double norm = sqrt(sums[0]);
    int converged = norm < 2.0; /* identical on every rank, so all take the same branch */
    if (rank == 0) printf("||x|| = %g over %g entries, max %g, converged=%d\n", norm, sums[1], maxabs, converged);
    MPI_Finalize();
    return 0;
}
