! title: Read each rank's block of a shared file with MPI_File_read_at_all (use mpi)
! tags: mpi, fortran, mpi-module, mpi-io, read-at-all, get-size, collective-io
program mpiio_read_at
  use mpi
  implicit none
  integer, parameter :: nlocal = 100
  double precision :: buf(nlocal)
  integer :: rank, ierr, fh, count
  integer :: status(MPI_STATUS_SIZE)
  integer(kind=MPI_OFFSET_KIND) :: offset, fsize

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)

  ! Write the file first so the example is self-contained.
  call MPI_File_open(MPI_COMM_WORLD, 'blocks_mpi.dat', MPI_MODE_CREATE + MPI_MODE_RDWR, MPI_INFO_NULL, fh, ierr)
  buf = dble(rank)
  offset = int(rank, MPI_OFFSET_KIND) * nlocal * 8     ! bytes, with the default view
  call MPI_File_write_at_all(fh, offset, buf, nlocal, MPI_DOUBLE_PRECISION, status, ierr)
  call MPI_File_sync(fh, ierr)
  call MPI_Barrier(MPI_COMM_WORLD, ierr)
  call MPI_File_sync(fh, ierr)

  buf = -1.0d0
  call MPI_File_read_at_all(fh, offset, buf, nlocal, MPI_DOUBLE_PRECISION, status, ierr)
  call MPI_Get_count(status, MPI_DOUBLE_PRECISION, count, ierr)
  call MPI_File_get_size(fh, fsize, ierr)
  print '(a,i0,a,i0,a,i0)', 'rank ', rank, ' read ', count, ' values; file bytes ', fsize
  call MPI_File_close(fh, ierr)
  call MPI_Finalize(ierr)
end program mpiio_read_at
