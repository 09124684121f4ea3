! title: Ring shift with MPI_Irecv/MPI_Isend and MPI_Waitall (use mpi)
! tags: mpi, fortran, mpi-module, ring, nonblocking, isend, irecv, waitall
program ring_nonblocking
  use mpi
  implicit none
  integer :: rank, nprocs, ierr, left, right, step, sendval, recvval, total
  integer :: reqs(2)

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  right = mod(rank + 1, nprocs)
  left = mod(rank - 1 + nprocs, nprocs)

  ! Pass values around the ring nprocs times; every rank ends with the sum of all ranks.
  sendval = rank
  total = 0
  do step = 1, nprocs
    call MPI_Irecv(recvval, 1, MPI_INTEGER, left, 0, MPI_COMM_WORLD, reqs(1), ierr)
    call MPI_Isend(sendval, 1, MPI_INTEGER, right, 0, MPI_COMM_WORLD, reqs(2), ierr)
    call MPI_Waitall(2, reqs, MPI_STATUSES_IGNORE, ierr)
    total = total + recvval
    sendval = recvval        ! safe: the send has completed
  end do
  print '(a,i0,a,i0)', 'rank ', rank, ': sum of ranks = ', total
  call MPI_Finalize(ierr)
end program ring_nonblocking
