! title: Pass a token around a ring of processes (Fortran, mpi_f08)
! tags: mpi, fortran, mpi-f08, point-to-point, ring, send, recv
program ring_f08
  use mpi_f08
  implicit none
  integer :: rank, nprocs, token, next, prev

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)
  next = mod(rank + 1, nprocs)
  prev = mod(rank - 1 + nprocs, nprocs)

  if (nprocs < 2) then
    print '(a)', 'ring needs at least 2 processes'
  else if (rank == 0) then
    token = 1
    call MPI_Send(token, 1, MPI_INTEGER, next, 0, MPI_COMM_WORLD)
    call MPI_Recv(token, 1, MPI_INTEGER, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
    print '(a,i0)', 'token back at rank 0: ', token
  else
    ! Receive before sending so the ring cannot deadlock.
    call MPI_Recv(token, 1, MPI_INTEGER, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
    token = token + 1
    call MPI_Send(token, 1, MPI_INTEGER, next, 0, MPI_COMM_WORLD)
  end if

  call MPI_Finalize()
end program ring_f08
