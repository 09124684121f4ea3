/*
 * title: Threads receiving concurrently with MPI_THREAD_MULTIPLE and matched probes
 * tags: mpi, hybrid, openmp, init-thread, thread-multiple, mprobe, mrecv
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (provided < MPI_THREAD_MULTIPLE) {
        if (rank == 0) printf("MPI_THREAD_MULTIPLE not available (got %d)\n", provided);
        MPI_Finalize();
        return 0;
    }

    if (rank == 0) {
        /* Several threads receive at once: a plain Probe+Recv could let two threads race
           for the same message, so each thread claims its message with MPI_Mprobe. */
        int expected = size - 1, received = 0;
#pragma omp parallel reduction(+ : received)
        {
#pragma omp for
            for (int k = 0; k < expected; ++k) {
                MPI_Message msg;
                MPI_Status st;
                int count;
                MPI_Mprobe(MPI_ANY_SOURCE, 0, MPI_COMM_WORLD, &msg, &st);
                MPI_Get_count(&st, MPI_INT, &count);
                int *buf = malloc(count * sizeof(int));
                MPI_Mrecv(buf, count, MPI_INT, &msg, MPI_STATUS_IGNORE);
                received += count;
                free(buf);
            }
        }
        printf("rank 0 received %d integers\n", received);
    } else {
        int data[16];
        for (int i = 0; i < rank % 16 + 1; ++i) data[i] = rank;
        MPI_Send(data, rank % 16 + 1, MPI_INT, 0, 0, MPI_COMM_WORLD);
    }
    MPI_Finalize();
    return 0;
}
