! title: Sum of an array with parallel do and a reduction
! tags: openmp, fortran, parallel-do, reduction
program parallel_do_sum
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 100000
  real(dp) :: a(n), total
  integer :: i

  do i = 1, n
    a(i) = 1.0_dp / real(i, dp)
  end do
  total = 0.0_dp
  !$omp parallel do reduction(+:total)
  do i = 1, n
    total = total + a(i)
  end do
  !$omp end parallel do
  print '(a, f12.6)', 'harmonic sum = ', total
end program parallel_do_sum
