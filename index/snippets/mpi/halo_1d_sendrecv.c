/*
 * title: 1-D halo exchange with MPI_Sendrecv in a Jacobi sweep
 * tags: mpi, halo, sendrecv, proc-null, jacobi, stencil
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define NLOCAL 100
#define STEPS 50

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* u[0] and u[NLOCAL + 1] are ghost cells filled by the neighbours. */
    double *u = calloc(NLOCAL + 2, sizeof(double));
    double *unew = calloc(NLOCAL + 2, sizeof(double));
    if (rank == 0) u[0] = unew[0] = 1.0; /* fixed left boundary value */

    /* MPI_PROC_NULL at the ends turns the edge exchanges into no-ops. */
    int left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
    int right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;

    for (int step = 0; step < STEPS; ++step) {
        /* Send my first interior cell left, receive my right ghost from the right. */
        MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 0,
                     &u[NLOCAL + 1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        /* Send my last interior cell right, receive my left ghost from the left. */
        MPI_Sendrecv(&u[NLOCAL], 1, MPI_DOUBLE, right, 1,
                     &u[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        for (int i = 1; i <= NLOCAL; ++i)
            unew[i] = 0.5 * (u[i - 1] + u[i + 1]);
        double *tmp = u; u = unew; unew = tmp;
    }

    double local = 0.0, total = 0.0;
    for (int i = 1; i <= NLOCAL; ++i) local += u[i];
    MPI_Reduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("sum after %d steps: %f\n", STEPS, total);

    free(u);
    free(unew);
    MPI_Finalize();
    return 0;
}
