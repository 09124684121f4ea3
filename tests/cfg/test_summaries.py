"""Calls of functions of the same file: the values layer reads them through function summaries, and
the rules that ask it (MPI rank branches and deadlocks, OpenMP thread-id branches) see the facts."""

from __future__ import annotations

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.values import dependence as D
from hpclsp.analysis.values.affine import RANK, TID, Affine
from tests.cfg.test_values import expr, source

MPI_OPTS = Options(select=("mpi-collective-rank-branch", "mpi-deadlock-send-send"), budget=30.0)
RACE_OPTS = Options(select=("omp-race-shared-write",), budget=30.0)

HELPERS_C = """
static int my_rank(MPI_Comm comm) { int r; MPI_Comm_rank(comm, &r); return r; }
static int tid(void) { return omp_get_thread_num(); }
static void get_ids(int *rank, int *size) {
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
}
static void store(int *p) { int r; MPI_Comm_rank(MPI_COMM_WORLD, &r); *p = r + 1; }
static int down(int n) { int r; MPI_Comm_rank(MPI_COMM_WORLD, &r); if (n > 0) return down(n - 1); return r; }
static int zero(void) { int r; MPI_Comm_rank(MPI_COMM_WORLD, &r); return 0; }
static int pick(void) { int r; MPI_Comm_rank(MPI_COMM_WORLD, &r); if (r == 0) return 1; return 2; }
void f(MPI_Comm c) {
  int me = my_rank(c), a, b, q, t;
  if (me == 0) a = 1;        /* A */
  get_ids(&a, &b);
  if (a > 1) b = 2;          /* B */
  store(&q);
  if (q) b = 3;              /* C */
  if (down(3)) b = 4;        /* D */
  t = tid();
  if (t == zero()) b = 5;    /* E */
  if (pick()) b = 6;         /* F */
}
"""


def test_return_values_and_out_parameters_of_same_file_functions() -> None:
    src = source("c", HELPERS_C)
    assert D.is_rank_dependent(src, expr(src, "/* A */", "(me == 0)"))
    b_cond = expr(src, "/* B */", "(a > 1)")
    assert D.dependences(src, b_cond) == {D.RANK_DEP}
    assert D.affine_in(src, expr(src, "/* B */", "a"), {RANK}) == Affine.var(RANK)  # stored through &a
    assert D.is_rank_dependent(src, expr(src, "/* C */", "(q)"))  # *p = r + 1: dependence only
    t = expr(src, "/* E */", "t")
    assert D.is_thread_id(src, t) and D.is_thread_dependent(src, t)
    assert D.constant(src, expr(src, "/* E */", "zero()")) == 0
    # returns 1 or 2 by the rank: control dependence at the function's exit
    assert D.is_rank_dependent(src, expr(src, "/* F */", "(pick())"))


def test_recursive_functions_stay_unknown() -> None:
    src = source("c", HELPERS_C)
    assert D.dependences(src, expr(src, "/* D */", "(down(3))")) == frozenset()


HELPERS_F = """
module ids
contains
  integer function my_rank() result(r)
    use mpi
    integer :: ierr
    call MPI_Comm_rank(MPI_COMM_WORLD, r, ierr)
  end function my_rank
  integer function tid()
    tid = omp_get_thread_num()
  end function tid
  subroutine get_ids(rank, size)
    integer, intent(out) :: rank, size
    call mpi_comm_rank(MPI_COMM_WORLD, rank, ierr)
    call mpi_comm_size(MPI_COMM_WORLD, size, ierr)
  end subroutine get_ids
  recursive integer function down(n) result(r)
    integer :: n, ierr
    call mpi_comm_rank(MPI_COMM_WORLD, r, ierr)
    if (n > 0) r = down(n - 1)
  end function down
end module ids
program p
  use ids
  me = my_rank()
  if (me == 0) x = 1   ! A
  call get_ids(a, b)
  if (a == 0) x = 1    ! B
  if (b == 0) x = 1    ! C
  t = tid()
  if (t == 0) x = 1    ! D
  if (down(2) == 0) x = 1  ! E
end program p
"""


def test_fortran_function_results_and_dummy_arguments() -> None:
    src = source("fortran", HELPERS_F)
    assert D.dependences(src, expr(src, "! A", "me == 0")) == {D.RANK_DEP}
    assert D.dependences(src, expr(src, "! B", "a == 0")) == {D.RANK_DEP}
    assert D.dependences(src, expr(src, "! C", "b == 0")) == {D.SIZE_DEP}
    assert D.affine_in(src, expr(src, "! D", "t"), {TID}) == Affine.var(TID)
    assert D.dependences(src, expr(src, "! E", "down(2) == 0")) == frozenset()


def _lines(src: SourceFile, opts: Options, code: str) -> list[int]:
    return sorted(f.span.start.line + 1 for f in engine.analyze(src, opts).findings if f.code == code)


# no main program: the rank-branch rule decides (the per-rank evaluator does not run)
MPI_LIB = """
#include <mpi.h>
static int my_rank(MPI_Comm comm) {
  int r;
  MPI_Comm_rank(comm, &r);
  return r;
}
void step(MPI_Comm comm, double *x) {
  int me = my_rank(comm);
  if (me == 0)
    MPI_Barrier(comm);
}
void exchange(double *out, double *in, int n) {
  int me = my_rank(MPI_COMM_WORLD), np;
  MPI_Comm_size(MPI_COMM_WORLD, &np);
  int right = (me + 1) % np, left = (me + np - 1) % np;
  MPI_Send(out, n, MPI_DOUBLE, right, 0, MPI_COMM_WORLD);
  MPI_Recv(in, n, MPI_DOUBLE, left, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}
"""


def test_rank_through_a_helper_reaches_the_mpi_rules() -> None:
    src = SourceFile("lib.c", "c", MPI_LIB)
    assert _lines(src, MPI_OPTS, "mpi-collective-rank-branch") == [11]
    assert _lines(src, MPI_OPTS, "mpi-deadlock-send-send") == [17]


MPI_LIB_F = """
module m
contains
  integer function my_rank(comm)
    use mpi
    integer :: comm, ierr
    call MPI_Comm_rank(comm, my_rank, ierr)
  end function my_rank
  subroutine get_rank(comm, r)
    use mpi
    integer :: comm, r, ierr
    call MPI_Comm_rank(comm, r, ierr)
  end subroutine get_rank
  subroutine step(comm)
    use mpi
    integer :: comm, me, ierr
    call get_rank(comm, me)
    if (me == 0) then
      call MPI_Barrier(comm, ierr)
    end if
  end subroutine step
  subroutine step2(comm)
    use mpi
    integer :: comm, ierr
    if (my_rank(comm) > 0) call MPI_Barrier(comm, ierr)
  end subroutine step2
  subroutine same(comm)
    use mpi
    integer :: comm, ierr, k
    call get_rank(comm, k)
    k = 4
    if (k > 2) call MPI_Barrier(comm, ierr)
  end subroutine same
end module m
"""


def test_fortran_rank_through_a_function_and_a_dummy_argument() -> None:
    src = SourceFile("lib.f90", "fortran", MPI_LIB_F)
    assert _lines(src, MPI_OPTS, "mpi-collective-rank-branch") == [19, 25]


THREAD_C = """
#include <omp.h>
static int tid(void) { return omp_get_thread_num(); }
int main(void) {
  int x = 0;
#pragma omp parallel
  {
    if (tid() == 0) x = 1;
    if (tid() == 0) x = x + 1;
  }
  return x;
}
"""

THREAD_F = """
module m
contains
  integer function tid()
    use omp_lib
    tid = omp_get_thread_num()
  end function tid
end module m
program p
  use m
  integer :: x
  x = 0
!$omp parallel
  if (tid() == 0) x = 1
  if (tid() == 0) x = x + 1
!$omp end parallel
  print *, x
end program p
"""


def test_thread_id_through_a_helper_guards_one_thread() -> None:
    # both writes run on thread 0 only: no race between them
    assert _lines(SourceFile("t.c", "c", THREAD_C), RACE_OPTS, "omp-race-shared-write") == []
    assert _lines(SourceFile("t.f90", "fortran", THREAD_F), RACE_OPTS, "omp-race-shared-write") == []
    # another id on one side: the threads differ, the race stays
    other = THREAD_C.replace("if (tid() == 0) x = x", "if (tid() == 1) x = x")
    assert _lines(SourceFile("t.c", "c", other), RACE_OPTS, "omp-race-shared-write") == [8]


TWICE_C = """
#ifdef MPI
static int who(void) { int r; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }
#else
static int who(void) { return 0; }
#endif
void f(void) {
  int me = who();
  if (me == 0) g();   /* A */
}
"""


def test_a_name_defined_twice_has_no_summary() -> None:
    src = source("c", TWICE_C)
    assert D.dependences(src, expr(src, "/* A */", "(me == 0)")) == frozenset()
