! title: Global maximum and its owner with MPI_MAXLOC on MPI_2DOUBLE_PRECISION (mpi_f08)
! tags: mpi, fortran, mpi-f08, collective, allreduce, maxloc
program maxloc_demo
  use mpi_f08
  implicit none
  double precision :: pair_in(2), pair_out(2)
  integer :: rank

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)

  ! Fortran MAXLOC pairs store the value and the index in the same type.
  pair_in(1) = mod(rank, 3) * 1.5d0 + rank * 0.1d0
  pair_in(2) = dble(rank)
  call MPI_Allreduce(pair_in, pair_out, 1, MPI_2DOUBLE_PRECISION, MPI_MAXLOC, MPI_COMM_WORLD)
  if (rank == 0) print '(a,f8.3,a,i0)', 'max ', pair_out(1), ' on rank ', nint(pair_out(2))
  call MPI_Finalize()
end program maxloc_demo
