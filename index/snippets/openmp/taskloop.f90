! title: taskloop with num_tasks in Fortran
! tags: openmp, fortran, taskloop, num_tasks
program taskloop_demo
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 40000
  real(dp) :: y(n)
  integer :: i

  !$omp parallel
  !$omp single
  !$omp taskloop num_tasks(16)
  do i = 1, n
    y(i) = sqrt(real(i, dp))
  end do
  !$omp end taskloop
  !$omp end single
  !$omp end parallel
  print *, y(n)
end program taskloop_demo
