"""MPI rules that read the per-rank evaluator's traces (``hpclsp.analysis.hostcode``).

The evaluator runs ``main`` once per rank for 2, 3 and 4 processes with the rank and size known
and constants propagated; these rules only translate what it found into findings. Each message
names the process count and the ranks, and points at the other rank's call where there is one.
"""

from __future__ import annotations

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode import mpi_run
from hpclsp.analysis.rules import CheckFn, rule
from hpclsp.analysis.rules.mpi.facts import FAMILY

#: The evaluator also runs CUDA host code, which the pattern rules leave alone.
LANGS = ("c", "cpp", "cuda", "fortran")


def _evaluator_rule(code: str, *, summary: str, what: str, why: str, example: str) -> CheckFn:
    """Register the rule ``code`` whose findings are the per-rank evaluator's findings of that code."""

    def check(ctx: Context) -> list[Finding]:
        return mpi_run.as_findings(ctx.source, code)

    register = rule(
        code, family=FAMILY, summary=summary, what=what, why=why, example=example, languages=LANGS
    )
    return register(check)


check_invalid_argument = _evaluator_rule(
    "mpi-invalid-argument",
    summary="An MPI call receives an argument that is invalid on some rank (null handle, bad rank, negative count).",
    what="""
Evaluates the program per rank (2, 3 and 4 processes) and flags calls whose argument value is known
to be invalid: `MPI_COMM_NULL`, `MPI_DATATYPE_NULL`, a null operation or a null pointer as a handle,
a freed or uncommitted datatype, a null buffer for a non-empty message, a null request, flag or
status pointer, a negative count or tag, a rank or root outside the communicator, `MPI_REPLACE` in a
reduction, a bitwise or logical reduction on floating-point data, a non-positive window
displacement unit or a negative window size.
""",
    why="""
The standard makes these calls erroneous; implementations abort, corrupt memory or hang, often
only on the rank whose value is wrong, and only at the process count where it becomes wrong.
""",
    example="""
int root = -1;
MPI_Gather(&x, 1, MPI_INT, all, 1, MPI_INT, root, MPI_COMM_WORLD);  /* root outside 0..size-1 */
""",
)


check_collective_mismatch = _evaluator_rule(
    "mpi-collective-mismatch",
    summary="Ranks call different collectives, or the same collective with different root, op or type signature.",
    what="""
Compares, per communicator and in call order, the collectives every rank makes: their kind, root,
reduction operation, and the type signatures that must agree (count × datatype of a broadcast or
reduction; the blocks of a gather, scatter, allgather or alltoall). Also flags a collective that one
rank calls and another rank never does.
""",
    why="""
Collectives match by order, not by name: a rank in `MPI_Allreduce` while another is in
`MPI_Allgather` deadlocks or exchanges garbage; a different root or count on one rank is erroneous.
""",
    example="""
if (rank % 2) { MPI_Allgather(...); MPI_Allreduce(...); }
else          { MPI_Allreduce(...); MPI_Allgather(...); }
""",
)


check_message_mismatch = _evaluator_rule(
    "mpi-message-mismatch",
    summary="A point-to-point message never matches (wrong tag, source or destination) or its type signature differs.",
    what="""
Replays the point-to-point calls of every rank with the standard's matching rules (source,
destination, tag, communicator, in posting order) and flags sends or receives that are never
matched, naming the call on the other rank whose tag differs when there is one, and matched pairs
whose type signatures differ (`MPI_INT` sent, `MPI_DOUBLE` received).
""",
    why="""
An unmatched message leaves a rank waiting forever or a request pending at `MPI_Finalize`; a
signature mismatch is erroneous and silently reinterprets the bytes.
""",
    example="""
if (rank == 0) MPI_Send(buf, 4, MPI_INT, 1, 0, MPI_COMM_WORLD);
else           MPI_Recv(buf, 4, MPI_INT, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);  /* tag 1 != 0 */
""",
)


check_deadlock = _evaluator_rule(
    "mpi-deadlock",
    summary="The ranks block on each other: a cycle of receives, unbuffered sends and collectives.",
    what="""
Replays the per-rank traces assuming standard sends are not buffered and collectives synchronize,
and flags the calls where every remaining rank is blocked: two ranks receiving from each other
first, sends in a cycle, a rank in a barrier while another waits for a message from it.
""",
    why="""
Such programs hang, or work only while the implementation happens to buffer the message; they
break when the message size or the MPI library changes.
""",
    example="""
MPI_Recv(buf, n, MPI_INT, other, 0, comm, &st);   /* both ranks receive first */
MPI_Send(buf, n, MPI_INT, other, 0, comm);
""",
)


check_rma_epoch = _evaluator_rule(
    "mpi-rma-epoch",
    summary="One-sided operations outside an epoch, conflicting in one epoch, or a window freed while in use.",
    what="""
Follows the windows of each rank: flags `MPI_Put`, `MPI_Get` and `MPI_Accumulate` issued before any
`MPI_Win_fence`, `MPI_Win_lock` or `MPI_Win_start` on the window, a lock taken inside a fence
epoch, accesses of the same window bytes in one fence epoch where one is a write (operations of two
ranks, or a remote operation and the target's own loads and stores), `MPI_Win_free` while operations
have not been completed by a closing synchronization, and freeing the memory a live window exposes.
""",
    why="""
One-sided operations are only defined inside an epoch and complete only at its closing
synchronization; outside of it they are erroneous and their data may never arrive.
""",
    example="""
MPI_Win_create(buf, size, sizeof(int), MPI_INFO_NULL, comm, &win);
MPI_Put(&x, 1, MPI_INT, 1, 0, 1, MPI_INT, win);   /* no MPI_Win_fence before */
""",
)


check_request_lifecycle = _evaluator_rule(
    "mpi-request-lifecycle",
    summary="A persistent request started again while active, or an active receive's request freed.",
    what="""
Follows requests on each rank: flags `MPI_Start` of a persistent request (`MPI_Send_init`,
`MPI_Recv_init`) whose previous start has not been completed, and `MPI_Request_free` of a receive
request that is still active.
""",
    why="""
Starting an active request is erroneous: the first operation's buffer and status are lost and the
implementation may abort. A freed active receive may still write its buffer at any later time, and
the program can never learn when the data has arrived.
""",
    example="""
MPI_Send_init(buf, n, MPI_INT, 1, 0, comm, &req);
MPI_Start(&req);
MPI_Start(&req);   /* no MPI_Wait in between */
""",
)
