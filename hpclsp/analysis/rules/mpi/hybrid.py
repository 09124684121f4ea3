"""The hybrid MPI+OpenMP rule: a collective called by every thread of a parallel region at once."""

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
from hpclsp.analysis.rules.mpi.facts import COLLECTIVES
from hpclsp.analysis.treeutil import Node

#: Constructs inside a parallel region that stop every thread from making the call at the same time
#: (one thread, mutual exclusion, ordered execution); tasks are looked at separately.
_SERIALIZING = frozenset({"single", "master", "masked", "critical", "ordered", "section", "sections"})


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
    summary="A collective that several OpenMP threads or tasks may run at once on one communicator.",
    what="""
Flags MPI collective calls inside an `omp parallel` region (or a worksharing loop) that every thread
executes, on a communicator shared by the threads, outside `single`, `master`/`masked`, `critical`,
`ordered`, `sections` and not under a branch that selects threads; and collectives in tasks that
every thread creates, in `taskloop` tasks, or in a task that may overlap another collective of the
region on the same communicator (no `depend`, `if` or `final` clause, no `taskwait`/`barrier`
between them).
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
    """Collectives every thread of a parallel region calls concurrently, or that run in tasks that may
    overlap with each other."""
    if not mentions_openmp(m):
        return
    if not any("parallel" in w for w, _, _, _ in omp_constructs(m)):
        return
    for unit in m.units:
        placed = [p for c in unit.calls if c.key in COLLECTIVES and (p := _place(m, c)) is not None]
        for p in placed:
            if _concurrent(m, p, placed):
                yield _finding(m, "mpi-concurrent-collective", p.call.node, _message(p))


class _Placed:
    """A collective inside a parallel region: its region, its innermost task (if any), whether every
    thread of the region reaches it, and its communicator text."""

    def __init__(self, call: Call, region: Construct, task: Construct | None, all_threads: bool, comm: str):
        self.call, self.region, self.task, self.all_threads, self.comm = call, region, task, all_threads, comm


def _place(m: Model, c: Call) -> _Placed | None:
    """Where a collective sits among the OpenMP constructs (None: not in a parallel region, serialized
    by a construct, or on a communicator each thread may choose for itself)."""
    placed = parallel_region(m, c.node.start_point[0], c.unit.body)
    if placed is None:
        return None
    region, inner = placed
    words, first, last, directive = region
    tasks = [x for x in inner if x[0][0] in ("task", "taskloop")]
    task = tasks[-1] if tasks else None
    after_task = [x for x in inner if task is None or x[1] > task[1]]
    if any(set(x[0]) & _SERIALIZING for x in after_task) or (task is None and set(words) & _SERIALIZING):
        return None
    if _one_thread_region(directive) or _thread_specific_comm(m, c, first, last, directive):
        return None
    if task is not None and clause_names(task) & {"depend", "if", "final"}:
        return None
    if _guarded(m, c, task[1] if task is not None else first):
        return None
    before_task = [x for x in inner if task is not None and x[1] < task[1]]
    all_threads = not any(set(x[0]) & _SERIALIZING for x in before_task) and not (
        task is not None and _guarded(m, c, first)
    )
    comm = m.norm_text(c.arg("comm")) if c.arg("comm") is not None else ""
    return _Placed(c, region, task, all_threads, comm)


def _one_thread_region(directive: object) -> bool:
    """A parallel region that may run on one thread only (an if clause) or surely does (num_threads(1))."""
    clauses = {cl.name: cl for cl in getattr(directive, "clauses", [])}
    return "if" in clauses or (
        "num_threads" in clauses and (clauses["num_threads"].args or "").strip() == "1"
    )


def _concurrent(m: Model, p: _Placed, placed: list[_Placed]) -> bool:
    """Whether the collective may run at the same time as another on its communicator: every thread
    calls it (in the region or in a task each thread creates, which also covers taskloop tasks), or it
    runs in a task that may overlap another collective of the region with no taskwait or barrier
    between them."""
    if p.all_threads or (p.task is not None and p.task[0][0] == "taskloop"):
        return True
    if p.task is None:
        return False
    lo, hi = p.task[1], p.task[2]
    for q in placed:
        if q is p or q.region is not p.region or q.comm != p.comm or q.task is p.task:
            continue
        qline = q.call.node.start_point[0] if q.task is None else q.task[1]
        if qline < lo and q.task is None:
            continue  # finished before the task was created
        a, b = min(lo, qline), max(hi, qline)
        if not any(a < s < b for s in omp_sync_lines(m)):
            return True
    return False


def _message(p: _Placed) -> str:
    first = p.region[1] + 1
    if p.task is None:
        return (
            f"{p.call.name} is called by every thread of the OpenMP region at line {first} on the same "
            "communicator: concurrent collectives on one communicator are erroneous; call it from one "
            "thread (single/master) or serialize the calls (critical)"
        )
    return (
        f"{p.call.name} runs in an OpenMP task (line {p.task[1] + 1}) that may run at the same time as "
        "another collective on the same communicator: their order then differs between processes, "
        "which is erroneous; order the tasks (depend, taskwait) or create them from one thread"
    )
