! title: Private temporaries in a Fortran parallel do
! tags: openmp, fortran, parallel-do, private, data-race
program parallel_do_private
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 1000
  real(dp) :: x(n), y(n), t
  integer :: i

  call random_number(x)
  ! t is a scalar declared in the program: without private(t) every thread would share it
  !$omp parallel do private(t)
  do i = 1, n
    t = 2.0_dp * x(i)
    y(i) = t * t + 1.0_dp
  end do
  !$omp end parallel do
  print *, 'y(n) =', y(n)
end program parallel_do_private
