! title: Hybrid MPI+OpenMP in Fortran with MPI_Init_thread (FUNNELED, mpi_f08)
! tags: mpi, fortran, mpi-f08, hybrid, openmp, init-thread, thread-funneled, allreduce
program hybrid_f08
  use mpi_f08
  implicit none
  integer, parameter :: n = 1000000
  double precision, allocatable :: x(:)
  double precision :: local, total
  integer :: provided, rank, i

  call MPI_Init_thread(MPI_THREAD_FUNNELED, provided)
  if (provided < MPI_THREAD_FUNNELED) then
    print '(a)', 'insufficient thread support'
    call MPI_Abort(MPI_COMM_WORLD, 1)
  end if
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)

  allocate(x(n))
  local = 0.0d0
  !$omp parallel do reduction(+:local)
  do i = 1, n
    x(i) = 1.0d0 / dble(i + rank)
    local = local + x(i)
  end do
  !$omp end parallel do

  ! MPI is called by the main thread only, outside the parallel region.
  call MPI_Allreduce(local, total, 1, MPI_DOUBLE_PRECISION, MPI_SUM, MPI_COMM_WORLD)
  if (rank == 0) print '(a,f14.6)', 'total = ', total
  deallocate(x)
  call MPI_Finalize()
end program hybrid_f08
