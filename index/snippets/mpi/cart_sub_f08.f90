! title: Periodic 2-D process grid with MPI_Cart_create and row communicators from MPI_Cart_sub (mpi_f08)
! tags: mpi, fortran, mpi-f08, cartesian, dims-create, cart-coords, cart-rank, cart-sub, topology
program cart_sub_demo
  use mpi_f08
  implicit none
  integer :: nprocs, rank, dims(2), coords(2), rowsum, corner
  logical :: periods(2), keep(2)
  type(MPI_Comm) :: grid, row

  call MPI_Init()
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)
  dims = 0
  call MPI_Dims_create(nprocs, 2, dims)
  periods = .true.
  call MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, .true., grid)
  call MPI_Comm_rank(grid, rank)
  call MPI_Cart_coords(grid, rank, 2, coords)     ! 0-based, also in Fortran
  call MPI_Cart_rank(grid, [0, 0], corner)

  keep = [.false., .true.]                        ! keep dimension 2: one communicator per row
  call MPI_Cart_sub(grid, keep, row)
  call MPI_Allreduce(rank, rowsum, 1, MPI_INTEGER, MPI_SUM, row)
  print '(a,i0,a,2i3,a,i0,a,i0)', 'rank ', rank, ' coords', coords, ' row sum ', rowsum, ' corner ', corner

  call MPI_Comm_free(row)
  call MPI_Comm_free(grid)
  call MPI_Finalize()
end program cart_sub_demo
