"""The hybrid MPI+OpenMP rule: an MPI call sends the value of a private copy no statement has set yet."""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode.model import Call, Model, Unit
from hpclsp.analysis.rules.mpi._common import _finding, _occurrences, mpi_rule
from hpclsp.analysis.rules.mpi._omp import Construct, enclosing, misparsed

#: Clauses whose list items start each thread (or task) with a new, uninitialised copy.
_UNINITIALISED = ("private", "lastprivate")


def _sent_buffers(m: Model, c: Call) -> list[str]:
    """The variables whose values the call reads and transfers: the send buffer of a send, the send
    buffer of a collective (unless MPI_IN_PLACE), the buffer of a broadcast (read at the root)."""
    params = []
    if "SEND" in c.key and "RECV" not in c.key:
        params.append("buf")
    if c.key in ("MPI_BCAST", "MPI_IBCAST"):
        params.append("buffer")
    params.append("sendbuf")
    out = []
    for p in params:
        arg = c.arg(p)
        if arg is None or "MPI_IN_PLACE" in m.text(arg).upper():
            continue
        name, kind = m.base_name(arg)
        if name and kind in ("whole", "addr", "elem"):
            out.append(name)
    return out


@mpi_rule(
    "mpi-uninitialized-private",
    summary="An MPI call sends a private OpenMP copy before anything has set it.",
    what="""
Flags an MPI send buffer (of a send, of a collective, or a broadcast buffer, which the root sends)
that is a `private` or `lastprivate` list item of an enclosing OpenMP construct when the variable is
not mentioned between the construct's start and the call.
""",
    why="""
A private copy starts uninitialised in every thread: the original variable's value is not copied in
(that is what `firstprivate` does). Sending it transfers an indeterminate value to other processes.
""",
    example="""
int value = rank;
#pragma omp parallel private(value)
#pragma omp master
MPI_Send(&value, 1, MPI_INT, 1, 0, comm);   /* value is not rank here */
""",
)
def check_uninitialized_private(m: Model) -> Iterator[Finding]:
    """Send buffers that are private copies nothing has set yet."""
    if "private" not in m.source.text.lower():
        return
    for unit in m.units:
        for c in unit.calls:
            if not c.is_mpi:
                continue
            around = enclosing(m, c.node.start_point[0])
            for name in _sent_buffers(m, c):
                con = _privatising(m, around, name)
                if con is None or misparsed(m, con, unit.body) or _set_before(m, unit, name, con, c):
                    continue
                yield _finding(
                    m,
                    "mpi-uninitialized-private",
                    c.node,
                    f"{c.name} sends '{name}', a private copy of the OpenMP construct at line {con[1] + 1} "
                    "that nothing has set yet: its value is indeterminate (use firstprivate, or set it first)",
                )


def _privatising(m: Model, around: list[Construct], name: str) -> Construct | None:
    """The innermost construct around the call that makes ``name`` a new uninitialised copy (None when
    an inner construct makes it firstprivate or none privatises it)."""
    for con in reversed(around):
        clauses = getattr(con[3], "clauses", [])
        listed = {cl.name for cl in clauses if name in {m.norm(i) for i in cl.items}}
        if "firstprivate" in listed or "copyin" in listed:
            return None
        if listed & set(_UNINITIALISED):
            return con
    return None


def _set_before(m: Model, unit: Unit, name: str, con: Construct, c: Call) -> bool:
    """True when the variable appears in the construct before the call (any mention may set it)."""
    start = con[1] + 1
    for occ in _occurrences(m, unit, name):
        line = occ.start_point[0]
        if start <= line and occ.start_byte < c.node.start_byte:
            return True
    return False
