! title: Dynamic scheduling of an unbalanced Fortran loop
! tags: openmp, fortran, schedule, dynamic, load-balance
program schedule_dynamic
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 2000
  real(dp) :: row_sum(n)
  integer :: i, j

  !$omp parallel do schedule(dynamic, 8) private(j)
  do i = 1, n
    row_sum(i) = 0.0_dp
    do j = 1, i               ! work grows with i
      row_sum(i) = row_sum(i) + 1.0_dp / real(i + j, dp)
    end do
  end do
  !$omp end parallel do
  print *, row_sum(n)
end program schedule_dynamic
