! title: Persistent send/receive requests reused every iteration (mpi_f08)
! tags: mpi, fortran, mpi-f08, persistent, send-init, recv-init, startall, halo
program persistent_halo
  use mpi_f08
  implicit none
  integer, parameter :: n = 200, iters = 50
  double precision :: u(0:n+1), unew(1:n)
  integer :: rank, nprocs, left, right, it, k
  type(MPI_Request) :: reqs(4)

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)
  u = dble(rank)
  left = merge(MPI_PROC_NULL, rank - 1, rank == 0)
  right = merge(MPI_PROC_NULL, rank + 1, rank == nprocs - 1)

  ! Bind the four transfers to u once; each MPI_Startall reuses them.
  call MPI_Recv_init(u(0), 1, MPI_DOUBLE_PRECISION, left, 0, MPI_COMM_WORLD, reqs(1))
  call MPI_Recv_init(u(n+1), 1, MPI_DOUBLE_PRECISION, right, 1, MPI_COMM_WORLD, reqs(2))
  call MPI_Send_init(u(1), 1, MPI_DOUBLE_PRECISION, left, 1, MPI_COMM_WORLD, reqs(3))
  call MPI_Send_init(u(n), 1, MPI_DOUBLE_PRECISION, right, 0, MPI_COMM_WORLD, reqs(4))

  do it = 1, iters
    call MPI_Startall(4, reqs)
    call MPI_Waitall(4, reqs, MPI_STATUSES_IGNORE)
    unew = 0.5d0 * (u(0:n-1) + u(2:n+1))
    u(1:n) = unew
  end do

  do k = 1, 4
    call MPI_Request_free(reqs(k))
  end do
  print '(a,i0,a,f10.5)', 'rank ', rank, ': u(1) = ', u(1)
  call MPI_Finalize()
end program persistent_halo
