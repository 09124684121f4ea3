/*
 * title: Hybrid MPI+OpenMP with MPI_Init_thread(MPI_THREAD_FUNNELED)
 * tags: mpi, hybrid, openmp, init-thread, thread-funneled, allreduce
 */
#include <mpi.h>
#include <stdio.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define N 1000000

static double x[N];

int main(int argc, char **argv)
{
    int provided, rank;
    /* FUNNELED: threads exist, but only the main thread makes MPI calls. */
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    if (provided < MPI_THREAD_FUNNELED) {
        fprintf(stderr, "MPI library lacks the thread support level needed\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);

    double local = 0.0;
#pragma omp parallel for reduction(+ : local)
    for (int i = 0; i < N; ++i) {
        x[i] = 1.0 / (1.0 + i + rank);
        local += x[i];
    }

    /* Outside the parallel region: the main thread communicates. */
    double total = 0.0;
    MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);

    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    if (rank == 0) printf("total %f using %d threads per rank\n", total, threads);
    MPI_Finalize();
    return 0;
}
