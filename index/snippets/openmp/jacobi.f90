! title: Jacobi relaxation in Fortran with a max reduction for convergence
! tags: openmp, fortran, stencil, jacobi, reduction
program jacobi
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 200
  real(dp) :: u(0:n+1, 0:n+1), unew(0:n+1, 0:n+1), diff
  integer :: i, j, iter

  u = 0.0_dp
  u(0, :) = 1.0_dp
  unew = u
  diff = 1.0_dp
  iter = 0
  do while (diff > 1.0e-4_dp .and. iter < 500)
    diff = 0.0_dp
    !$omp parallel do private(i) reduction(max:diff)
    do j = 1, n
      do i = 1, n
        unew(i, j) = 0.25_dp * (u(i-1, j) + u(i+1, j) + u(i, j-1) + u(i, j+1))
        diff = max(diff, abs(unew(i, j) - u(i, j)))
      end do
    end do
    !$omp end parallel do
    u(1:n, 1:n) = unew(1:n, 1:n)
    iter = iter + 1
  end do
  print *, 'iterations', iter, 'diff', diff
end program jacobi
