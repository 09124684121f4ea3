! title: Atomic update of a shared counter in Fortran
! tags: openmp, fortran, atomic, counter
program atomic_counter
  implicit none
  integer :: i, hits
  integer, parameter :: n = 100000

  hits = 0
  !$omp parallel do
  do i = 1, n
    if (mod(i * 7, 13) == 0) then
      !$omp atomic update
      hits = hits + 1
      !$omp end atomic
    end if
  end do
  !$omp end parallel do
  print *, 'hits =', hits
end program atomic_counter
