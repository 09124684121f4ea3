! title: Gather variable-length pieces on rank 0 with MPI_Gather of counts and MPI_Gatherv (mpi_f08)
! tags: mpi, fortran, mpi-f08, collective, gather, gatherv, variable-length
program gatherv_demo
  use mpi_f08
  implicit none
  integer, allocatable :: mine(:), counts(:), displs(:), all(:)
  integer :: rank, nprocs, mycount, r

  call MPI_Init()
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  call MPI_Comm_size(MPI_COMM_WORLD, nprocs)

  mycount = rank + 1
  allocate(mine(mycount))
  mine = rank
  allocate(counts(nprocs), displs(nprocs))
  call MPI_Gather(mycount, 1, MPI_INTEGER, counts, 1, MPI_INTEGER, 0, MPI_COMM_WORLD)

  ! Counts and displacements matter only on the root.
  if (rank == 0) then
    displs(1) = 0
    do r = 2, nprocs
      displs(r) = displs(r-1) + counts(r-1)
    end do
    allocate(all(sum(counts)))
  else
    allocate(all(1))
  end if
  call MPI_Gatherv(mine, mycount, MPI_INTEGER, all, counts, displs, MPI_INTEGER, 0, MPI_COMM_WORLD)
  if (rank == 0) print '(a,i0,a,i0)', 'gathered ', size(all), ' values, last ', all(size(all))
  call MPI_Finalize()
end program gatherv_demo
