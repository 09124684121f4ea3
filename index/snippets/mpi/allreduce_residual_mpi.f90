! title: Global residual norm with MPI_Allreduce and MPI_IN_PLACE (use mpi)
! tags: mpi, fortran, mpi-module, collective, allreduce, in-place, convergence
program allreduce_residual
  use mpi
  implicit none
  integer, parameter :: n = 500
  double precision :: r(n), sums(2)
  integer :: rank, ierr, i

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  do i = 1, n
    r(i) = 1.0d0 / dble(rank * n + i)
  end do

  sums(1) = sum(r * r)
  sums(2) = maxval(abs(r))
  ! Sum of squares and max need different ops: two reductions, both in place.
  call MPI_Allreduce(MPI_IN_PLACE, sums(1), 1, MPI_DOUBLE_PRECISION, MPI_SUM, MPI_COMM_WORLD, ierr)
  call MPI_Allreduce(MPI_IN_PLACE, sums(2), 1, MPI_DOUBLE_PRECISION, MPI_MAX, MPI_COMM_WORLD, ierr)

  ! Every rank has the same values, so all ranks take the same branch.
  if (sqrt(sums(1)) < 2.0d0 .and. rank == 0) then
    print '(a,es12.4,a,es12.4)', 'converged: norm ', sqrt(sums(1)), ' max ', sums(2)
  end if
  call MPI_Finalize(ierr)
end program allreduce_residual
