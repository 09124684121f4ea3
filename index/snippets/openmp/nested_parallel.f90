! title: Nested parallel regions in Fortran
! tags: openmp, fortran, nested, omp_set_max_active_levels
program nested_parallel
  use omp_lib
  implicit none
  integer :: outer

  call omp_set_max_active_levels(2)
  !$omp parallel num_threads(2) private(outer)
  outer = omp_get_thread_num()
  !$omp parallel num_threads(2)
  !$omp critical
  print *, 'level', omp_get_level(), 'outer', outer, 'inner', omp_get_thread_num()
  !$omp end critical
  !$omp end parallel
  !$omp end parallel
end program nested_parallel
