! title: Maximum absolute value with a max reduction in Fortran
! tags: openmp, fortran, reduction, max
program reduction_max
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 20000
  real(dp) :: r(n), biggest
  integer :: i

  call random_number(r)
  r = r - 0.5_dp
  biggest = 0.0_dp
  !$omp parallel do reduction(max:biggest)
  do i = 1, n
    biggest = max(biggest, abs(r(i)))
  end do
  !$omp end parallel do
  print *, 'max |r| =', biggest
end program reduction_max
