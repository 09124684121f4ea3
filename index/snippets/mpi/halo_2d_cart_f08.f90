! title: 2-D halo exchange on a Cartesian grid with a row datatype (column-major Fortran, mpi_f08)
! tags: mpi, fortran, mpi-f08, halo, cartesian, cart-shift, type-vector, sendrecv
program halo_2d_f08
  use mpi_f08
  implicit none
  integer, parameter :: nx = 32, ny = 32
  double precision :: a(0:nx+1, 0:ny+1)
  integer :: nprocs, rank, dims(2), coords(2), north, south, west, east
  logical :: periods(2)
  type(MPI_Comm) :: cart
  type(MPI_Datatype) :: row_t

  call MPI_Init()
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)
  dims = 0
  periods = .false.
  call MPI_Dims_create(nprocs, 2, dims)
  call MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, .true., cart)
  call MPI_Comm_rank(cart, rank)
  call MPI_Cart_coords(cart, rank, 2, coords)
  call MPI_Cart_shift(cart, 0, 1, north, south)
  call MPI_Cart_shift(cart, 1, 1, west, east)

  a = 0.0d0
  a(1:nx, 1:ny) = dble(rank)

  ! Columns a(1:nx, j) are contiguous in Fortran; a "row" a(i, 1:ny) is strided by nx+2.
  call MPI_Type_vector(ny, 1, nx + 2, MPI_DOUBLE_PRECISION, row_t)
  call MPI_Type_commit(row_t)

  call MPI_Sendrecv(a(1, 1), 1, row_t, north, 0, a(nx+1, 1), 1, row_t, south, 0, cart, MPI_STATUS_IGNORE)
  call MPI_Sendrecv(a(nx, 1), 1, row_t, south, 1, a(0, 1), 1, row_t, north, 1, cart, MPI_STATUS_IGNORE)
  call MPI_Sendrecv(a(1, 1), nx, MPI_DOUBLE_PRECISION, west, 2, &
                    a(1, ny+1), nx, MPI_DOUBLE_PRECISION, east, 2, cart, MPI_STATUS_IGNORE)
  call MPI_Sendrecv(a(1, ny), nx, MPI_DOUBLE_PRECISION, east, 3, &
                    a(1, 0), nx, MPI_DOUBLE_PRECISION, west, 3, cart, MPI_STATUS_IGNORE)

  print '(a,i0,a,2i3,a,f6.1)', 'rank ', rank, ' at', coords, ' west ghost ', a(1, 0)
  call MPI_Type_free(row_t)
  call MPI_Comm_free(cart)
  call MPI_Finalize()
end program halo_2d_f08
