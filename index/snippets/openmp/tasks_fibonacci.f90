! title: Recursive Fibonacci with OpenMP tasks in Fortran
! tags: openmp, fortran, task, taskwait, recursion
module fibmod
  implicit none
contains
  recursive function fib(n) result(r)
    integer, intent(in) :: n
    integer :: r, a, b
    if (n < 15) then
      r = fib_serial(n)
      return
    end if
    !$omp task shared(a)
    a = fib(n - 1)
    !$omp end task
    !$omp task shared(b)
    b = fib(n - 2)
    !$omp end task
    !$omp taskwait
    r = a + b
  end function fib

  recursive function fib_serial(n) result(r)
    integer, intent(in) :: n
    integer :: r
    if (n < 2) then
      r = n
    else
      r = fib_serial(n - 1) + fib_serial(n - 2)
    end if
  end function fib_serial
end module fibmod

program tasks_fibonacci
  use fibmod
  implicit none
  integer :: r
  !$omp parallel
  !$omp single
  r = fib(30)
  !$omp end single
  !$omp end parallel
  print *, 'fib(30) =', r
end program tasks_fibonacci
