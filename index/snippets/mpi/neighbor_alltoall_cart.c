/*
 * title: Halo exchange in one call with MPI_Neighbor_alltoall on a Cartesian grid
 * tags: mpi, neighborhood-collective, neighbor-alltoall, cartesian, halo
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int size, rank, dims[2] = {0, 0}, periods[2] = {1, 0};
    MPI_Comm cart;
    MPI_Init(&argc, &argv);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Dims_create(size, 2, dims);
    MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 1, &cart);
    MPI_Comm_rank(cart, &rank);

    /* Neighbour order for a 2-D grid: dim 0 (-1, +1), then dim 1 (-1, +1). */
    double send[4], recv[4] = {-1, -1, -1, -1};
    for (int k = 0; k < 4; ++k) send[k] = rank + 0.1 * k;

    MPI_Neighbor_alltoall(send, 1, MPI_DOUBLE, recv, 1, MPI_DOUBLE, cart);

    /* Missing neighbours on the non-periodic dimension are MPI_PROC_NULL: recv keeps -1 there. */
    printf("rank %d: from dim0 %g %g, dim1 %g %g\n", rank, recv[0], recv[1], recv[2], recv[3]);
    MPI_Comm_free(&cart);
    MPI_Finalize();
    return 0;
}
