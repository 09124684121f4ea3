/*
 * title: Irregular neighbour exchange with MPI_Dist_graph_create_adjacent
 * tags: mpi, topology, dist-graph, neighborhood-collective, neighbor-allgather
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Comm graph;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Each rank talks to the ranks 1 and 2 ahead of it (mod size) and hears from those behind.
       Both lists must be consistent across ranks. */
    int outdeg = size > 1 ? 2 : 0, indeg = outdeg;
    int dests[2] = {(rank + 1) % size, (rank + 2) % size};
    int srcs[2] = {(rank - 1 + size) % size, (rank - 2 + 2 * size) % size};
    MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, indeg, srcs, MPI_UNWEIGHTED, outdeg, dests, MPI_UNWEIGHTED,
                                   MPI_INFO_NULL, 0, &graph);

    int mine = 10 * rank, theirs[2] = {-1, -1};
    MPI_Neighbor_allgather(&mine, 1, MPI_INT, theirs, 1, MPI_INT, graph);
    printf("rank %d heard %d and %d\n", rank, theirs[0], theirs[1]);

    MPI_Comm_free(&graph);
    MPI_Finalize();
    return 0;
}
