"""The hybrid MPI+OpenMP finalize rule: MPI_Finalize called from inside an OpenMP parallel region."""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode.model import Call, Model
from hpclsp.analysis.rules.mpi._common import _finding, mpi_rule
from hpclsp.analysis.rules.mpi._omp import (
    Construct,
    clause_names,
    mentions_openmp,
    omp_constructs,
    omp_sync_lines,
    parallel_region,
)
from hpclsp.analysis.treeutil import then_conditions
from hpclsp.analysis.values import dependence

#: Constructs whose block only the primary thread of the team executes.
_PRIMARY = frozenset({"master", "masked"})


@mpi_rule(
    "mpi-finalize-thread",
    summary="MPI_Finalize called inside an OpenMP parallel region by a thread that may not be the main "
    "one, or while other threads may still be in MPI calls.",
    what="""
Flags `MPI_Finalize` inside an `omp parallel` region unless only the primary thread reaches it
(`master`, `masked` without a filter, or the *then* branch of a test that the thread id is 0:
`omp_get_thread_num() == 0`, or a variable or helper holding the thread id), and, under
`master`/`masked`, when a `nowait` construct of the region before it makes MPI calls with no
`barrier` in between.
""",
    why="""
MPI_Finalize must be called by the thread that initialised MPI (the main thread), once, and only
after every thread of the process has completed its MPI calls. Called by every thread, by another
thread, or while a thread is still communicating, the program is erroneous.
""",
    example="""
#pragma omp parallel
{
    work();
    MPI_Finalize();      /* every thread calls it */
}
""",
)
def check_finalize_thread(m: Model) -> Iterator[Finding]:
    """MPI_Finalize from OpenMP threads."""
    if not mentions_openmp(m):
        return
    for unit in m.units:
        calls = unit.calls
        for c in calls:
            if c.key != "MPI_FINALIZE":
                continue
            placed = parallel_region(m, c.node.start_point[0], unit.body)
            if placed is None:
                continue
            region, inner = placed
            msg = _problem(m, c, region, inner, calls)
            if msg:
                yield _finding(m, "mpi-finalize-thread", c.node, msg)


def _problem(m: Model, c: Call, region: Construct, inner: list[Construct], calls: list[Call]) -> str | None:
    """What is wrong with this MPI_Finalize in a parallel region (None: nothing found)."""
    primary = any(x[0][0] in _PRIMARY and not _filtered(x) for x in inner) or _main_thread_branch(
        m, c, region
    )
    if not primary:
        return (
            f"MPI_Finalize inside the OpenMP parallel region at line {region[1] + 1} is called by every "
            "thread or by a thread that may not be the main one; call it once, from the main thread, "
            "after the region"
        )
    line = c.node.start_point[0]
    for x in enclosing_nowait(m, region, line):
        if any(x[1] < o.node.start_point[0] <= x[2] for o in calls if o.is_mpi and o is not c):
            if not any(x[2] < s < line for s in omp_sync_lines(m)):
                return (
                    f"MPI_Finalize may run while other threads are still in the MPI calls of the nowait "
                    f"construct at line {x[1] + 1}: put a barrier before it"
                )
    return None


def enclosing_nowait(m: Model, region: Construct, line: int) -> list[Construct]:
    """The nowait constructs of the region that end before a line."""
    return [x for x in omp_constructs(m) if region[1] < x[1] and x[2] < line and "nowait" in clause_names(x)]


def _filtered(x: Construct) -> bool:
    """A masked construct with a filter clause (any thread may be chosen)."""
    return "filter" in clause_names(x)


def _main_thread_branch(m: Model, c: Call, region: Construct) -> bool:
    """True when the call runs only in the *then* branch of an ``if`` of the region whose condition
    requires the thread id to be 0 (``values.dependence``: ``omp_get_thread_num()``, a variable or a
    helper holding it)."""
    for b, cond in then_conditions(c.node):
        if b.start_point[0] <= region[1]:
            break
        if any(c == 0 for _, c in dependence.thread_id_tests(m.source, cond)):
            return True
    return False
