! title: A threadprivate module variable with copyin
! tags: openmp, fortran, threadprivate, copyin, module
module counters
  implicit none
  integer :: ncalls = 0
  !$omp threadprivate(ncalls)
end module counters

program threadprivate_demo
  use counters
  use omp_lib
  implicit none
  integer :: i

  ncalls = 10
  !$omp parallel copyin(ncalls) private(i)
  do i = 1, 3
    ncalls = ncalls + 1
  end do
  !$omp critical
  print *, 'thread', omp_get_thread_num(), 'ncalls', ncalls
  !$omp end critical
  !$omp end parallel
end program threadprivate_demo
