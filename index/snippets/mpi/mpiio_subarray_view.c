/*
 * title: Write a block-distributed 2-D array to one file with a subarray file view
 * tags: mpi, mpi-io, set-view, type-create-subarray, write-all, cartesian, collective-io
 */
#include <mpi.h>
#include <stdlib.h>

#define LNX 32
#define LNY 32

int main(int argc, char **argv)
{
    int size, rank, dims[2] = {0, 0}, periods[2] = {0, 0}, coords[2];
    MPI_Comm cart;
    MPI_File fh;
    MPI_Datatype filetype;

    MPI_Init(&argc, &argv);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Dims_create(size, 2, dims);
    MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &cart);
    MPI_Comm_rank(cart, &rank);
    MPI_Cart_coords(cart, rank, 2, coords);

    double *local = malloc(LNX * LNY * sizeof(double));
    for (int i = 0; i < LNX * LNY; ++i) local[i] = rank;

    /* My block inside the global (dims[0]*LNX) x (dims[1]*LNY) row-major array. */
    int gsizes[2] = {dims[0] * LNX, dims[1] * LNY};
    int lsizes[2] = {LNX, LNY};
    int starts[2] = {coords[0] * LNX, coords[1] * LNY};
    MPI_Type_create_subarray(2, gsizes, lsizes, starts, MPI_ORDER_C, MPI_DOUBLE, &filetype);
    MPI_Type_commit(&filetype);

    MPI_File_open(cart, "field.bin", MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
    /* After the view each rank sees only its block; the collective write assembles the file. */
    MPI_File_set_view(fh, 0, MPI_DOUBLE, filetype, "native", MPI_INFO_NULL);
    MPI_File_write_all(fh, local, LNX * LNY, MPI_DOUBLE, MPI_STATUS_IGNORE);
    MPI_File_close(&fh);

    MPI_Type_free(&filetype);
    MPI_Comm_free(&cart);
    free(local);
    MPI_Finalize();
    return 0;
}
