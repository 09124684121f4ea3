! title: Updating a shared best result in a named critical section
! tags: openmp, fortran, critical
program critical_update
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 5000
  real(dp) :: f, best
  integer :: i, best_i

  best = huge(1.0_dp)
  best_i = 0
  !$omp parallel do private(f)
  do i = 1, n
    f = (real(i, dp) - 1234.5_dp)**2
    !$omp critical (best_update)
    if (f < best) then
      best = f
      best_i = i
    end if
    !$omp end critical (best_update)
  end do
  !$omp end parallel do
  print *, 'argmin =', best_i
end program critical_update
