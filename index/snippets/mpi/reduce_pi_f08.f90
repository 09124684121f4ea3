! title: Compute pi by midpoint integration and MPI_Reduce (mpi_f08)
! tags: mpi, fortran, mpi-f08, collective, reduce, sum, numerical-integration
program reduce_pi
  use mpi_f08
  implicit none
  integer(kind=8), parameter :: n = 10000000_8
  integer(kind=8) :: i
  integer :: rank, nprocs
  double precision :: h, x, local, pi

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)

  h = 1.0d0 / dble(n)
  local = 0.0d0
  do i = rank, n - 1, nprocs
    x = h * (dble(i) + 0.5d0)
    local = local + 4.0d0 / (1.0d0 + x * x)
  end do
  local = local * h

  ! The result is defined only on the root.
  call MPI_Reduce(local, pi, 1, MPI_DOUBLE_PRECISION, MPI_SUM, 0, MPI_COMM_WORLD)
  if (rank == 0) print '(a,f16.12)', 'pi ~ ', pi
  call MPI_Finalize()
end program reduce_pi
