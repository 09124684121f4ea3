! title: 1-D halo exchange with MPI_Isend/MPI_Irecv and MPI_Waitall (use mpi)
! tags: mpi, fortran, mpi-module, halo, nonblocking, isend, irecv, waitall, overlap
program halo_1d_nb
  use mpi
  implicit none
  integer, parameter :: n = 1000
  double precision :: u(0:n+1), unew(0:n+1)
  integer :: rank, nprocs, left, right, ierr, iter, i
  integer :: reqs(4)
  integer :: stats(MPI_STATUS_SIZE, 4)

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs, ierr)
  u = dble(rank)
  unew = u
  left = merge(MPI_PROC_NULL, rank - 1, rank == 0)
  right = merge(MPI_PROC_NULL, rank + 1, rank == nprocs - 1)

  do iter = 1, 10
    call MPI_Irecv(u(0), 1, MPI_DOUBLE_PRECISION, left, 0, MPI_COMM_WORLD, reqs(1), ierr)
    call MPI_Irecv(u(n+1), 1, MPI_DOUBLE_PRECISION, right, 1, MPI_COMM_WORLD, reqs(2), ierr)
    call MPI_Isend(u(1), 1, MPI_DOUBLE_PRECISION, left, 1, MPI_COMM_WORLD, reqs(3), ierr)
    call MPI_Isend(u(n), 1, MPI_DOUBLE_PRECISION, right, 0, MPI_COMM_WORLD, reqs(4), ierr)

    ! The interior does not depend on the ghost cells: update it while messages fly.
    do i = 2, n - 1
      unew(i) = 0.5d0 * (u(i-1) + u(i+1))
    end do

    ! With the mpi module each status is an INTEGER array of MPI_STATUS_SIZE.
    call MPI_Waitall(4, reqs, stats, ierr)
    unew(1) = 0.5d0 * (u(0) + u(2))
    unew(n) = 0.5d0 * (u(n-1) + u(n+1))
    u(1:n) = unew(1:n)
  end do

  print '(a,i0,a,f10.5)', 'rank ', rank, ': u(1) = ', u(1)
  call MPI_Finalize(ierr)
end program halo_1d_nb
