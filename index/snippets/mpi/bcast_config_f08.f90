! title: Broadcast run parameters read on rank 0, including a string (mpi_f08)
! tags: mpi, fortran, mpi-f08, collective, bcast, character, setup
program bcast_config
  use mpi_f08
  implicit none
  integer :: rank, params(3)
  double precision :: dt
  character(len=64) :: casename

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  params = 0
  dt = 0.0d0
  casename = ''
  if (rank == 0) then
    params = [128, 128, 500]
    dt = 1.0d-3
    casename = 'channel_flow'
  end if

  call MPI_Bcast(params, 3, MPI_INTEGER, 0, MPI_COMM_WORLD)
  call MPI_Bcast(dt, 1, MPI_DOUBLE_PRECISION, 0, MPI_COMM_WORLD)
  ! Strings travel as len(casename) elements of MPI_CHARACTER.
  call MPI_Bcast(casename, len(casename), MPI_CHARACTER, 0, MPI_COMM_WORLD)

  print '(a,i0,2a,3i5,es10.2)', 'rank ', rank, ': ', trim(casename), params, dt
  call MPI_Finalize()
end program bcast_config
