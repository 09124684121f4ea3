! title: Collapsing a 2-D loop nest in Fortran (column-major order)
! tags: openmp, fortran, collapse, parallel-do, loop-nest
program collapse_demo
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: ni = 4096, nj = 6
  real(dp) :: a(ni, nj)
  integer :: i, j

  ! j is the outer loop so the inner loop walks contiguous memory; only 6 outer iterations
  !$omp parallel do collapse(2)
  do j = 1, nj
    do i = 1, ni
      a(i, j) = real(i, dp) + 10.0_dp * real(j, dp)
    end do
  end do
  !$omp end parallel do
  print *, a(ni, nj)
end program collapse_demo
