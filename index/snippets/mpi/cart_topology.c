/*
 * title: Build a periodic 2-D process grid and row/column communicators
 * tags: mpi, cartesian, dims-create, cart-coords, cart-sub, topology
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int size, rank, dims[2] = {0, 0}, periods[2] = {1, 1}, coords[2];
    MPI_Comm grid, row, col;

    MPI_Init(&argc, &argv);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Dims_create(size, 2, dims); /* e.g. 6 processes -> 3 x 2 */
    MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 1, &grid);
    MPI_Comm_rank(grid, &rank);
    MPI_Cart_coords(grid, rank, 2, coords);

    /* Keep dimension 1 for rows, dimension 0 for columns. */
    int keep_row[2] = {0, 1}, keep_col[2] = {1, 0};
    MPI_Cart_sub(grid, keep_row, &row);
    MPI_Cart_sub(grid, keep_col, &col);

    /* Sum of ranks along my row, e.g. a partial matrix-vector product. */
    int rowsum = 0;
    MPI_Allreduce(&rank, &rowsum, 1, MPI_INT, MPI_SUM, row);

    int north, south;
    MPI_Cart_shift(grid, 0, 1, &north, &south); /* periodic: never MPI_PROC_NULL */
    printf("rank %d (%d,%d): row sum %d, north %d, south %d\n", rank, coords[0], coords[1], rowsum, north, south);

    MPI_Comm_free(&row);
    MPI_Comm_free(&col);
    MPI_Comm_free(&grid);
    MPI_Finalize();
    return 0;
}
