! title: The same loop written with do concurrent and with an OpenMP parallel do
! tags: openmp, fortran, do-concurrent, parallel-do, comparison
module kernels
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
contains
  subroutine scale_concurrent(x, s)
    real(dp), intent(inout) :: x(:)
    real(dp), intent(in) :: s
    integer :: i
    ! the language asserts independence; the compiler may parallelise (e.g. -ftree-parallelize-loops)
    do concurrent (i = 1:size(x))
      x(i) = s * x(i)
    end do
  end subroutine scale_concurrent

  subroutine scale_omp(x, s)
    real(dp), intent(inout) :: x(:)
    real(dp), intent(in) :: s
    integer :: i
    !$omp parallel do
    do i = 1, size(x)
      x(i) = s * x(i)
    end do
    !$omp end parallel do
  end subroutine scale_omp
end module kernels

program compare
  use kernels
  implicit none
  real(dp) :: v(1000)
  v = 1.0_dp
  call scale_concurrent(v, 2.0_dp)
  call scale_omp(v, 3.0_dp)
  print *, v(1)
end program compare
