/*
 * title: Send one column of a row-major matrix with MPI_Type_vector
 * tags: mpi, derived-datatype, type-vector, type-commit, matrix-column
 */
#include <mpi.h>
#include <stdio.h>

#define ROWS 4
#define COLS 6

int main(int argc, char **argv)
{
    int rank, size;
    double a[ROWS][COLS];
    double col[ROWS];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* ROWS blocks of one double, COLS doubles apart: one column of a. */
    MPI_Datatype column;
    MPI_Type_vector(ROWS, 1, COLS, MPI_DOUBLE, &column);
    MPI_Type_commit(&column);

    if (size >= 2) {
        if (rank == 0) {
            for (int i = 0; i < ROWS; ++i)
                for (int j = 0; j < COLS; ++j) a[i][j] = 10 * i + j;
            /* Column 2 goes out without any manual copying. */
            MPI_Send(&a[0][2], 1, column, 1, 0, MPI_COMM_WORLD);
        } else if (rank == 1) {
            /* The receiver may use a different but matching type signature: ROWS doubles. */
            MPI_Recv(col, ROWS, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            printf("column: %g %g %g %g\n", col[0], col[1], col[2], col[3]);
        }
    }
    MPI_Type_free(&column);
    MPI_Finalize();
    return 0;
}
