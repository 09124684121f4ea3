! title: Passive-target MPI_Accumulate into a counter on rank 0 under MPI_Win_lock (use mpi)
! tags: mpi, fortran, mpi-module, one-sided, rma, accumulate, lock, passive-target
program rma_lock_accumulate
  use mpi
  implicit none
  integer :: rank, nprocs, ierr, win, counter, one
  integer(kind=MPI_ADDRESS_KIND) :: winsize, disp

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  counter = 0
  winsize = 4       ! bytes of one default INTEGER
  call MPI_Win_create(counter, winsize, 4, MPI_INFO_NULL, MPI_COMM_WORLD, win, ierr)
  call MPI_Barrier(MPI_COMM_WORLD, ierr)

  ! Concurrent accumulates to one location are well defined (puts would not be).
  one = 1
  disp = 0
  call MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win, ierr)
  call MPI_Accumulate(one, 1, MPI_INTEGER, 0, disp, 1, MPI_INTEGER, MPI_SUM, win, ierr)
  call MPI_Win_unlock(0, win, ierr)

  call MPI_Barrier(MPI_COMM_WORLD, ierr)
  if (rank == 0) then
    ! Read my own window memory inside a lock epoch so the updates are visible.
    call MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win, ierr)
    print '(a,i0,a,i0)', 'counter = ', counter, ' of ', nprocs
    call MPI_Win_unlock(0, win, ierr)
  end if
  call MPI_Win_free(win, ierr)
  call MPI_Finalize(ierr)
end program rma_lock_accumulate
