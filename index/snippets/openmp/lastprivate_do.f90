! title: firstprivate and lastprivate on a Fortran do loop
! tags: openmp, fortran, firstprivate, lastprivate
program lastprivate_do
  implicit none
  integer :: i, last_even, base

  base = 100
  last_even = -1
  !$omp parallel do firstprivate(base) lastprivate(last_even)
  do i = 1, 99
    last_even = base + 2 * (i / 2)
  end do
  !$omp end parallel do
  print *, 'value from the last iteration:', last_even
end program lastprivate_do
