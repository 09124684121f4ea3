! title: Independent tasks in Fortran parallel sections
! tags: openmp, fortran, sections, section
program sections_demo
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  real(dp) :: s1, s2

  !$omp parallel sections
  !$omp section
  s1 = series(1000000, 1)
  !$omp section
  s2 = series(1000000, 2)
  !$omp end parallel sections
  print *, s1, s2
contains
  pure function series(n, p) result(s)
    integer, intent(in) :: n, p
    real(dp) :: s
    integer :: k
    s = 0.0_dp
    do k = 1, n
      s = s + 1.0_dp / real(k, dp)**p
    end do
  end function series
end program sections_demo
