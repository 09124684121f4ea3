! title: Describe a Fortran derived type with MPI_Type_create_struct and MPI_Get_address (use mpi)
! tags: mpi, fortran, mpi-module, derived-datatype, type-create-struct, get-address, type-create-resized
program type_struct
  use mpi
  implicit none
  type :: particle
    sequence
    double precision :: pos(3)
    double precision :: mass
    integer :: id
  end type particle
  integer, parameter :: np = 6
  type(particle) :: p(np)
  integer :: rank, ierr, i, tmp_t, particle_t
  integer :: blocklens(3), types(3)
  integer(kind=MPI_ADDRESS_KIND) :: displs(3), base, addr1, addr2, extent

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)

  ! Offsets measured from real addresses include any padding the compiler added.
  call MPI_Get_address(p(1), base, ierr)
  call MPI_Get_address(p(1)%pos, displs(1), ierr)
  call MPI_Get_address(p(1)%mass, displs(2), ierr)
  call MPI_Get_address(p(1)%id, displs(3), ierr)
  displs = displs - base
  blocklens = [3, 1, 1]
  types = [MPI_DOUBLE_PRECISION, MPI_DOUBLE_PRECISION, MPI_INTEGER]
  call MPI_Type_create_struct(3, blocklens, displs, types, tmp_t, ierr)

  ! The extent must be the distance between consecutive array elements.
  call MPI_Get_address(p(1), addr1, ierr)
  call MPI_Get_address(p(2), addr2, ierr)
  extent = addr2 - addr1
  call MPI_Type_create_resized(tmp_t, 0_MPI_ADDRESS_KIND, extent, particle_t, ierr)
  call MPI_Type_commit(particle_t, ierr)
  call MPI_Type_free(tmp_t, ierr)

  if (rank == 0) then
    do i = 1, np
      p(i) = particle([dble(i), 0.0d0, 0.0d0], 1.0d0 * i, i)
    end do
  end if
  call MPI_Bcast(p, np, particle_t, 0, MPI_COMM_WORLD, ierr)
  print '(a,i0,a,i0,f6.1)', 'rank ', rank, ': last particle ', p(np)%id, p(np)%mass

  call MPI_Type_free(particle_t, ierr)
  call MPI_Finalize(ierr)
end program type_struct
