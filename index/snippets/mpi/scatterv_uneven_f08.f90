! title: Uneven block distribution with MPI_Scatterv (mpi_f08)
! tags: mpi, fortran, mpi-f08, collective, scatterv, load-balancing, decomposition
program scatterv_uneven
  use mpi_f08
  implicit none
  integer, parameter :: n = 103
  integer, allocatable :: counts(:), displs(:), data(:), mine(:)
  integer :: rank, nprocs, r, off, i, localsum, total

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)

  allocate(counts(0:nprocs-1), displs(0:nprocs-1))
  off = 0
  do r = 0, nprocs - 1
    counts(r) = n / nprocs
    if (r < mod(n, nprocs)) counts(r) = counts(r) + 1
    displs(r) = off                ! displacements are 0-based element offsets
    off = off + counts(r)
  end do

  allocate(data(n), mine(counts(rank)))
  data = [(i, i = 1, n)]
  call MPI_Scatterv(data, counts, displs, MPI_INTEGER, mine, counts(rank), MPI_INTEGER, 0, MPI_COMM_WORLD)

  localsum = sum(mine)
  call MPI_Allreduce(localsum, total, 1, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD)
  if (rank == 0) print '(a,i0)', 'sum 1..n = ', total
  call MPI_Finalize()
end program scatterv_uneven
