/*
 * title: Pack mixed data into one message with MPI_Pack and MPI_Unpack
 * tags: mpi, pack, unpack, pack-size, packed
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    char buffer[256];
    int nsize, dsize;
    MPI_Pack_size(1, MPI_INT, MPI_COMM_WORLD, &nsize);
    MPI_Pack_size(3, MPI_DOUBLE, MPI_COMM_WORLD, &dsize);
    int capacity = nsize + dsize; /* upper bound for what we pack below */

    if (size >= 2 && capacity <= (int)sizeof buffer) {
        if (rank == 0) {
            int n = 3, pos = 0;
            double v[3] = {1.0, 2.0, 3.0};
            MPI_Pack(&n, 1, MPI_INT, buffer, capacity, &pos, MPI_COMM_WORLD);
            MPI_Pack(v, 3, MPI_DOUBLE, buffer, capacity, &pos, MPI_COMM_WORLD);
            MPI_Send(buffer, pos, MPI_PACKED, 1, 0, MPI_COMM_WORLD);
        } else if (rank == 1) {
            int n, pos = 0;
            double v[3];
            MPI_Recv(buffer, capacity, MPI_PACKED, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            /* Unpack in the order and with the types used for packing. */
            MPI_Unpack(buffer, capacity, &pos, &n, 1, MPI_INT, MPI_COMM_WORLD);
            MPI_Unpack(buffer, capacity, &pos, v, n, MPI_DOUBLE, MPI_COMM_WORLD);
            printf("unpacked %d values, last %g\n", n, v[2]);
        }
    }
    MPI_Finalize();
    return 0;
}
