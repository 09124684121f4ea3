! title: Ordered output from a parallel Fortran loop
! tags: openmp, fortran, ordered
program ordered_demo
  implicit none
  integer :: i

  !$omp parallel do ordered schedule(static, 1)
  do i = 1, 10
    !$omp ordered
    print '(a, i3, a, i6)', 'i =', i, '  i**3 =', i**3
    !$omp end ordered
  end do
  !$omp end parallel do
end program ordered_demo
