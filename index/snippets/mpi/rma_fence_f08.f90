! title: One-sided MPI_Put between MPI_Win_fence calls (mpi_f08)
! tags: mpi, fortran, mpi-f08, one-sided, rma, win-create, put, fence
program rma_fence
  use mpi_f08
  implicit none
  integer, parameter :: n = 8
  double precision :: local(n), inbox(n)
  integer :: rank, nprocs, right, i
  integer(kind=MPI_ADDRESS_KIND) :: winsize, disp
  type(MPI_Win) :: win

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)
  local = [(rank + 0.01d0 * i, i = 1, n)]
  inbox = -1.0d0

  ! Sizes and displacements are address-kind integers; disp_unit is 8 bytes per element.
  winsize = n * 8_MPI_ADDRESS_KIND
  call MPI_Win_create(inbox, winsize, 8, MPI_INFO_NULL, MPI_COMM_WORLD, win)

  right = mod(rank + 1, nprocs)
  disp = 0
  call MPI_Win_fence(0, win)
  call MPI_Put(local, n, MPI_DOUBLE_PRECISION, right, disp, n, MPI_DOUBLE_PRECISION, win)
  call MPI_Win_fence(0, win)

  print '(a,i0,a,f8.2)', 'rank ', rank, ' received ', inbox(1)
  call MPI_Win_free(win)
  call MPI_Finalize()
end program rma_fence
