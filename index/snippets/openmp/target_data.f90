! title: Reusing device data across kernels with target data in Fortran
! tags: openmp, fortran, target-data, target-update, offload
program target_data_demo
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 10000
  real(dp) :: u(n), v(n)
  integer :: i, step

  u = 1.0_dp
  u(1) = 0.0_dp
  !$omp target data map(tofrom: u) map(alloc: v)
  do step = 1, 20
    !$omp target teams distribute parallel do
    do i = 2, n - 1
      v(i) = 0.5_dp * (u(i - 1) + u(i + 1))
    end do
    !$omp target teams distribute parallel do
    do i = 2, n - 1
      u(i) = v(i)
    end do
  end do
  !$omp target update from(u)
  print *, 'u(2) =', u(2)
  !$omp end target data
end program target_data_demo
