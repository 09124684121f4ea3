! title: Exchange one block with every rank using MPI_Alltoall (use mpi)
! tags: mpi, fortran, mpi-module, collective, alltoall, transpose
program alltoall_demo
  use mpi
  implicit none
  integer, parameter :: b = 3
  integer, allocatable :: sendbuf(:), recvbuf(:)
  integer :: rank, nprocs, ierr, j

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  allocate(sendbuf(b * nprocs), recvbuf(b * nprocs))

  ! Block j (elements j*b+1 .. (j+1)*b) is addressed to rank j.
  do j = 0, nprocs - 1
    sendbuf(j*b+1:(j+1)*b) = 100 * rank + j
  end do
  call MPI_Alltoall(sendbuf, b, MPI_INTEGER, recvbuf, b, MPI_INTEGER, MPI_COMM_WORLD, ierr)

  print '(a,i0,a,i0)', 'rank ', rank, ' got from the last rank: ', recvbuf(b * nprocs)
  deallocate(sendbuf, recvbuf)
  call MPI_Finalize(ierr)
end program alltoall_demo
