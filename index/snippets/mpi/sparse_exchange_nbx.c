/*
 * title: Sparse data exchange with unknown senders (Issend + Ibarrier, "NBX")
 * tags: mpi, nonblocking, issend, ibarrier, iprobe, sparse-exchange
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Each rank sends to one target; receivers do not know who will write to them. */
    int target = (rank * 3 + 1) % size;
    int payload = rank;
    MPI_Request sreq, breq = MPI_REQUEST_NULL;
    /* Synchronous mode: completion means the message has been matched by a receive. */
    MPI_Issend(&payload, 1, MPI_INT, target, 5, MPI_COMM_WORLD, &sreq);

    int barrier_started = 0, finished = 0, received = 0;
    while (!finished) {
        int flag;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, 5, MPI_COMM_WORLD, &flag, &st);
        if (flag) {
            int v;
            MPI_Recv(&v, 1, MPI_INT, st.MPI_SOURCE, 5, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            ++received;
        }
        if (!barrier_started) {
            int sent;
            MPI_Test(&sreq, &sent, MPI_STATUS_IGNORE);
            if (sent) { /* my message is delivered: join the termination barrier */
                MPI_Ibarrier(MPI_COMM_WORLD, &breq);
                barrier_started = 1;
            }
        } else {
            MPI_Test(&breq, &finished, MPI_STATUS_IGNORE);
        }
    }
    printf("rank %d received %d message(s)\n", rank, received);
    MPI_Finalize();
    return 0;
}
