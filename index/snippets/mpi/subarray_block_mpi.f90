! title: Send an interior block of a 2-D array with MPI_Type_create_subarray (use mpi)
! tags: mpi, fortran, mpi-module, derived-datatype, type-create-subarray, order-fortran
program subarray_block
  use mpi
  implicit none
  integer, parameter :: nx = 6, ny = 5
  double precision :: a(nx, ny), blk(2, 3)
  integer :: rank, nprocs, ierr, i, j, block_t
  integer :: sizes(2), subsizes(2), starts(2)

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)

  ! The 2 x 3 block a(3:4, 2:4); starts are 0-based even in Fortran.
  sizes = [nx, ny]
  subsizes = [2, 3]
  starts = [2, 1]
  call MPI_Type_create_subarray(2, sizes, subsizes, starts, MPI_ORDER_FORTRAN, MPI_DOUBLE_PRECISION, block_t, ierr)
  call MPI_Type_commit(block_t, ierr)

  if (nprocs >= 2) then
    if (rank == 0) then
      do j = 1, ny
        do i = 1, nx
          a(i, j) = 10 * i + j
        end do
      end do
      call MPI_Send(a, 1, block_t, 1, 0, MPI_COMM_WORLD, ierr)
    else if (rank == 1) then
      call MPI_Recv(blk, 6, MPI_DOUBLE_PRECISION, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ierr)
      print '(a,6f6.1)', 'block: ', blk
    end if
  end if
  call MPI_Type_free(block_t, ierr)
  call MPI_Finalize(ierr)
end program subarray_block
