/*
 * title: Master/worker task farm with MPI_ANY_SOURCE and tags
 * tags: mpi, master-worker, any-source, status, load-balancing
 */
#include <mpi.h>
#include <stdio.h>

#define NTASKS 40
#define TAG_WORK 1
#define TAG_STOP 2

static double work(int task) /* stand-in for an expensive computation */
{
    double s = 0.0;
    for (int i = 1; i <= 1000 * (task + 1); ++i) s += 1.0 / i;
    return s;
}

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    if (rank == 0) {
        int next = 0, active = 0;
        double total = 0.0, result;
        MPI_Status st;
        /* Prime every worker with one task (or stop it if there is nothing to do). */
        for (int w = 1; w < size; ++w) {
            if (next < NTASKS) {
                MPI_Send(&next, 1, MPI_INT, w, TAG_WORK, MPI_COMM_WORLD);
                ++next;
                ++active;
            } else {
                MPI_Send(&next, 1, MPI_INT, w, TAG_STOP, MPI_COMM_WORLD);
            }
        }
        /* Hand out the rest to whichever worker answers first. */
        while (active > 0) {
            MPI_Recv(&result, 1, MPI_DOUBLE, MPI_ANY_SOURCE, TAG_WORK, MPI_COMM_WORLD, &st);
            total += result;
            int worker = st.MPI_SOURCE; /* the real sender, needed to reply */
            if (next < NTASKS) {
                MPI_Send(&next, 1, MPI_INT, worker, TAG_WORK, MPI_COMM_WORLD);
                ++next;
            } else {
                MPI_Send(&next, 1, MPI_INT, worker, TAG_STOP, MPI_COMM_WORLD);
                --active;
            }
        }
        printf("total = %f\n", total);
    } else {
        int task;
        MPI_Status st;
        for (;;) {
            MPI_Recv(&task, 1, MPI_INT, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
            if (st.MPI_TAG == TAG_STOP) break;
            double r = work(task);
            MPI_Send(&r, 1, MPI_DOUBLE, 0, TAG_WORK, MPI_COMM_WORLD);
        }
    }
    MPI_Finalize();
    return 0;
}
