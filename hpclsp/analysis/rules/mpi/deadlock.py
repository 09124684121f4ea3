"""The send-send deadlock rule: every rank sends to its peer before receiving."""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode.model import Call, Model, Unit
from hpclsp.analysis.rules.mpi._common import _finding, _in_node, mpi_rule
from hpclsp.analysis.rules.mpi._omp import Construct, enclosing, mentions_openmp
from hpclsp.analysis.rules.mpi.collectives import _arms, _rank_comms
from hpclsp.analysis.treeutil import Node
from hpclsp.analysis.values import dependence

# -- deadlock ------------------------------------------------------------------------------------

P2P_BLOCKING_SEND = ("MPI_SEND", "MPI_SSEND")
P2P_OPS = (
    "MPI_SEND",
    "MPI_SSEND",
    "MPI_RECV",
    "MPI_SENDRECV",
    "MPI_IRECV",
    "MPI_ISEND",
    "MPI_BSEND",
    "MPI_RSEND",
    "MPI_SENDRECV_REPLACE",
    "MPI_ISSEND",
    "MPI_PROBE",
)


def _first_p2p(m: Model, unit: Unit, region: Node, exclude: Node | None = None) -> Call | None:
    for c in unit.calls:
        if (
            c.key in P2P_OPS
            and _in_node(c.node, region)
            and (exclude is None or not _in_node(c.node, exclude))
        ):
            return c
    return None


def _rank_dependent(m: Model, arg: Node | None) -> bool:
    return arg is not None and dependence.is_rank_dependent(m.source, arg)


@mpi_rule(
    "mpi-deadlock-send-send",
    summary="Every rank does a blocking send to its peer before receiving: a deadlock unless MPI buffers.",
    what="""
Flags a blocking `MPI_Send`/`MPI_Ssend` to a rank-dependent peer that every process executes
before its matching `MPI_Recv` (including `if`/`else` on the rank where every arm sends first). A
send and a receive in different OpenMP sections or tasks run on different threads, in no order:
they are left alone.
""",
    why="""
`MPI_Send` may block until the receiver posts its receive. When every process sends first, none
reaches its receive: the program works for small messages (eager buffering) and hangs as soon
as messages grow. `MPI_Ssend` always hangs.
""",
    example="""
MPI_Send(out, n, MPI_DOUBLE, right, 0, comm);    /* every rank sends first */
MPI_Recv(in,  n, MPI_DOUBLE, left,  0, comm, MPI_STATUS_IGNORE);
""",
    evaluator=True,
)
def check_deadlock(m: Model) -> Iterator[Finding]:
    """Symmetric send-before-receive exchanges."""
    for unit in m.units:
        if not _rank_comms(m, unit):
            continue
        seen_branches: set[int] = set()
        for s in unit.calls:
            if s.key not in P2P_BLOCKING_SEND:
                continue
            if any(c.key in ("MPI_IRECV",) and c.node.start_byte < s.node.start_byte for c in unit.calls):
                continue
            recv = _next_recv(m, unit, s)
            if recv is None or _other_thread(m, s, recv):
                continue
            if not _every_rank_sends_first(m, unit, s, recv, seen_branches):
                continue
            msg = _send_send_message(s, recv)
            yield _finding(
                m, "mpi-deadlock-send-send", s.node, msg, see=(recv.node, "the receive that is never reached")
            )


def _other_thread(m: Model, s: Call, recv: Call) -> bool:
    """Whether the send and the receive lie in different OpenMP sections or tasks: another thread may
    post the receive while this one blocks in the send, so text order says nothing about their order."""
    if not mentions_openmp(m):
        return False

    def bodies(c: Call) -> list[Construct]:
        return [x for x in enclosing(m, c.node.start_point[0]) if x[0][0] in ("section", "task", "taskloop")]

    return bodies(s) != bodies(recv)


def _send_send_message(s: Call, recv: Call) -> str:
    """What the finding on the send s says: why it blocks and what to use instead."""
    how = (
        "MPI_Ssend cannot complete before the receive is posted, so this always deadlocks"
        if s.key == "MPI_SSEND"
        else "this deadlocks unless the MPI library buffers the message (eager protocol, small messages)"
    )
    return (
        f"every rank calls {s.name} to its peer before its receive (line {recv.node.start_point[0] + 1}): "
        f"{how}; use MPI_Sendrecv or nonblocking calls"
    )


def _next_recv(m: Model, unit: Unit, s: Call) -> Call | None:
    """The first MPI_Recv that can follow the send s on its communicator, with no other
    point-to-point call in between; None when there is none."""
    recv = next(
        (
            c
            for c in unit.calls
            if c.key in ("MPI_RECV",)
            and c.node.start_byte > s.node.end_byte
            and not m.exclusive(s.node, c.node)
        ),
        None,
    )
    if recv is None or m.norm_text(recv.arg("comm")) != m.norm_text(s.arg("comm")):
        return None
    if any(
        c.key in P2P_OPS and s.node.end_byte < c.node.start_byte < recv.node.start_byte for c in unit.calls
    ):
        return None
    return recv


def _every_rank_sends_first(m: Model, unit: Unit, s: Call, recv: Call, seen_branches: set[int]) -> bool:
    """Whether every rank reaches a blocking send before its receive: outside rank-dependent control,
    the send and the receive name rank-dependent peers; under a rank branch (reported once per
    branch, recorded in seen_branches), every arm starts with a blocking send."""
    ctrl = [
        (b, cond)
        for b, cond in m.controls(s.node, unit.body)
        if cond is not None and dependence.is_rank_dependent(m.source, cond)
    ]
    if not ctrl:
        src = recv.arg("source")
        return _rank_dependent(m, s.arg("dest")) and (
            _rank_dependent(m, src) or m.text(src).upper() == "MPI_ANY_SOURCE"
        )
    if any(m.is_loop(b) for b, _ in ctrl):
        return False
    b = ctrl[-1][0]
    top = b.parent if b.type == "elseif_clause" and b.parent is not None else b
    if top.start_byte in seen_branches:
        return False
    arms = _arms(m, top)
    if arms is None or len(arms) < 2:
        return False
    for i, a in enumerate(arms):
        if m.fortran and i == 0:
            first = next(
                (
                    c
                    for c in unit.calls
                    if c.key in P2P_OPS and _in_node(c.node, top) and m.arm(top, c.node) == -1
                ),
                None,
            )
        else:
            first = _first_p2p(m, unit, a)
        if first is None or first.key not in P2P_BLOCKING_SEND:
            return False
    seen_branches.add(top.start_byte)
    return True
