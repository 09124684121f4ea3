! title: Time a compute phase with MPI_Wtime and take the maximum over ranks (use mpi)
! tags: mpi, fortran, mpi-module, wtime, timing, barrier, reduce
program wtime_demo
  use mpi
  implicit none
  integer :: rank, ierr, i
  double precision :: t0, elapsed, slowest, s

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)

  call MPI_Barrier(MPI_COMM_WORLD, ierr)   ! start together
  t0 = MPI_Wtime()
  s = 0.0d0
  do i = 1, 2000000 * (rank + 1)
    s = s + sin(dble(i))
  end do
  elapsed = MPI_Wtime() - t0               ! differences on one rank only

  call MPI_Reduce(elapsed, slowest, 1, MPI_DOUBLE_PRECISION, MPI_MAX, 0, MPI_COMM_WORLD, ierr)
  if (rank == 0) print '(a,f10.4,a,es10.2,a,f8.3)', 'slowest rank: ', slowest, ' s (tick ', MPI_Wtick(), '), s=', s
  call MPI_Finalize(ierr)
end program wtime_demo
