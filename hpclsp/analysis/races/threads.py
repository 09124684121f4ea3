"""Thread-id branches: code under ``if (omp_get_thread_num() == c)`` runs on one thread only.

So does code under ``if (tid == c && other)``: an operand of a top-level ``&&`` holds wherever the
whole condition does (``||`` gives no such guarantee).

Two accesses guarded by the same constant thread id are executed by the same thread, in program
order, so they never race with each other (they still race with other threads' accesses). The
values layer decides that one side of the comparison is exactly the thread id at that point (a
direct ``omp_get_thread_num()`` call, or a variable holding it) and the other a constant; a
variable must also be private to the thread (``tids``: the caller's private thread-id names).
"""

from __future__ import annotations

from hpclsp.analysis.ir import Access
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.treeutil import then_conditions
from hpclsp.analysis.values import dependence

Node = dependence.Node


def thread_guard(src: SourceFile, access: Access, tids: set[str], stop: int) -> int | None:
    """The constant ``c`` when the access only runs in the *then* branch of ``if (tid == c)`` (below ``stop``)."""
    got = thread_branch(src, access, tids, stop)
    return got[0] if got is not None else None


def thread_branch(src: SourceFile, access: Access, tids: set[str], stop: int) -> tuple[int, int, int] | None:
    """``(c, start, end)``: the thread id and byte extent of the ``if (tid == c)`` the access runs under."""
    fortran = src.language == "fortran"
    names = {t.lower() for t in tids} if fortran else set(tids)
    for branch, cond in then_conditions(access.node, stop):
        tid = _thread_equals(src, cond, names, fortran)
        if tid is not None:
            return tid, branch.start_byte, branch.end_byte
    return None


def _thread_equals(src: SourceFile, cond: Node, names: set[str], fortran: bool) -> int | None:
    """``c`` when the condition is ``tid == c`` (either way round), or a ``&&`` chain with such an
    operand, ``tid`` the thread id (a variable holding it must be one of ``names``)."""
    for tid, c in dependence.thread_id_tests(src, cond):  # ``(me) == 0`` gives ``me``: it must be private
        if (
            tid.type != "identifier"
            or (src.node_text(tid).lower() if fortran else src.node_text(tid)) in names
        ):
            return c
    return None
