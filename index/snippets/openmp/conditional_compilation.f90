! title: Code that compiles with and without OpenMP using the !$ sentinel
! tags: openmp, fortran, conditional-compilation, omp_lib
program conditional_compilation
  !$ use omp_lib
  implicit none
  integer :: nthreads

  nthreads = 1
  !$ nthreads = omp_get_max_threads()
  print *, 'running with up to', nthreads, 'threads'
end program conditional_compilation
