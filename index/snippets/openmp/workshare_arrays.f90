! title: Array syntax and WHERE inside parallel workshare
! tags: openmp, fortran, workshare, parallel-workshare, array-syntax
program workshare_arrays
  use, intrinsic :: iso_fortran_env, only: dp => real64
  implicit none
  integer, parameter :: n = 50000
  real(dp) :: a(n), b(n), c(n)

  call random_number(a)
  call random_number(b)
  !$omp parallel workshare
  c = a + 2.0_dp * b
  where (c > 1.5_dp)
    c = 1.5_dp
  end where
  !$omp end parallel workshare
  print *, 'max(c) =', maxval(c)
end program workshare_arrays
