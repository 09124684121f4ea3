! title: Collective MPI-IO write of a block-distributed array with a file view (mpi_f08)
! tags: mpi, fortran, mpi-f08, mpi-io, file-open, set-view, write-all, collective-io
program mpiio_write_all
  use mpi_f08
  implicit none
  integer, parameter :: nlocal = 1000
  double precision :: buf(nlocal)
  integer :: rank, ierr
  integer(kind=MPI_OFFSET_KIND) :: disp
  type(MPI_File) :: fh

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  buf = dble(rank)

  call MPI_File_open(MPI_COMM_WORLD, 'out_f08.dat', MPI_MODE_CREATE + MPI_MODE_WRONLY, MPI_INFO_NULL, fh, ierr)
  if (ierr /= MPI_SUCCESS) then
    ! File errors return a code by default instead of aborting.
    print '(a)', 'cannot open out_f08.dat'
    call MPI_Abort(MPI_COMM_WORLD, 1)
  end if

  ! Each rank's view starts at its own byte offset; the collective write lets MPI merge requests.
  disp = int(rank, MPI_OFFSET_KIND) * nlocal * 8
  call MPI_File_set_view(fh, disp, MPI_DOUBLE_PRECISION, MPI_DOUBLE_PRECISION, 'native', MPI_INFO_NULL)
  call MPI_File_write_all(fh, buf, nlocal, MPI_DOUBLE_PRECISION, MPI_STATUS_IGNORE)
  call MPI_File_close(fh)
  call MPI_Finalize()
end program mpiio_write_all
