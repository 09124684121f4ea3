! title: Timing a parallel region with omp_get_wtime in Fortran
! tags: openmp, fortran, omp_get_wtime, timing
program wtime_demo
  use omp_lib
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 2000000
  real(dp), allocatable :: a(:)
  real(dp) :: t0, t1
  integer :: i

  allocate(a(n))
  t0 = omp_get_wtime()
  !$omp parallel do
  do i = 1, n
    a(i) = sin(real(i, dp))
  end do
  !$omp end parallel do
  t1 = omp_get_wtime()
  print '(i4, a, f10.3, a)', omp_get_max_threads(), ' threads:', (t1 - t0) * 1.0e3_dp, ' ms'
end program wtime_demo
