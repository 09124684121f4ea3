! title: SAXPY offloaded with target teams distribute parallel do
! tags: openmp, fortran, target, offload, map, teams, distribute
program target_saxpy
  implicit none
  integer, parameter :: n = 1000000
  real, allocatable :: x(:), y(:)
  real :: a
  integer :: i

  allocate(x(n), y(n))
  x = 1.0
  y = 2.0
  a = 3.0
  !$omp target teams distribute parallel do map(to: x) map(tofrom: y)
  do i = 1, n
    y(i) = a * x(i) + y(i)
  end do
  !$omp end target teams distribute parallel do
  print *, 'y(1) =', y(1)
  deallocate(x, y)
end program target_saxpy
