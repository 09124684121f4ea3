/*
 * title: Process messages in arrival order with MPI_Waitany
 * tags: mpi, nonblocking, irecv, waitany, request-null
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    if (rank == 0) {
        int nsrc = size - 1;
        double *vals = malloc((nsrc > 0 ? nsrc : 1) * sizeof(double));
        MPI_Request *reqs = malloc((nsrc > 0 ? nsrc : 1) * sizeof(MPI_Request));
        for (int k = 0; k < nsrc; ++k)
            MPI_Irecv(&vals[k], 1, MPI_DOUBLE, k + 1, 0, MPI_COMM_WORLD, &reqs[k]);
        for (int done = 0; done < nsrc; ++done) {
            int idx;
            /* Completed entries become MPI_REQUEST_NULL and are skipped by later calls. */
            MPI_Waitany(nsrc, reqs, &idx, MPI_STATUS_IGNORE);
            printf("value %g from rank %d\n", vals[idx], idx + 1);
        }
        free(vals);
        free(reqs);
    } else {
        double v = rank * 1.5;
        MPI_Send(&v, 1, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD);
    }
    MPI_Finalize();
    return 0;
}
