/*
 * title: Report which node every rank runs on with MPI_Get_processor_name and MPI_Gather
 * tags: mpi, processor-name, gather, placement, environment
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int rank, size, len, version, subversion;
    char name[MPI_MAX_PROCESSOR_NAME];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(name, &len);
    MPI_Get_version(&version, &subversion);

    /* Fixed-size records make the gather a single call. */
    char *all = NULL;
    if (rank == 0) all = malloc((size_t)size * MPI_MAX_PROCESSOR_NAME);
    MPI_Gather(name, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, all, MPI_MAX_PROCESSOR_NAME, MPI_CHAR, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("MPI %d.%d\n", version, subversion);
        for (int r = 0; r < size; ++r) printf("rank %d on %s\n", r, all + (size_t)r * MPI_MAX_PROCESSOR_NAME);
        free(all);
    }
    MPI_Finalize();
    return 0;
}
