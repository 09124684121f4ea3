! title: Termination detection with MPI_Issend and MPI_Ibarrier (mpi_f08)
! tags: mpi, fortran, mpi-f08, nonblocking, issend, ibarrier, iprobe, test, sparse-exchange
program ibarrier_nbx
  use mpi_f08
  implicit none
  integer :: rank, nprocs, target, payload, v, received
  logical :: sent, flag, finished, in_barrier
  type(MPI_Request) :: sreq, breq
  type(MPI_Status) :: st

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)

  target = mod(rank * 3 + 1, nprocs)
  payload = rank
  call MPI_Issend(payload, 1, MPI_INTEGER, target, 9, MPI_COMM_WORLD, sreq)

  received = 0
  finished = .false.
  in_barrier = .false.
  do while (.not. finished)
    call MPI_Iprobe(MPI_ANY_SOURCE, 9, MPI_COMM_WORLD, flag, st)
    if (flag) then
      call MPI_Recv(v, 1, MPI_INTEGER, st%MPI_SOURCE, 9, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
      received = received + 1
    end if
    if (.not. in_barrier) then
      call MPI_Test(sreq, sent, MPI_STATUS_IGNORE)
      if (sent) then
        ! My synchronous send was matched: enter the nonblocking barrier.
        call MPI_Ibarrier(MPI_COMM_WORLD, breq)
        in_barrier = .true.
      end if
    else
      call MPI_Test(breq, finished, MPI_STATUS_IGNORE)
    end if
  end do
  print '(a,i0,a,i0,a)', 'rank ', rank, ' received ', received, ' message(s)'
  call MPI_Finalize()
end program ibarrier_nbx
