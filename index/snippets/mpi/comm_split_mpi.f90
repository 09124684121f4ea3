! title: Row and column communicators with MPI_Comm_split (use mpi)
! tags: mpi, fortran, mpi-module, communicator, comm-split, color, comm-free
program comm_split_rows
  use mpi
  implicit none
  integer :: wrank, wsize, ierr, ncols, myrow, mycol
  integer :: rowcomm, colcomm, rowrank, rowsum

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, wrank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, wsize, ierr)

  ! Lay the ranks out as a grid with 2 columns (or 1 when running on a single process).
  ncols = min(2, wsize)
  myrow = wrank / ncols
  mycol = mod(wrank, ncols)

  ! Same color -> same communicator; key orders the ranks inside it.
  call MPI_Comm_split(MPI_COMM_WORLD, myrow, mycol, rowcomm, ierr)
  call MPI_Comm_split(MPI_COMM_WORLD, mycol, myrow, colcomm, ierr)
  call MPI_Comm_rank(rowcomm, rowrank, ierr)
  call MPI_Allreduce(wrank, rowsum, 1, MPI_INTEGER, MPI_SUM, rowcomm, ierr)
  print '(a,i0,a,i0,a,i0,a,i0)', 'world ', wrank, ' row ', myrow, ' rank in row ', rowrank, ' row sum ', rowsum

  call MPI_Comm_free(rowcomm, ierr)
  call MPI_Comm_free(colcomm, ierr)
  call MPI_Finalize(ierr)
end program comm_split_rows
