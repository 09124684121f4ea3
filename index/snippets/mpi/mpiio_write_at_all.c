/*
 * title: Collective MPI-IO write of per-rank blocks at offsets from MPI_Exscan
 * tags: mpi, mpi-io, file-open, write-at-all, exscan, collective-io
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int rank;
    MPI_File fh;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    int n = 1000 + 10 * rank; /* each rank writes a different amount */
    double *data = malloc(n * sizeof(double));
    for (int i = 0; i < n; ++i) data[i] = rank;

    /* Exclusive prefix sum of the counts gives each rank its starting element. */
    long long mycount = n, start = 0;
    MPI_Exscan(&mycount, &start, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) start = 0; /* MPI_Exscan leaves rank 0's result undefined */

    int rc = MPI_File_open(MPI_COMM_WORLD, "blocks.dat", MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
    if (rc != MPI_SUCCESS) { /* file errors return codes by default instead of aborting */
        fprintf(stderr, "rank %d: cannot open blocks.dat\n", rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    /* Default view: offsets are in bytes. All ranks take part so MPI can aggregate the writes. */
    MPI_Offset offset = (MPI_Offset)start * (MPI_Offset)sizeof(double);
    MPI_File_write_at_all(fh, offset, data, n, MPI_DOUBLE, MPI_STATUS_IGNORE);
    MPI_File_close(&fh);

    free(data);
    MPI_Finalize();
    return 0;
}
