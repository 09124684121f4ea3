/*
 * title: Check MPI return codes with MPI_ERRORS_RETURN and MPI_Error_string
 * tags: mpi, error-handling, errhandler, errors-return, error-string
 */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int rank, size;
    MPI_Init(&argc, &argv);
    /* Without this, any failure aborts the job before a return code can be checked. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    int value = 42;
    /* Deliberately invalid destination rank. */
    int rc = MPI_Send(&value, 1, MPI_INT, size + 5, 0, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) {
        char msg[MPI_MAX_ERROR_STRING];
        int len, cls;
        MPI_Error_class(rc, &cls);
        MPI_Error_string(rc, msg, &len);
        printf("rank %d: send failed (class %d): %s\n", rank, cls, msg);
    }
    MPI_Finalize();
    return 0;
}
