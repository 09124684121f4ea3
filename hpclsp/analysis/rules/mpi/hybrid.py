"""The hybrid MPI+OpenMP rule: a collective called by every thread of a parallel region at once."""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode.model import Call, Model
from hpclsp.analysis.rules.mpi._common import _finding, mpi_rule
from hpclsp.analysis.rules.mpi._omp import omp_constructs
from hpclsp.analysis.rules.mpi.facts import COLLECTIVES
from hpclsp.analysis.treeutil import Node

#: Constructs inside a parallel region that stop every thread from making the call at the same time
#: (one thread, mutual exclusion, ordered execution), and tasks, whose ordering this rule does not model.
_SERIALIZING = frozenset(
    {"single", "master", "masked", "critical", "ordered", "section", "sections", "task", "taskloop"}
)


def _guarded(m: Model, call: Call, first_line: int) -> bool:
    """True when a branch between the region start and the call decides which threads call."""
    n: Node | None = call.node.parent
    while n is not None and n.start_point[0] > first_line:
        if m.is_branch(n) or n.type in ("if_statement", "switch_statement", "select_case_statement"):
            return True
        n = n.parent
    return False


def _thread_specific_comm(m: Model, call: Call, first: int, last: int, directive: object) -> bool:
    """True when each thread may pass its own communicator (a subscript, a region-local or private name)."""
    arg = call.arg("comm")
    if arg is None:
        return True
    text = m.text(arg)
    if text.upper().startswith("MPI_COMM_WORLD") or text.upper() == "MPI_COMM_SELF":
        return text.upper() == "MPI_COMM_SELF"
    if arg.type not in ("identifier",):
        return True
    name = m.norm(text)
    for clause in getattr(directive, "clauses", []):
        if clause.name in ("private", "firstprivate", "lastprivate") and name in {
            m.norm(i) for i in clause.items
        }:
            return True
    unit = m.unit_of(call.node)
    decl = m.decl(unit, name)
    return decl is None or (decl.node is not None and first < decl.node.start_point[0] <= last)


@mpi_rule(
    "mpi-concurrent-collective",
    summary="A collective called by every thread of an OpenMP parallel region at once, on one communicator.",
    what="""
Flags MPI collective calls inside an `omp parallel` region (or a worksharing loop) that every thread
executes, on a communicator shared by the threads, outside `single`, `master`/`masked`, `critical`,
`ordered`, `sections` and tasks, and not under a branch that selects threads.
""",
    why="""
Collectives on one communicator must be ordered identically on every process; threads calling them
concurrently leave that order to the scheduler, so processes can match different calls, deadlock
or corrupt data. The standard makes it the program's job to serialize them.
""",
    example="""
#pragma omp parallel
{
    MPI_Barrier(MPI_COMM_WORLD);   /* every thread of every rank, concurrently */
}
""",
)
def check_concurrent_collective(m: Model) -> Iterator[Finding]:
    """Collectives every thread of a parallel region calls concurrently."""
    if "omp" not in m.source.text.lower():
        return
    cons = omp_constructs(m)
    if not any("parallel" in w for w, _, _, _ in cons):
        return
    for unit in m.units:
        for c in unit.calls:
            if c.key not in COLLECTIVES:
                continue
            line = c.node.start_point[0]
            around = [x for x in cons if x[1] < line <= x[2] or (m.fortran and x[1] <= line <= x[2])]
            par = [x for x in around if "parallel" in x[0]]
            if not par:
                continue
            chosen = max(par, key=lambda x: x[1])
            words, first, last, directive = chosen
            inner = [x for x in around if x[1] >= first and x is not chosen]
            if any(set(x[0]) & _SERIALIZING for x in inner) or set(words) & _SERIALIZING:
                continue
            clauses = {cl.name: cl for cl in getattr(directive, "clauses", [])}
            if "if" in clauses or (
                "num_threads" in clauses and (clauses["num_threads"].args or "").strip() == "1"
            ):
                continue
            if _guarded(m, c, first) or _thread_specific_comm(m, c, first, last, directive):
                continue
            yield _finding(
                m,
                "mpi-concurrent-collective",
                c.node,
                f"{c.name} is called by every thread of the OpenMP region at line {first + 1} on the same "
                "communicator: concurrent collectives on one communicator are erroneous; call it from one "
                "thread (single/master) or serialize the calls (critical)",
            )
