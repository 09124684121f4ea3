/*
 * title: Recursive Fibonacci with tasks and a cut-off
 * tags: openmp, task, taskwait, recursion, final, c
 */
#include <stdio.h>

static long fib_serial(int n)
{
    return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}

static long fib(int n)
{
    if (n < 20)                     /* small problems: tasks cost more than they save */
        return fib_serial(n);
    long a, b;
    #pragma omp task shared(a)
    a = fib(n - 1);
    #pragma omp task shared(b)
    b = fib(n - 2);
    #pragma omp taskwait            /* a and b are written by the child tasks */
    return a + b;
}

int main(void)
{
    long r = 0;
    #pragma omp parallel
    #pragma omp single              /* one thread creates the root task, the team executes them */
    r = fib(32);
    printf("fib(32) = %ld\n", r);
    return 0;
}
