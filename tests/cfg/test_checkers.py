"""The checkers that ask the values layer: MPI rank branches and deadlocks, OpenMP thread-id branches."""

from __future__ import annotations

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.source import SourceFile

MPI_OPTS = Options(select=("mpi-collective-rank-branch", "mpi-deadlock-send-send"), budget=30.0)

# no main program: the per-rank evaluator does not run, the rank-branch rule decides
MPI_LIB = """
#include <mpi.h>
void step(MPI_Comm comm, double *x) {
  int rank, lead = 0, n = 0;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) lead = 1;
  if (lead) {                       /* control dependence: lead differs between ranks */
    MPI_Barrier(comm);
  }
  rank = 3;
  if (rank > 2) {                   /* rank overwritten: the same on every rank */
    MPI_Barrier(comm);
  }
  if (n == 0) {                     /* never depended on the rank */
    MPI_Allreduce(MPI_IN_PLACE, x, 1, MPI_DOUBLE, MPI_SUM, comm);
  }
}
"""


def _lines(src: SourceFile, opts: Options, code: str) -> list[int]:
    return sorted(f.span.start.line + 1 for f in engine.analyze(src, opts).findings if f.code == code)


def test_collective_rank_branch_follows_values() -> None:
    src = SourceFile("lib.c", "c", MPI_LIB)
    assert _lines(src, MPI_OPTS, "mpi-collective-rank-branch") == [8]


MPI_F = """
subroutine exchange(comm)
  use mpi
  integer :: comm, rank, ierr, peer
  call MPI_Comm_rank(comm, rank, ierr)
  peer = 1 - rank
  if (peer == 0) then
    call MPI_Barrier(comm, ierr)
  end if
end subroutine exchange
"""


def test_collective_rank_branch_fortran() -> None:
    src = SourceFile("lib.f90", "fortran", MPI_F)
    assert _lines(src, MPI_OPTS, "mpi-collective-rank-branch") == [8]


RACE_OPTS = Options(select=("omp-race",), budget=30.0)

OMP_GUARDED = """
#include <omp.h>
int main(void) {
  int x = 0;
  const int master = 0;
  #pragma omp parallel
  {
    int tid = omp_get_thread_num();
    if (tid == master) {
      x = 1;
      x = x + 1;
    }
  }
  return x;
}
"""


def test_thread_id_branch_with_a_constant_variable() -> None:
    # both accesses run on thread 0 only: no race between them (the constant comes from the values layer)
    src = SourceFile("t.c", "c", OMP_GUARDED)
    assert [f for f in engine.analyze(src, RACE_OPTS).findings if f.code.startswith("omp-race")] == []
    racy = SourceFile("t.c", "c", OMP_GUARDED.replace("if (tid == master)", "if (tid >= master)"))
    assert [f for f in engine.analyze(racy, RACE_OPTS).findings if f.code.startswith("omp-race")] != []
