! title: Jacobi sweep in Fortran
! tags: openmp, fortran
module sweeps
contains
  subroutine jacobi(u, unew, n)
    integer, intent(in) :: n
    real, intent(in) :: u(n)
    real, intent(out) :: unew(n)
    integer :: i
    !$omp parallel do private(i)
    do i = 2, n - 1
      unew(i) = 0.5 * (u(i-1) + u(i+1))
    end do
    !$omp end parallel do
  end subroutine jacobi

  real function total(u, n)
    integer, intent(in) :: n
    real, intent(in) :: u(n)
    total = sum(u)
  end function total
end module sweeps

program main
  use sweeps
  call jacobi([1.0, 2.0, 3.0], [0.0, 0.0, 0.0], 3)
end program main
