! title: Vectorising a Fortran loop with !$omp simd and a reduction
! tags: openmp, fortran, simd, reduction, vectorization
program simd_loop
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 4096
  real(dp) :: x(n), y(n), s
  integer :: i

  call random_number(x)
  call random_number(y)
  s = 0.0_dp
  !$omp simd reduction(+:s)
  do i = 1, n
    s = s + x(i) * y(i)
  end do
  print *, 'dot =', s
end program simd_loop
