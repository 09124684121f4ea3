/*
 * title: 2-D halo exchange on a Cartesian grid with a column datatype
 * tags: mpi, halo, cartesian, cart-shift, type-vector, sendrecv, stencil
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define NX 64 /* local interior rows */
#define NY 64 /* local interior columns */
#define IDX(i, j) ((i) * (NY + 2) + (j))

int main(int argc, char **argv)
{
    int size, rank, dims[2] = {0, 0}, periods[2] = {0, 0}, coords[2];
    int up, down, left, right;
    MPI_Comm cart;

    MPI_Init(&argc, &argv);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Dims_create(size, 2, dims);
    MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 1, &cart);
    MPI_Comm_rank(cart, &rank); /* may differ from the world rank after reordering */
    MPI_Cart_coords(cart, rank, 2, coords);
    MPI_Cart_shift(cart, 0, 1, &up, &down);
    MPI_Cart_shift(cart, 1, 1, &left, &right);

    double *a = calloc((NX + 2) * (NY + 2), sizeof(double));
    for (int i = 1; i <= NX; ++i)
        for (int j = 1; j <= NY; ++j)
            a[IDX(i, j)] = coords[0] * 100 + coords[1];

    /* A column of the row-major local array: NX blocks of 1 element, NY + 2 apart. */
    MPI_Datatype column;
    MPI_Type_vector(NX, 1, NY + 2, MPI_DOUBLE, &column);
    MPI_Type_commit(&column);

    /* Rows are contiguous; columns use the vector type. */
    MPI_Sendrecv(&a[IDX(1, 1)], NY, MPI_DOUBLE, up, 0,
                 &a[IDX(NX + 1, 1)], NY, MPI_DOUBLE, down, 0, cart, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&a[IDX(NX, 1)], NY, MPI_DOUBLE, down, 1,
                 &a[IDX(0, 1)], NY, MPI_DOUBLE, up, 1, cart, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&a[IDX(1, 1)], 1, column, left, 2,
                 &a[IDX(1, NY + 1)], 1, column, right, 2, cart, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&a[IDX(1, NY)], 1, column, right, 3,
                 &a[IDX(1, 0)], 1, column, left, 3, cart, MPI_STATUS_IGNORE);

    printf("rank %d at (%d,%d): left ghost %g, top ghost %g\n", rank, coords[0], coords[1],
           a[IDX(1, 0)], a[IDX(0, 1)]);

    MPI_Type_free(&column);
    MPI_Comm_free(&cart);
    free(a);
    MPI_Finalize();
    return 0;
}
