! title: Send one row of a column-major Fortran matrix with MPI_Type_vector (mpi_f08)
! tags: mpi, fortran, mpi-f08, derived-datatype, type-vector, type-commit
program type_vector_row
  use mpi_f08
  implicit none
  integer, parameter :: nrows = 4, ncols = 5
  double precision :: a(nrows, ncols), row(ncols)
  integer :: rank, nprocs, i, j
  type(MPI_Datatype) :: row_t

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)

  ! A row: ncols blocks of one element, nrows elements apart.
  call MPI_Type_vector(ncols, 1, nrows, MPI_DOUBLE_PRECISION, row_t)
  call MPI_Type_commit(row_t)

  if (nprocs >= 2) then
    if (rank == 0) then
      do j = 1, ncols
        do i = 1, nrows
          a(i, j) = 10 * i + j
        end do
      end do
      call MPI_Send(a(3, 1), 1, row_t, 1, 0, MPI_COMM_WORLD)    ! row 3
    else if (rank == 1) then
      call MPI_Recv(row, ncols, MPI_DOUBLE_PRECISION, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
      print '(a,5f6.1)', 'row 3: ', row
    end if
  end if
  call MPI_Type_free(row_t)
  call MPI_Finalize()
end program type_vector_row
