! title: Receive messages of unknown size with MPI_Probe and MPI_Get_count (use mpi)
! tags: mpi, fortran, mpi-module, probe, get-count, any-source, dynamic-size
program probe_unknown_size
  use mpi
  implicit none
  integer :: rank, nprocs, ierr, k, n
  integer :: status(MPI_STATUS_SIZE)
  double precision, allocatable :: v(:)

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)

  if (rank /= 0) then
    allocate(v(5 * rank))
    v = dble(rank)
    call MPI_Send(v, size(v), MPI_DOUBLE_PRECISION, 0, 3, MPI_COMM_WORLD, ierr)
  else
    do k = 1, nprocs - 1
      call MPI_Probe(MPI_ANY_SOURCE, 3, MPI_COMM_WORLD, status, ierr)
      call MPI_Get_count(status, MPI_DOUBLE_PRECISION, n, ierr)
      allocate(v(n))
      ! Name the probed source and tag so exactly that message is received.
      call MPI_Recv(v, n, MPI_DOUBLE_PRECISION, status(MPI_SOURCE), status(MPI_TAG), MPI_COMM_WORLD, &
                    MPI_STATUS_IGNORE, ierr)
      print '(a,i0,a,i0)', 'got ', n, ' values from rank ', status(MPI_SOURCE)
      deallocate(v)
    end do
  end if
  call MPI_Finalize(ierr)
end program probe_unknown_size
