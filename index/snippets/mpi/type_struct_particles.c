/*
 * title: Send an array of C structs with MPI_Type_create_struct and offsetof
 * tags: mpi, derived-datatype, type-create-struct, type-create-resized, offsetof
 */
#include <mpi.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
    double pos[3];
    double mass;
    int id;
    char kind;
} Particle;

#define NP 8

int main(int argc, char **argv)
{
    int rank, size;
    Particle p[NP];
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    /* Offsets from offsetof include whatever padding the compiler inserted. */
    int blocklens[4] = {3, 1, 1, 1};
    MPI_Aint displs[4] = {offsetof(Particle, pos), offsetof(Particle, mass), offsetof(Particle, id),
                          offsetof(Particle, kind)};
    MPI_Datatype types[4] = {MPI_DOUBLE, MPI_DOUBLE, MPI_INT, MPI_CHAR};
    MPI_Datatype tmp, particle_type;
    MPI_Type_create_struct(4, blocklens, displs, types, &tmp);
    /* Force the extent to sizeof(Particle) so arrays of particles step correctly. */
    MPI_Type_create_resized(tmp, 0, sizeof(Particle), &particle_type);
    MPI_Type_commit(&particle_type);
    MPI_Type_free(&tmp);

    if (rank == 0) {
        for (int i = 0; i < NP; ++i) {
            p[i].pos[0] = p[i].pos[1] = p[i].pos[2] = i;
            p[i].mass = 1.0 + i;
            p[i].id = i;
            p[i].kind = 'a' + (char)i;
        }
    }
    MPI_Bcast(p, NP, particle_type, 0, MPI_COMM_WORLD);
    printf("rank %d of %d: particle 7 id=%d kind=%c mass=%g\n", rank, size, p[7].id, p[7].kind, p[7].mass);

    MPI_Type_free(&particle_type);
    MPI_Finalize();
    return 0;
}
