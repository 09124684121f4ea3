"""Request rules: nonblocking operations never completed, requests overwritten while pending or completed before they are started."""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.findings import Edit, Finding, Fix, Span
from hpclsp.analysis.hostcode.model import Call, Model, Unit
from hpclsp.analysis.hostcode.mpi_tables import RULE_PARAMS
from hpclsp.analysis.rules.mpi._common import (
    _block_end_insertion,
    _escapes,
    _finding,
    _in_node,
    _line_indent,
    _occurrences,
    _req_of,
    _requests,
    _shares_loop,
    _started_requests,
    _statement,
    mpi_rule,
)
from hpclsp.analysis.treeutil import Node

# -- rules: requests -----------------------------------------------------------------------------


def _wait_text(m: Model, call: Call, arg: Node) -> str:
    if m.fortran:
        req = m.text(arg)
        params = RULE_PARAMS.get(call.key, ())
        ierr = call.args[len(params)] if len(call.args) > len(params) else None
        if ierr is not None:
            return f"call MPI_Wait({req}, MPI_STATUS_IGNORE, {m.text(ierr)})"
        return f"call MPI_Wait({req}, MPI_STATUS_IGNORE)"
    return f"MPI_Wait({m.text(arg)}, MPI_STATUS_IGNORE);"


def _partial(m: Model, unit: Unit, start: Call, comp: Call) -> bool:
    """True when comp runs only on some of the paths on which start ran (an extra, different branch)."""
    sc = {m.norm_text(c) for b, c in m.controls(start.node, unit.body) if not m.is_loop(b) and c is not None}
    for b, c in m.controls(comp.node, unit.body):
        if m.is_loop(b):
            continue
        if _in_node(start.node, b):
            continue
        if c is None or m.norm_text(c) not in sc:
            return True
    return False


@mpi_rule(
    "mpi-request-not-completed",
    summary="A nonblocking MPI operation's request is never completed (no MPI_Wait/MPI_Test on every path).",
    what="""
Flags `MPI_Isend`, `MPI_Irecv` and the other nonblocking calls whose request variable is never
passed to `MPI_Wait`, `MPI_Test`, `MPI_Waitall`... in the function, or only on some paths.
""",
    why="""
Until the request completes the buffer belongs to MPI and the operation may never progress; the
request object itself leaks. Missing waits cause lost messages, corrupted buffers and hangs at
`MPI_Finalize`.
""",
    example="""
MPI_Isend(buf, n, MPI_DOUBLE, right, 0, comm, &req);
/* ... no MPI_Wait(&req, ...) before the function returns */
""",
    evaluator=True,
)
def check_request_not_completed(m: Model) -> Iterator[Finding]:
    """Nonblocking starts whose request is not completed on every path."""
    for unit, _, starts, comps in _started_requests(m):
        for s in starts:
            covering = [
                c
                for c in comps
                if not m.exclusive(s.node, c.node)
                and (c.node.start_byte > s.node.end_byte or _shares_loop(m, s.node, c.node, unit))
            ]
            full = [c for c in covering if not _partial(m, unit, s, c)]
            if full:
                continue
            if len(covering) >= 2:
                continue  # completions in several arms: assume they cover every path
            _, _, arg = _req_of(m, s)
            msg = (
                f"request '{m.text(arg)}' of {s.name} is completed only on some paths"
                if covering
                else f"request '{m.text(arg)}' of {s.name} is never completed (no MPI_Wait/MPI_Test)"
            )
            fixes = []
            if not covering and arg is not None:
                stmt = _statement(m, s.node, unit)
                pos = _block_end_insertion(m, stmt, unit, ("MPI_FINALIZE",))
                if pos is not None:
                    ind = _line_indent(m, stmt.start_point[0])
                    text = _wait_text(m, s, arg)
                    fixes.append(
                        Fix(f"Insert {text.rstrip(';')}", (Edit(Span(pos, pos), f"{ind}{text}\n"),), True)
                    )
            yield _finding(m, "mpi-request-not-completed", s.node, msg, fixes=fixes)


@mpi_rule(
    "mpi-request-overwritten",
    summary="A request variable is reused by a new nonblocking call before the previous one completed.",
    what="""
Flags a nonblocking call that stores its request into a variable still holding a pending
request: a second `MPI_Isend(..., &req)` before `MPI_Wait(&req, ...)`, or a nonblocking call in
a loop whose request is only completed after the loop.
""",
    why="""
The first request is lost: it can never be waited on, its buffer may be reused too early and
the program leaks MPI resources or hangs.
""",
    example="""
for (int i = 0; i < n; i++)
    MPI_Isend(&a[i], 1, MPI_INT, dest, i, comm, &req);   /* overwritten each iteration */
MPI_Wait(&req, MPI_STATUS_IGNORE);
""",
    evaluator=True,
)
def check_request_overwritten(m: Model) -> Iterator[Finding]:
    """Pending requests overwritten by a later start (sequentially or in a loop)."""
    for unit, name, starts, comps in _started_requests(m):
        for s in starts:
            _, kind, arg = _req_of(m, s)
            if kind not in ("whole", "addr"):
                continue
            what = f"request '{m.text(arg)}' is overwritten"
            p = _pending_start(m, unit, name, s, starts, comps)
            if p is not None:
                msg = (
                    f"{what} while the {p.name} started on line {p.node.start_point[0] + 1} is still pending"
                )
                yield _finding(
                    m, "mpi-request-overwritten", s.node, msg, see=(p.node, "the pending operation")
                )
                continue
            loop = _reusing_loop(m, unit, name, s, comps)
            if loop is not None:
                msg = f"{what} on the next loop iteration before it completes"
                yield _finding(m, "mpi-request-overwritten", s.node, msg, see=(loop, "the loop"))


def _pending_start(
    m: Model, unit: Unit, name: str, s: Call, starts: list[Call], comps: list[Call]
) -> Call | None:
    """The last earlier start of the request variable that is still pending when s starts: no completion
    and no assignment of the variable in between, and not on a path exclusive with s."""
    assigned = [
        o.start_byte
        for o in _occurrences(m, unit, name)
        if o.parent is not None and o.parent.type in ("assignment_expression", "assignment_statement")
    ]
    prev = [
        p
        for p in starts
        if p.node.end_byte < s.node.start_byte
        and not m.exclusive(p.node, s.node)
        and not any(p.node.end_byte < c.node.start_byte < s.node.start_byte for c in comps)
        and not any(p.node.end_byte < at < s.node.start_byte for at in assigned)
    ]
    return prev[-1] if prev else None


def _reusing_loop(m: Model, unit: Unit, name: str, s: Call, comps: list[Call]) -> Node | None:
    """The loop around s (inside the request variable's scope) whose next iteration starts s again
    before the request completes: no completion of it in that loop. None when there is none."""
    decl = unit.decls.get(name)
    loops = m.enclosing_loops(s.node, unit.body)
    if not loops:
        return None
    loop = loops[-1] if decl is None or decl.node is None else None
    for lp in loops:
        if decl is not None and decl.node is not None and _in_node(decl.node, lp):
            break
        loop = lp
    if loop is None or any(_in_node(c.node, loop) for c in comps):
        return None
    return loop


@mpi_rule(
    "mpi-request-unset",
    summary="MPI_Wait/MPI_Test on a request that no nonblocking call ever started.",
    what="""
Flags completion calls (`MPI_Wait`, `MPI_Test`, `MPI_Waitall`, ...) on a local request variable
that is never set: not started by a nonblocking call, not initialised to `MPI_REQUEST_NULL`,
or only started after the wait.
""",
    why="""
Waiting on an uninitialised request is undefined behaviour: it may crash, hang, or return
immediately while the real operation was started on a different variable.
""",
    example="""
MPI_Request r1, r2;
MPI_Irecv(buf, n, MPI_INT, src, 0, comm, &r1);
MPI_Wait(&r2, MPI_STATUS_IGNORE);   /* r2 never started */
""",
)
def check_request_unset(m: Model) -> Iterator[Finding]:
    """Completions of requests that were never started."""
    for unit in m.units:
        reqs = _requests(m, unit)
        for name, comps in reqs.completions.items():
            decl = unit.decls.get(name)
            if decl is None or decl.param or decl.initialized or name in reqs.other:
                continue
            if _escapes(m, unit, name):
                continue
            if any(
                o.parent is not None and o.parent.type in ("assignment_expression", "assignment_statement")
                for o in _occurrences(m, unit, name)
            ):
                continue
            starts = reqs.starts.get(name, [])
            for c in comps:
                ok = any(
                    s.node.end_byte < c.node.start_byte or _shares_loop(m, s.node, c.node, unit)
                    for s in starts
                )
                if ok:
                    continue
                _, _, arg = _req_of(m, c)
                why = "is never started" if not starts else "is only started after this call"
                yield _finding(
                    m,
                    "mpi-request-unset",
                    c.node,
                    f"{c.name} on request '{m.text(arg)}' which {why} by a nonblocking call",
                )
                break
