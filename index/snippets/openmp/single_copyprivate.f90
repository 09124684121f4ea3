! title: Broadcasting a value read by one thread with end single copyprivate
! tags: openmp, fortran, single, copyprivate
program single_copyprivate
  use omp_lib
  implicit none
  integer :: nsteps

  !$omp parallel private(nsteps)
  !$omp single
  nsteps = 42                  ! e.g. read from an input file
  !$omp end single copyprivate(nsteps)
  if (omp_get_thread_num() == 0) print *, 'nsteps =', nsteps
  !$omp end parallel
end program single_copyprivate
