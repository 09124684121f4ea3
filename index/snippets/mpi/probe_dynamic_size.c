/*
 * title: Receive a message of unknown length with MPI_Probe and MPI_Get_count
 * tags: mpi, point-to-point, probe, get-count, dynamic-size, any-source
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

    if (rank != 0) {
        int n = 10 * rank; /* the receiver does not know this length */
        double *v = malloc(n * sizeof(double));
        for (int i = 0; i < n; ++i) v[i] = rank;
        MPI_Send(v, n, MPI_DOUBLE, 0, 7, MPI_COMM_WORLD);
        free(v);
    } else {
        for (int k = 1; k < size; ++k) {
            MPI_Status st;
            int n;
            MPI_Probe(MPI_ANY_SOURCE, 7, MPI_COMM_WORLD, &st);
            MPI_Get_count(&st, MPI_DOUBLE, &n);
            double *v = malloc(n * sizeof(double));
            /* Receive from the probed source explicitly so the same message is matched. */
            MPI_Recv(v, n, MPI_DOUBLE, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            printf("got %d values from rank %d\n", n, st.MPI_SOURCE);
            free(v);
        }
    }
    MPI_Finalize();
    return 0;
}
