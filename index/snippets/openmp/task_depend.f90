! title: Task dependences in Fortran (producer, consumer, in-place update)
! tags: openmp, fortran, task, depend
program task_depend
  implicit none
  real :: a, b, c

  !$omp parallel
  !$omp single
  !$omp task depend(out: a)
  a = 1.0
  !$omp end task
  !$omp task depend(out: b)
  b = 2.0
  !$omp end task
  !$omp task depend(in: a, b) depend(out: c)
  c = a + b
  !$omp end task
  !$omp task depend(inout: c)
  c = 2.0 * c
  !$omp end task
  !$omp taskwait
  print *, 'c =', c
  !$omp end single
  !$omp end parallel
end program task_depend
