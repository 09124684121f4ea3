! Dot product and scaled update of two vectors.
! The accumulation into s races: it is shared and has no reduction clause.
program dot
  implicit none
  integer, parameter :: n = 100000
  double precision :: x(n), y(n), s
  integer :: i

  do i = 1, n
    x(i) = dble(i) / n
    y(i) = 1.0d0 - x(i)
  end do

  s = 0.0d0
!$omp parallel do
  do i = 1, n
    s = s + x(i) * y(i)
  end do
!$omp end parallel do

  do i = 1, n
    y(i) = y(i) + s * x(i)
  end do

  print *, 'dot =', s, ' y(n) =', y(n)
end program dot
