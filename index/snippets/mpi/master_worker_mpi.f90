! title: Master/worker task farm with MPI_ANY_SOURCE (use mpi, status arrays)
! tags: mpi, fortran, mpi-module, master-worker, any-source, status, load-balancing
program master_worker
  use mpi
  implicit none
  integer, parameter :: ntasks = 30, tag_work = 1, tag_stop = 2
  integer :: rank, nprocs, ierr, w, next, active, task, worker
  integer :: status(MPI_STATUS_SIZE)
  double precision :: result, total

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)

  if (rank == 0) then
    next = 0
    active = 0
    total = 0.0d0
    do w = 1, nprocs - 1
      if (next < ntasks) then
        call MPI_Send(next, 1, MPI_INTEGER, w, tag_work, MPI_COMM_WORLD, ierr)
        next = next + 1
        active = active + 1
      else
        call MPI_Send(next, 1, MPI_INTEGER, w, tag_stop, MPI_COMM_WORLD, ierr)
      end if
    end do
    do while (active > 0)
      call MPI_Recv(result, 1, MPI_DOUBLE_PRECISION, MPI_ANY_SOURCE, tag_work, MPI_COMM_WORLD, status, ierr)
      total = total + result
      worker = status(MPI_SOURCE)   ! who answered: reply to that rank
      if (next < ntasks) then
        call MPI_Send(next, 1, MPI_INTEGER, worker, tag_work, MPI_COMM_WORLD, ierr)
        next = next + 1
      else
        call MPI_Send(next, 1, MPI_INTEGER, worker, tag_stop, MPI_COMM_WORLD, ierr)
        active = active - 1
      end if
    end do
    print '(a,f14.6)', 'total = ', total
  else
    do
      call MPI_Recv(task, 1, MPI_INTEGER, 0, MPI_ANY_TAG, MPI_COMM_WORLD, status, ierr)
      if (status(MPI_TAG) == tag_stop) exit
      result = sqrt(dble(task))
      call MPI_Send(result, 1, MPI_DOUBLE_PRECISION, 0, tag_work, MPI_COMM_WORLD, ierr)
    end do
  end if
  call MPI_Finalize(ierr)
end program master_worker
