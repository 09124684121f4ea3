! title: Scatter an array, transform the pieces, gather them back (mpi_f08)
! tags: mpi, fortran, mpi-f08, collective, scatter, gather
program scatter_gather
  use mpi_f08
  implicit none
  integer, parameter :: per_rank = 4
  double precision, allocatable :: full(:)
  double precision :: part(per_rank)
  integer :: rank, nprocs, i

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)

  ! Only the root needs the full array, but every rank passes an allocated actual argument.
  if (rank == 0) then
    allocate(full(per_rank * nprocs))
    full = [(dble(i), i = 1, per_rank * nprocs)]
  else
    allocate(full(1))
  end if

  call MPI_Scatter(full, per_rank, MPI_DOUBLE_PRECISION, part, per_rank, MPI_DOUBLE_PRECISION, 0, MPI_COMM_WORLD)
  part = 2.0d0 * part
  call MPI_Gather(part, per_rank, MPI_DOUBLE_PRECISION, full, per_rank, MPI_DOUBLE_PRECISION, 0, MPI_COMM_WORLD)

  if (rank == 0) print '(a,f8.1)', 'last element: ', full(per_rank * nprocs)
  deallocate(full)
  call MPI_Finalize()
end program scatter_gather
