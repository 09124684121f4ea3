! title: Overlap a nonblocking MPI_Iallreduce with local work (mpi_f08, asynchronous buffers)
! tags: mpi, fortran, mpi-f08, nonblocking, collective, iallreduce, overlap, asynchronous
program iallreduce_overlap
  use mpi_f08
  implicit none
  integer, parameter :: n = 4096
  ! ASYNCHRONOUS stops the compiler from moving accesses to these arrays across MPI_Wait.
  double precision, asynchronous :: partial(n), global(n)
  double precision :: other(n)
  integer :: rank, i
  type(MPI_Request) :: req

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  partial = [(rank + i * 1.0d-3, i = 1, n)]

  call MPI_Iallreduce(partial, global, n, MPI_DOUBLE_PRECISION, MPI_SUM, MPI_COMM_WORLD, req)
  ! Independent work: touches neither partial nor global.
  other = [(dble(i)**2, i = 1, n)]
  call MPI_Wait(req, MPI_STATUS_IGNORE)

  if (rank == 0) print '(a,f12.4,a,f14.1)', 'global(1) = ', global(1), ' other(n) = ', other(n)
  call MPI_Finalize()
end program iallreduce_overlap
