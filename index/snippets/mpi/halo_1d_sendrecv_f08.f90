! title: 1-D halo exchange with MPI_Sendrecv and MPI_PROC_NULL boundaries (mpi_f08)
! tags: mpi, fortran, mpi-f08, halo, sendrecv, proc-null, stencil
program halo_1d_f08
  use mpi_f08
  implicit none
  integer, parameter :: n = 100, steps = 20
  double precision :: u(0:n+1), unew(0:n+1), local, total
  integer :: rank, nprocs, left, right, step, i

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)
  u = 0.0d0
  if (rank == 0) u(0) = 1.0d0
  unew = u

  left = rank - 1
  right = rank + 1
  if (rank == 0) left = MPI_PROC_NULL
  if (rank == nprocs - 1) right = MPI_PROC_NULL

  do step = 1, steps
    ! first interior value goes left, right ghost comes from the right
    call MPI_Sendrecv(u(1), 1, MPI_DOUBLE_PRECISION, left, 0, &
                      u(n+1), 1, MPI_DOUBLE_PRECISION, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
    call MPI_Sendrecv(u(n), 1, MPI_DOUBLE_PRECISION, right, 1, &
                      u(0), 1, MPI_DOUBLE_PRECISION, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE)
    do i = 1, n
      unew(i) = 0.5d0 * (u(i-1) + u(i+1))
    end do
    u(1:n) = unew(1:n)
  end do

  local = sum(u(1:n))
  call MPI_Reduce(local, total, 1, MPI_DOUBLE_PRECISION, MPI_SUM, 0, MPI_COMM_WORLD)
  if (rank == 0) print '(a,f12.6)', 'sum: ', total
  call MPI_Finalize()
end program halo_1d_f08
