! title: OpenMP locks from Fortran with omp_lib
! tags: openmp, fortran, lock, omp_lib, omp_set_lock
program locks_demo
  use omp_lib
  implicit none
  integer(kind=omp_lock_kind) :: lck
  integer :: total, i

  total = 0
  call omp_init_lock(lck)
  !$omp parallel do
  do i = 1, 1000
    call omp_set_lock(lck)
    total = total + i
    call omp_unset_lock(lck)
  end do
  !$omp end parallel do
  call omp_destroy_lock(lck)
  print *, 'total =', total
end program locks_demo
