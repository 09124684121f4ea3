"""MPI misuse rules (``mpi-*``): requests, buffers, datatypes, collectives, init/finalize, deadlocks.

Every check works on one file at a time (inside a function, and across functions of the same file
where the calls are visible), for C/C++ and Fortran (``use mpi``, ``use mpi_f08``, ``mpif.h``).
Precision comes first: when a request or buffer escapes the analysis (passed to an unknown
function, stored through a pointer, returned), the rules stay silent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator

from hpclsp.analysis import mpi_model as mm
from hpclsp.analysis.engine import Context
from hpclsp.analysis.findings import Edit, Finding, Fix, Pos, Related, Severity, Span
from hpclsp.analysis.hostcode import mpi_run
from hpclsp.analysis.mpi_model import Call, Model, Node, Unit, walk
from hpclsp.analysis.rules import rule

FAMILY = "mpi"
LANGS = ("c", "cpp", "fortran")

# -- facts -------------------------------------------------------------------------------------

#: The one datatype ↔ language type table: MPI datatype -> accepted (normalised) C or Fortran types.
C_DATATYPES: dict[str, frozenset[str]] = {
    "MPI_INT": frozenset({"int", "signed int", "signed"}),
    "MPI_UNSIGNED": frozenset({"unsigned", "unsigned int"}),
    "MPI_LONG": frozenset({"long", "long int", "signed long"}),
    "MPI_UNSIGNED_LONG": frozenset({"unsigned long", "unsigned long int"}),
    "MPI_LONG_LONG": frozenset({"long long", "long long int"}),
    "MPI_LONG_LONG_INT": frozenset({"long long", "long long int"}),
    "MPI_UNSIGNED_LONG_LONG": frozenset({"unsigned long long"}),
    "MPI_SHORT": frozenset({"short", "short int"}),
    "MPI_UNSIGNED_SHORT": frozenset({"unsigned short"}),
    "MPI_CHAR": frozenset({"char", "signed char"}),
    "MPI_SIGNED_CHAR": frozenset({"signed char", "char"}),
    "MPI_UNSIGNED_CHAR": frozenset({"unsigned char"}),
    "MPI_FLOAT": frozenset({"float"}),
    "MPI_DOUBLE": frozenset({"double"}),
    "MPI_LONG_DOUBLE": frozenset({"long double"}),
    "MPI_C_BOOL": frozenset({"_Bool", "bool"}),
    "MPI_CXX_BOOL": frozenset({"bool"}),
    "MPI_INT8_T": frozenset({"int8_t"}),
    "MPI_INT16_T": frozenset({"int16_t"}),
    "MPI_INT32_T": frozenset({"int32_t"}),
    "MPI_INT64_T": frozenset({"int64_t"}),
    "MPI_UINT8_T": frozenset({"uint8_t"}),
    "MPI_UINT16_T": frozenset({"uint16_t"}),
    "MPI_UINT32_T": frozenset({"uint32_t"}),
    "MPI_UINT64_T": frozenset({"uint64_t"}),
}
F_DATATYPES: dict[str, frozenset[str]] = {
    "MPI_INTEGER": frozenset({"integer4"}),
    "MPI_INTEGER4": frozenset({"integer4"}),
    "MPI_INTEGER8": frozenset({"integer8"}),
    "MPI_REAL": frozenset({"real4"}),
    "MPI_REAL4": frozenset({"real4"}),
    "MPI_REAL8": frozenset({"real8"}),
    "MPI_DOUBLE_PRECISION": frozenset({"real8"}),
    "MPI_COMPLEX": frozenset({"complex8"}),
    "MPI_DOUBLE_COMPLEX": frozenset({"complex16"}),
    "MPI_COMPLEX16": frozenset({"complex16"}),
    "MPI_LOGICAL": frozenset({"logical"}),
    "MPI_CHARACTER": frozenset({"character"}),
}
#: Character datatypes, used (like MPI_BYTE) to move the raw bytes of any C data.
BYTE_VIEW_TYPES = frozenset({"MPI_CHAR", "MPI_SIGNED_CHAR", "MPI_UNSIGNED_CHAR"})
KNOWN_C_TYPES = frozenset().union(*C_DATATYPES.values())
KNOWN_F_TYPES = frozenset().union(*F_DATATYPES.values())

#: (buffer parameter, count parameter, datatype parameter) triples of the calls in PARAMS.
BUFFER_TRIPLES = (
    ("buf", "count", "datatype"),
    ("buffer", "count", "datatype"),
    ("sendbuf", "count", "datatype"),
    ("recvbuf", "count", "datatype"),
    ("sendbuf", "sendcount", "sendtype"),
    ("recvbuf", "recvcount", "recvtype"),
)

COLLECTIVES = frozenset(
    {
        "MPI_BARRIER",
        "MPI_BCAST",
        "MPI_REDUCE",
        "MPI_ALLREDUCE",
        "MPI_GATHER",
        "MPI_GATHERV",
        "MPI_SCATTER",
        "MPI_SCATTERV",
        "MPI_ALLGATHER",
        "MPI_ALLGATHERV",
        "MPI_ALLTOALL",
        "MPI_ALLTOALLV",
        "MPI_SCAN",
        "MPI_EXSCAN",
        "MPI_REDUCE_SCATTER",
        "MPI_COMM_SPLIT",
        "MPI_COMM_DUP",
        "MPI_COMM_CREATE",
        "MPI_IBARRIER",
        "MPI_IBCAST",
        "MPI_IREDUCE",
        "MPI_IALLREDUCE",
        "MPI_IGATHER",
        "MPI_IALLGATHER",
        "MPI_IALLTOALL",
    }
)
#: MPI calls allowed before MPI_Init / after MPI_Finalize.
ALWAYS_ALLOWED = frozenset(
    {
        "MPI_INITIALIZED",
        "MPI_FINALIZED",
        "MPI_GET_VERSION",
        "MPI_GET_LIBRARY_VERSION",
        "MPI_INIT",
        "MPI_INIT_THREAD",
        "MPI_WTIME",
        "MPI_WTICK",
        "MPI_FINALIZE",
    }
)
#: MPI calls that need no particular thread support level.
THREAD_NEUTRAL = frozenset(
    {"MPI_WTIME", "MPI_WTICK", "MPI_INITIALIZED", "MPI_FINALIZED", "MPI_QUERY_THREAD", "MPI_IS_THREAD_MAIN"}
)
THREAD_LEVELS = {
    "MPI_THREAD_SINGLE": 0,
    "MPI_THREAD_FUNNELED": 1,
    "MPI_THREAD_SERIALIZED": 2,
    "MPI_THREAD_MULTIPLE": 3,
}
LEVEL_NAMES = {v: k for k, v in THREAD_LEVELS.items()}
CREATORS = {
    "MPI_COMM_SPLIT": ("newcomm", "MPI_Comm_free"),
    "MPI_COMM_DUP": ("newcomm", "MPI_Comm_free"),
    "MPI_COMM_CREATE": ("newcomm", "MPI_Comm_free"),
}
TYPE_CREATORS = {k for k in mm.PARAMS if k.startswith("MPI_TYPE_") and mm.PARAMS[k][-1] == "newtype"}
FREES = frozenset({"MPI_COMM_FREE", "MPI_TYPE_FREE", "MPI_COMM_DISCONNECT"})
FINALIZE_HINTS = ("final", "finish", "shutdown", "cleanup", "teardown")


def _with_evaluator(
    code: str,
) -> Callable[[Callable[[Context], Iterable[Finding]]], Callable[[Context], Iterator[Finding]]]:
    """Add the per-rank evaluator's findings of ``code`` on lines the pattern check did not flag."""

    def deco(fn: Callable[[Context], Iterable[Finding]]) -> Callable[[Context], Iterator[Finding]]:
        @functools.wraps(fn)
        def run(ctx: Context) -> Iterator[Finding]:
            own = list(fn(ctx))
            lines = {f.span.start.line for f in own if f.code == code}
            yield from own
            if ctx.source.language in LANGS:
                for f in mpi_run.as_findings(ctx.source, code):
                    if f.span.start.line not in lines:
                        yield f

        return run

    return deco


def _model(ctx: Context) -> Model | None:
    if not mm.uses_mpi(ctx.source):
        return None
    return mm.model(ctx.source)


def _finding(m: Model, code: str, node: Node, message: str, **kw) -> Finding:
    return Finding(code, message, m.source.node_span(node), Severity.WARNING, **kw)


def _call_name_span(m: Model, call: Call) -> Node:
    """The node to underline for a call: C the call expression, Fortran the subroutine call."""
    return call.node


# -- shared request machinery --------------------------------------------------------------------


def _occurrences(m: Model, unit: Unit, name: str) -> list[Node]:
    return [n for n in walk(unit.body) if n.type == "identifier" and m.norm(m.text(n)) == name]


def _in_node(n: Node, outer: Node) -> bool:
    return outer.start_byte <= n.start_byte and n.end_byte <= outer.end_byte


def _escapes(m: Model, unit: Unit, name: str, own_units_ok: bool = False) -> bool:
    """True when a variable is used anywhere except as an argument of an MPI call / its declaration."""
    decl = m.decl(unit, name)
    if decl is None or decl.param or name not in unit.decls:
        return True
    mpi_calls = [c for c in unit.calls if c.is_mpi]
    local_units = {u.name: u for u in m.units}
    for occ in _occurrences(m, unit, name):
        if decl.node is not None and _in_node(occ, decl.node):
            continue
        if any(_in_node(occ, c.node) and c.node.child_by_field_name("function") != occ for c in mpi_calls):
            continue
        if own_units_ok:
            host = next((c for c in unit.calls if not c.is_mpi and _in_node(occ, c.node)), None)
            callee = local_units.get(host.key) if host is not None else None
            if callee is not None and not any(c.key in FREES for c in callee.calls):
                continue
        # `req = MPI_REQUEST_NULL` (a reset) is a plain assignment: fine for requests
        par = occ.parent
        if par is not None and par.type in ("assignment_expression", "assignment_statement"):
            rhs = par.child_by_field_name("right")
            if (
                par.child_by_field_name("left") == occ
                and rhs is not None
                and "REQUEST_NULL" in m.text(rhs).upper()
            ):
                continue
        return True
    return False


def _req_of(m: Model, call: Call) -> tuple[str | None, str, Node | None]:
    """The request variable of a start/completion call: (name, kind, arg node)."""
    if call.key in mm.COMPLETE_MANY:
        arg = call.arg("array_of_requests")
    else:
        arg = call.arg("request")
    name, kind = m.base_name(arg)
    return name, kind, arg


def _shares_loop(m: Model, a: Node, b: Node, unit: Unit) -> bool:
    la = {x.start_byte for x in m.enclosing_loops(a, unit.body)}
    return any(x.start_byte in la for x in m.enclosing_loops(b, unit.body))


class _Requests:
    """Starts and completions of each local request variable of a unit."""

    def __init__(self, m: Model, unit: Unit) -> None:
        self.starts: dict[str, list[Call]] = {}
        self.completions: dict[str, list[Call]] = {}
        self.other: set[str] = set()
        for c in unit.calls:
            if not c.is_mpi:
                continue
            if c.key in mm.NONBLOCKING:
                name, _, _ = _req_of(m, c)
                if name:
                    self.starts.setdefault(name, []).append(c)
            elif c.key in mm.COMPLETIONS:
                name, _, _ = _req_of(m, c)
                if name:
                    self.completions.setdefault(name, []).append(c)
            else:  # persistent inits, starts, cancels, and calls not modelled (MPI_Rget, MPI_Grequest_start)
                for a in c.args:
                    n, _ = m.base_name(a)
                    if n:
                        self.other.add(n)


def _requests(m: Model, unit: Unit) -> _Requests:
    key = f"mpi_requests:{unit.node.start_byte}"
    r = m.source.cache.get(key)
    if r is None:
        r = _Requests(m, unit)
        m.source.cache[key] = r
    return r


def _line_indent(m: Model, line: int) -> str:
    text = m.source.lines[line] if line < len(m.source.lines) else ""
    return text[: len(text) - len(text.lstrip())]


def _statement(m: Model, node: Node, unit: Unit) -> Node:
    """The statement containing an expression node (C expression_statement; Fortran the call itself)."""
    cur = node
    if m.fortran:
        return cur
    while cur.parent is not None and cur.type not in (
        "expression_statement",
        "declaration",
        "return_statement",
    ):
        if cur.parent == unit.body:
            break
        cur = cur.parent
    return cur


JUMPS_C = ("return_statement", "goto_statement", "break_statement", "continue_statement")
END_TYPES_F = ("elseif_clause", "else_clause", "end_if_statement", "end_do_loop_statement", "case_statement")


def _block_end_insertion(m: Model, stmt: Node, unit: Unit, before_keys: Iterable[str] = ()) -> Pos | None:
    """Where to insert a statement at the end of stmt's block: before a trailing return / Finalize /
    the block's end. Returns the start of a line (column 0), or None when the layout does not allow it."""
    keys = set(before_keys)
    container = stmt.parent
    if container is None:
        return None
    target: Node | None = None
    seen = False
    for ch in container.children:
        if ch == stmt:
            seen = True
            continue
        if not seen:
            continue
        t = ch.type
        if m.fortran:
            if (
                t.startswith("end_")
                or t in END_TYPES_F
                or t == "internal_procedures"
                or t == "contains_statement"
            ):
                target = ch
                break
            if t in ("keyword_statement", "stop_statement") and m.text(ch).lower().split()[0] in (
                "return",
                "stop",
                "error",
            ):
                target = ch
                break
        else:
            if t == "}" or t in JUMPS_C:
                target = ch
                break
        if keys and any(c.key in keys and _in_node(c.node, ch) for c in unit.calls if c.is_mpi):
            target = ch
            break
    if target is None:
        return None
    line = target.start_point[0]
    prefix = m.source.lines[line][: m.source.byte_to_col(line, target.start_point[1])]
    if prefix.strip():
        return None
    return Pos(line, 0)


# -- rules: requests -----------------------------------------------------------------------------


def _wait_text(m: Model, call: Call, arg: Node) -> str:
    if m.fortran:
        req = m.text(arg)
        params = mm.PARAMS.get(call.key, ())
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


@rule(
    "mpi-request-not-completed",
    family=FAMILY,
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
    languages=LANGS,
)
@_with_evaluator("mpi-request-not-completed")
def check_request_not_completed(ctx: Context) -> Iterator[Finding]:
    """Nonblocking starts whose request is not completed on every path."""
    m = _model(ctx)
    if m is None:
        return
    for unit in m.units:
        reqs = _requests(m, unit)
        for name, starts in reqs.starts.items():
            if name in reqs.other or _escapes(m, unit, name):
                continue
            comps = reqs.completions.get(name, [])
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


@rule(
    "mpi-request-overwritten",
    family=FAMILY,
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
    languages=LANGS,
)
@_with_evaluator("mpi-request-overwritten")
def check_request_overwritten(ctx: Context) -> Iterator[Finding]:
    """Pending requests overwritten by a later start (sequentially or in a loop)."""
    m = _model(ctx)
    if m is None:
        return
    for unit in m.units:
        reqs = _requests(m, unit)
        for name, starts in reqs.starts.items():
            if name in reqs.other or _escapes(m, unit, name):
                continue
            comps = reqs.completions.get(name, [])
            decl = unit.decls.get(name)
            for s in starts:
                _, kind, arg = _req_of(m, s)
                if kind not in ("whole", "addr"):
                    continue
                prev = [
                    p
                    for p in starts
                    if p.node.end_byte < s.node.start_byte
                    and not m.exclusive(p.node, s.node)
                    and not any(p.node.end_byte < c.node.start_byte < s.node.start_byte for c in comps)
                    and not any(
                        p.node.end_byte < o.start_byte < s.node.start_byte
                        and o.parent is not None
                        and o.parent.type in ("assignment_expression", "assignment_statement")
                        for o in _occurrences(m, unit, name)
                    )
                ]
                if prev:
                    p = prev[-1]
                    yield _finding(
                        m,
                        "mpi-request-overwritten",
                        s.node,
                        f"request '{m.text(arg)}' is overwritten while the {p.name} started on line "
                        f"{p.node.start_point[0] + 1} is still pending",
                        related=[Related(m.source.node_span(p.node), "the pending operation")],
                    )
                    continue
                loops = m.enclosing_loops(s.node, unit.body)
                if not loops:
                    continue
                loop = loops[-1] if decl is None or decl.node is None else None
                for lp in loops:
                    if decl is not None and decl.node is not None and _in_node(decl.node, lp):
                        break
                    loop = lp
                if loop is None:
                    continue
                if any(_in_node(c.node, loop) for c in comps):
                    continue
                yield _finding(
                    m,
                    "mpi-request-overwritten",
                    s.node,
                    f"request '{m.text(arg)}' is overwritten on the next loop iteration before it completes",
                    related=[Related(m.source.node_span(loop), "the loop")],
                )


@rule(
    "mpi-request-unset",
    family=FAMILY,
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
    languages=LANGS,
)
def check_request_unset(ctx: Context) -> Iterator[Finding]:
    """Completions of requests that were never started."""
    m = _model(ctx)
    if m is None:
        return
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


# -- buffers -------------------------------------------------------------------------------------

BUFFER_ROLES = {
    "buf": None,  # depends on the call (send or recv)
    "buffer": "inout",
    "sendbuf": "read",
    "recvbuf": "write",
}


def _buffer_role(call: Call, param: str) -> str:
    if param == "buf":
        return "write" if "RECV" in call.key else "read"
    if param == "buffer":
        return "write"
    return BUFFER_ROLES.get(param) or "read"


def _access_kind(m: Model, occ: Node, unit: Unit) -> str:
    """'read', 'write', 'rw', 'unknown' (address taken / passed to an unknown function) or 'ignore'."""
    cur = occ
    while cur.parent is not None:
        par = cur.parent
        t = par.type
        if t == "subscript_expression" and par.child_by_field_name("argument") == cur:
            cur = par
            continue
        if t == "subscript_expression":
            return "read"  # used as an index
        if t in ("parenthesized_expression",):
            cur = par
            continue
        if t == "field_expression":
            cur = par
            continue
        if t == "pointer_expression":
            if m.text(par.child_by_field_name("operator")) == "&":
                return "unknown"
            cur = par
            continue
        if t == "sizeof_expression":
            return "ignore"
        if m.fortran and t == "call_expression" and par.named_children and par.named_children[0] == cur:
            cur = par
            continue
        if t in ("assignment_expression", "assignment_statement"):
            if par.child_by_field_name("left") == cur:
                op = par.child_by_field_name("operator")
                return "rw" if op is not None and m.text(op) != "=" else "write"
            return "read"
        if t == "update_expression":
            return "rw"
        if t == "argument_list":
            call = par.parent
            if call is not None and call.type in ("call_expression", "subroutine_call"):
                fn = call.child_by_field_name("function") or call.child_by_field_name("subroutine")
                if fn is None and call.named_children:
                    fn = call.named_children[0]
                name = m.text(fn).lower() if fn is not None else ""
                if m.fortran and call.type == "call_expression" and not name.startswith("mpi_"):
                    return "read"  # array element or intrinsic function reference
                if name in ("printf", "fprintf", "puts", "sqrt", "fabs", "exp", "log", "sin", "cos", "abs"):
                    return "read"
                return "unknown"
            return "read"
        if t in ("expression_statement", "init_declarator", "return_statement"):
            return "read"
        cur = par
        if t in (
            "binary_expression",
            "unary_expression",
            "conditional_expression",
            "math_expression",
            "relational_expression",
            "logical_expression",
            "cast_expression",
            "comma_expression",
            "parenthesized_expression",
            "call_expression",
        ):
            return "read"
    return "read"


def _const_index(m: Model, occ: Node) -> int | None:
    par = occ.parent
    if par is None:
        return None
    if par.type == "subscript_expression" and par.child_by_field_name("argument") == occ:
        return m.eval_int(
            par.child_by_field_name("index") or (par.named_children[-1] if par.named_children else None)
        )
    if m.fortran and par.type == "call_expression":
        al = next((c for c in par.named_children if c.type == "argument_list"), None)
        if al is not None and len(al.named_children) == 1:
            return m.eval_int(al.named_children[0])
    return None


@rule(
    "mpi-buffer-race",
    family=FAMILY,
    summary="A nonblocking operation's buffer is used before the operation completes.",
    what="""
Flags a write to the buffer of a pending `MPI_Isend`, or a read or write of the buffer of a
pending `MPI_Irecv` (and nonblocking collectives), between the call and its `MPI_Wait`/`MPI_Test`.
""",
    why="""
MPI owns the buffer until the request completes: a send may transmit the new values, a receive
may not have arrived yet. The result depends on timing and message size.
""",
    example="""
MPI_Irecv(halo, n, MPI_DOUBLE, left, 0, comm, &req);
sum = halo[0];                       /* read before MPI_Wait */
MPI_Wait(&req, MPI_STATUS_IGNORE);
""",
    languages=LANGS,
)
@_with_evaluator("mpi-buffer-race")
def check_buffer_race(ctx: Context) -> Iterator[Finding]:
    """Accesses to pending nonblocking buffers."""
    m = _model(ctx)
    if m is None:
        return
    for unit in m.units:
        reqs = _requests(m, unit)
        for rname, starts in reqs.starts.items():
            comps = reqs.completions.get(rname, [])
            for s in starts:
                after = [
                    c
                    for c in comps
                    if c.node.start_byte > s.node.end_byte and not m.exclusive(s.node, c.node)
                ]
                if not after:
                    continue
                end = min(c.node.start_byte for c in after)
                params = mm.PARAMS.get(s.key, ())
                for p in ("buf", "buffer", "sendbuf", "recvbuf"):
                    if p not in params:
                        continue
                    arg = s.arg(p)
                    bname, kind = m.base_name(arg)
                    if not bname or bname not in unit.decls and bname not in m.globals:
                        continue
                    decl = m.decl(unit, bname)
                    if decl is None:
                        continue
                    if kind in ("elem", "offset"):
                        continue  # a part of an array: other parts may be used legally
                    role = _buffer_role(s, p)
                    count = m.eval_int(s.arg("count"))
                    for occ in _occurrences(m, unit, bname):
                        if not (s.node.end_byte <= occ.start_byte < end) or m.exclusive(s.node, occ):
                            continue
                        host = next((c for c in unit.calls if c.is_mpi and _in_node(occ, c.node)), None)
                        if host is not None:
                            acc = "read"
                            for q in mm.PARAMS.get(host.key, ()):
                                a = host.arg(q)
                                if a is not None and _in_node(occ, a) and q in BUFFER_ROLES:
                                    acc = _buffer_role(host, q)
                                    break
                            else:
                                continue
                        else:
                            acc = _access_kind(m, occ, unit)
                        if acc == "unknown":
                            break
                        if acc == "ignore":
                            continue
                        idx = _const_index(m, occ)
                        lo = decl.lower if m.fortran else 0
                        if idx is not None and count is not None and not (lo <= idx < lo + count):
                            continue
                        writes = acc in ("write", "rw", "inout")
                        if role == "read" and not writes:
                            continue
                        verb = "written" if writes else "read"
                        yield _finding(
                            m,
                            "mpi-buffer-race",
                            occ,
                            f"'{bname}' is {verb} while the {s.name} using it (line {s.node.start_point[0] + 1}) "
                            "has not completed",
                            related=[Related(m.source.node_span(s.node), f"{s.name} started here")],
                        )
                        break


# -- datatypes and counts ---------------------------------------------------------------------


def _fortran_type(m: Model, t: str) -> str | None:
    t = t.replace(" ", "").lower()
    kind: int | None = None
    base = re.match(r"[a-z]+(precision)?", t)
    if not base:
        return None
    b = base.group(0)
    rest = t[len(b) :]
    if b == "doubleprecision":
        return "real8"
    if b == "doublecomplex":
        return "complex16"
    if rest.startswith("*"):
        kind = mm._int_literal(rest[1:])
    elif rest.startswith("("):
        inner = rest[1:].rstrip(")")
        inner = inner.split("=", 1)[1] if inner.startswith("kind=") else inner
        named = {"real32": 4, "real64": 8, "int32": 4, "int64": 8, "c_double": 8, "c_float": 4, "c_int": 4}
        kind = named.get(inner, mm._int_literal(inner))
        if kind is None:
            kind = m.constants.get(inner)
        if kind is None:
            return None
    elif rest:
        return None
    if b == "integer":
        return f"integer{kind or 4}"
    if b == "real":
        return f"real{kind or 4}"
    if b == "complex":
        return f"complex{2 * (kind or 4)}"
    if b in ("logical", "character") and kind is None:
        return b
    return None


def _c_type(t: str) -> str:
    words = [
        w for w in t.split() if w not in ("const", "volatile", "static", "register", "extern", "restrict")
    ]
    return " ".join(words)


def _buffer_decl(m: Model, unit: Unit, arg: Node | None):
    name, kind = m.base_name(arg)
    if not name:
        return None, "", None
    return name, kind, m.decl(unit, name)


@rule(
    "mpi-datatype-mismatch",
    family=FAMILY,
    summary="The MPI datatype does not match the C/Fortran type of the buffer.",
    what="""
Compares the datatype argument of point-to-point and collective calls with the declared type of
the buffer: `MPI_INT` with a `double *`, `MPI_DOUBLE_PRECISION` with a default `real` array.
""",
    why="""
MPI reinterprets the bytes: the data is garbled and the byte count is wrong, so the receive may
overrun its buffer or truncate the message.
""",
    example="""
double x[100];
MPI_Send(x, 100, MPI_INT, 1, 0, MPI_COMM_WORLD);   /* use MPI_DOUBLE */
""",
    languages=LANGS,
)
@_with_evaluator("mpi-datatype-mismatch")
def check_datatype(ctx: Context) -> Iterator[Finding]:
    """Datatype vs declared buffer type."""
    m = _model(ctx)
    if m is None:
        return
    table = F_DATATYPES if m.fortran else C_DATATYPES
    for unit in m.units:
        for c in unit.calls:
            params = mm.PARAMS.get(c.key)
            if not params:
                continue
            for bp, _, tp in BUFFER_TRIPLES:
                if bp not in params or tp not in params:
                    continue
                dt = m.text(c.arg(tp)).upper()
                accepted = table.get(dt)
                if accepted is None or dt in BYTE_VIEW_TYPES:
                    continue
                name, kind, decl = _buffer_decl(m, unit, c.arg(bp))
                if decl is None:
                    continue
                if m.fortran:
                    ft = _fortran_type(m, decl.type)
                    if ft is None or ft not in KNOWN_F_TYPES or ft in accepted:
                        continue
                    shown = decl.type
                else:
                    ct = _c_type(decl.type)
                    if ct not in KNOWN_C_TYPES or ct in accepted:
                        continue
                    if kind == "whole" and not (
                        decl.pointer == 1 and not decl.is_array or decl.pointer == 0 and decl.is_array
                    ):
                        continue
                    if kind == "addr" and (decl.pointer or decl.is_array):
                        continue
                    if kind in ("elem", "offset") and decl.pointer + (1 if decl.is_array else 0) != 1:
                        continue
                    shown = ct
                arg = c.arg(tp)
                if arg is None:
                    continue
                yield _finding(
                    m,
                    "mpi-datatype-mismatch",
                    arg,
                    f"{m.text(arg)} does not match the type of '{name}' ({shown})",
                    related=[Related(m.source.node_span(decl.node), f"'{name}' declared here")]
                    if decl.node
                    else [],
                )


@rule(
    "mpi-count-overflow",
    family=FAMILY,
    summary="The element count is larger than the statically known size of the buffer.",
    what="""
Flags a constant count larger than the number of elements from the buffer argument to the end of
a fixed-size array (C `double a[N]`, Fortran `real :: a(0:n+1)` with constant bounds).
""",
    why="""
A receive writes past the end of the array and corrupts memory; a send reads garbage past it.
""",
    example="""
double a[100];
MPI_Recv(a, 200, MPI_DOUBLE, 0, 0, comm, MPI_STATUS_IGNORE);
""",
    languages=LANGS,
)
@_with_evaluator("mpi-count-overflow")
def check_count(ctx: Context) -> Iterator[Finding]:
    """Counts larger than known buffers."""
    m = _model(ctx)
    if m is None:
        return
    table = F_DATATYPES if m.fortran else C_DATATYPES
    for unit in m.units:
        for c in unit.calls:
            params = mm.PARAMS.get(c.key)
            if not params:
                continue
            for bp, cp, tp in BUFFER_TRIPLES:
                if bp not in params or cp not in params:
                    continue
                if m.text(c.arg(tp)).upper() not in table:
                    continue
                count = m.eval_int(c.arg(cp))
                arg = c.arg(bp)
                name, kind, decl = _buffer_decl(m, unit, arg)
                if count is None or decl is None or decl.size is None or decl.pointer:
                    continue
                if not m.fortran and kind == "whole" and not decl.is_array:
                    continue
                offset: int | None = 0
                if kind in ("elem", "offset"):
                    idx_node = None
                    if arg is None:
                        continue
                    if m.fortran:
                        al = next((x for x in arg.named_children if x.type == "argument_list"), None)
                        if al is None or len(al.named_children) != 1:
                            continue
                        idx = m.eval_int(al.named_children[0])
                        offset = None if idx is None else idx - decl.lower
                    else:
                        inner: Node | None = arg
                        while inner is not None and inner.type in (
                            "pointer_expression",
                            "parenthesized_expression",
                            "cast_expression",
                        ):
                            inner = (
                                inner.child_by_field_name("argument")
                                or inner.child_by_field_name("value")
                                or (inner.named_children[0])
                            )
                        if inner is None:
                            continue
                        if inner.type == "subscript_expression":
                            idx_node = inner.child_by_field_name("index") or inner.named_children[-1]
                            base = inner.child_by_field_name("argument")
                            if base is None or base.type != "identifier":
                                continue
                        elif inner.type == "binary_expression":
                            idx_node = inner.child_by_field_name("right")
                        offset = m.eval_int(idx_node)
                        if (
                            offset is not None
                            and inner.type == "binary_expression"
                            and m.text(inner.child_by_field_name("operator")) == "-"
                        ):
                            offset = -offset
                if offset is None or offset < 0:
                    continue
                avail = decl.size - offset
                if count > avail:
                    cnode = c.arg(cp)
                    if cnode is None:
                        continue
                    yield _finding(
                        m,
                        "mpi-count-overflow",
                        cnode,
                        f"count {count} exceeds the {avail} element(s) of '{name}' available from {m.text(arg)}",
                        related=[Related(m.source.node_span(decl.node), f"'{name}' declared here")]
                        if decl.node
                        else [],
                    )


# -- collectives and ranks ----------------------------------------------------------------------


def _rank_info(m: Model, unit: Unit) -> tuple[set[str], set[str]]:
    """(variables derived from the rank, communicator texts the rank was taken on)."""
    seeds, comms = set(), set()
    for c in unit.calls:
        if c.key == "MPI_COMM_RANK":
            n, _ = m.base_name(c.arg("rank"))
            if n:
                seeds.add(n)
                comms.add(m.norm_text(c.arg("comm")))
    if not seeds:
        return set(), set()
    return m.taint(unit, seeds), comms


def _collective_units(m: Model) -> dict[str, set[str]]:
    """Units of the file that (transitively) call collectives: unit name -> collective names."""
    direct = {u.name: {c.key for c in u.calls if c.key in COLLECTIVES} for u in m.units}
    calls = {u.name: {c.key for c in u.calls if not c.is_mpi} for u in m.units}
    changed = True
    while changed:
        changed = False
        for u, callees in calls.items():
            for v in callees:
                if v in direct and not direct[v] <= direct[u]:
                    direct[u] |= direct[v]
                    changed = True
    return {k: v for k, v in direct.items() if v}


def _arm_collectives(
    m: Model, branch: Node, arm_child: Node, unit: Unit, coll_units: dict[str, set[str]]
) -> list[str]:
    out = []
    for c in unit.calls:
        if _in_node(c.node, arm_child):
            if c.key in COLLECTIVES:
                out.append(c.key)
            elif c.key in coll_units:
                out.extend(sorted(coll_units[c.key]))
    return sorted(out)


def _arms(m: Model, branch: Node) -> list[Node] | None:
    """The arms of an if (None when some path takes no arm: an if without else)."""
    if m.fortran and branch.type == "if_statement":
        arms: list[Node] = []
        then_nodes = [
            c
            for c in branch.named_children
            if c.type not in ("elseif_clause", "else_clause", "end_if_statement")
        ]
        then_nodes = then_nodes[1:]
        has_else = any(c.type == "else_clause" for c in branch.named_children)
        if not has_else:
            return None
        arms = [c for c in branch.named_children if c.type in ("elseif_clause", "else_clause")]
        return [branch, *arms]  # the 'then' arm is represented by the if itself (filtered by position)
    if branch.type == "if_statement":
        alt = branch.child_by_field_name("alternative")
        if alt is None:
            return None
        cons = branch.child_by_field_name("consequence")
        return None if cons is None else [cons, alt]
    if branch.type == "conditional_expression":
        a, b = branch.child_by_field_name("consequence"), branch.child_by_field_name("alternative")
        return None if a is None or b is None else [a, b]
    return None


@rule(
    "mpi-collective-rank-branch",
    family=FAMILY,
    summary="A collective call under a branch or loop whose condition depends on the rank.",
    what="""
Flags collectives (`MPI_Barrier`, `MPI_Bcast`, `MPI_Allreduce`, ...) — or calls of functions in the
same file that perform them — inside an `if`, `switch` or loop whose condition depends on the
process rank (directly or through variables computed from it), unless every arm performs the
same collectives.
""",
    why="""
Every process of the communicator must call a collective, in the same order. When ranks take
different paths, some wait in the collective forever: the program hangs or matches the wrong
collectives.
""",
    example="""
if (rank == 0)
    MPI_Barrier(MPI_COMM_WORLD);   /* the other ranks never arrive */
""",
    languages=LANGS,
)
def check_collective_rank_branch(ctx: Context) -> Iterator[Finding]:
    """Collectives under rank-dependent control flow."""
    if mpi_run.evaluates(ctx.source):
        return  # a program with a main: the per-rank evaluator's mpi-collective-mismatch decides
    m = _model(ctx)
    if m is None:
        return
    coll_units = _collective_units(m)
    for unit in m.units:
        tainted, comms = _rank_info(m, unit)
        if not tainted:
            continue
        for c in unit.calls:
            if c.key in COLLECTIVES:
                comm = m.norm_text(
                    c.arg("comm") if "comm" in mm.PARAMS.get(c.key, ()) else (c.args[0] if c.args else None)
                )
                if c.key in ("MPI_COMM_SPLIT", "MPI_COMM_DUP", "MPI_COMM_CREATE"):
                    comm = m.norm_text(c.arg("comm"))
                if comm not in comms:
                    continue
                label = c.name
            elif c.key in coll_units and c.key != unit.name:
                label = f"{c.name} (which calls {', '.join(sorted(coll_units[c.key]))})"
            else:
                continue
            for b, cond in m.controls(c.node, unit.body):
                if cond is None or not (m.idents(cond) & tainted):
                    continue
                if not m.is_loop(b):
                    top = b
                    if b.type == "elseif_clause" and b.parent is not None:
                        top = b.parent
                    arms = _arms(m, top)
                    if arms is not None:
                        sets = []
                        for i, a in enumerate(arms):
                            if m.fortran and i == 0:
                                sub = [
                                    x
                                    for x in unit.calls
                                    if _in_node(x.node, top) and m.arm(top, x.node) == -1
                                ]
                                sets.append(
                                    sorted(
                                        x.key
                                        if x.key in COLLECTIVES
                                        else "+".join(sorted(coll_units.get(x.key, ())))
                                        for x in sub
                                        if x.key in COLLECTIVES or x.key in coll_units
                                    )
                                )
                            else:
                                sets.append(_arm_collectives(m, top, a, unit, coll_units))
                        if all(s == sets[0] for s in sets):
                            continue
                what = "loop" if m.is_loop(b) else "branch"
                yield _finding(
                    m,
                    "mpi-collective-rank-branch",
                    c.node,
                    f"collective {label} is inside a {what} whose condition depends on the rank "
                    f"('{m.text(cond).strip()}'); ranks that take another path never call it",
                    related=[Related(m.source.node_span(cond), "rank-dependent condition")],
                )
                break


# -- init / finalize -----------------------------------------------------------------------------


def _mpi_units(m: Model) -> set[str]:
    """Names of units that (transitively) make MPI calls other than the always-allowed ones."""
    direct = {u.name for u in m.units if any(c.is_mpi and c.key not in ALWAYS_ALLOWED for c in u.calls)}
    changed = True
    while changed:
        changed = False
        for u in m.units:
            if u.name not in direct and any(c.key in direct for c in u.calls):
                direct.add(u.name)
                changed = True
    return direct


def _is_init(c: Call) -> bool:
    return c.key in ("MPI_INIT", "MPI_INIT_THREAD")


@rule(
    "mpi-call-before-init",
    family=FAMILY,
    summary="An MPI call made before MPI_Init.",
    what="""
Flags MPI calls (and calls of functions of the same file that make MPI calls) that run before
`MPI_Init`/`MPI_Init_thread` in the function that initialises MPI. `MPI_Initialized`,
`MPI_Get_version` and `MPI_Wtime` are allowed.
""",
    why="""
Almost every MPI routine is erroneous before initialisation: implementations abort or crash.
""",
    example="""
MPI_Comm_rank(MPI_COMM_WORLD, &rank);   /* before MPI_Init */
MPI_Init(&argc, &argv);
""",
    languages=LANGS,
)
def check_before_init(ctx: Context) -> Iterator[Finding]:
    """MPI calls preceding MPI_Init."""
    m = _model(ctx)
    if m is None:
        return
    mpi_units = _mpi_units(m)
    for unit in m.units:
        inits = [c for c in unit.calls if _is_init(c)]
        if not inits:
            continue
        init = inits[0]
        if m.controls(init.node, unit.body):
            continue
        for c in unit.calls:
            if c.node.start_byte >= init.node.start_byte:
                break
            if c.is_mpi and c.key not in ALWAYS_ALLOWED:
                label = c.name
            elif not c.is_mpi and c.key in mpi_units and c.key != unit.name:
                label = f"{c.name} (which makes MPI calls)"
            else:
                continue
            yield _finding(
                m,
                "mpi-call-before-init",
                c.node,
                f"{label} is called before {init.name} (line {init.node.start_point[0] + 1})",
                related=[Related(m.source.node_span(init.node), "MPI is initialised here")],
            )


def _after(m: Model, node: Node, unit: Unit) -> list[Node]:
    """Statements that may run after node's statement in the same function (no loops crossed;
    stops at a return/stop/exit)."""
    out: list[Node] = []
    cur = node
    while cur.parent is not None and cur != unit.body:
        par = cur.parent
        if m.is_loop(par):
            break
        if par.type in (
            "compound_statement",
            "program",
            "subroutine",
            "function",
            "if_statement",
            "else_clause",
            "elseif_clause",
            "case_statement",
            "translation_unit",
        ):
            seen = False
            for ch in par.named_children:
                if ch == cur:
                    seen = True
                    continue
                if not seen:
                    continue
                if par.type in ("if_statement",) and ch.type in ("else_clause", "elseif_clause"):
                    break
                if (
                    ch.type in JUMPS_C
                    or ch.type == "stop_statement"
                    or (ch.type == "keyword_statement" and m.text(ch).lower() in ("return", "exit"))
                    or (ch.type == "expression_statement" and re.match(r"\s*(exit|abort)\s*\(", m.text(ch)))
                ):
                    return out
                if ch.type.startswith("end_") or ch.type in ("internal_procedures",):
                    break
                out.append(ch)
        if par == unit.body:
            break
        cur = par
    return out


@rule(
    "mpi-call-after-finalize",
    family=FAMILY,
    summary="An MPI call made after MPI_Finalize.",
    what="""
Flags MPI calls (and calls of functions of the same file that make MPI calls) that can run after
`MPI_Finalize` in the same function.
""",
    why="""
After `MPI_Finalize` no MPI routine but a few queries may be called; the call fails or aborts.
""",
    example="""
MPI_Finalize();
MPI_Barrier(MPI_COMM_WORLD);   /* after finalize */
""",
    languages=LANGS,
)
def check_after_finalize(ctx: Context) -> Iterator[Finding]:
    """MPI calls following MPI_Finalize."""
    m = _model(ctx)
    if m is None:
        return
    mpi_units = _mpi_units(m)
    for unit in m.units:
        for f in unit.calls:
            if f.key != "MPI_FINALIZE":
                continue
            stmt = _statement(m, f.node, unit)
            later = _after(m, stmt, unit)
            for c in unit.calls:
                if not any(_in_node(c.node, s) for s in later):
                    continue
                if c.is_mpi and c.key not in ALWAYS_ALLOWED:
                    label = c.name
                elif not c.is_mpi and c.key in mpi_units and c.key != unit.name:
                    label = f"{c.name} (which makes MPI calls)"
                else:
                    continue
                yield _finding(
                    m,
                    "mpi-call-after-finalize",
                    c.node,
                    f"{label} may be called after MPI_Finalize (line {f.node.start_point[0] + 1})",
                    related=[Related(m.source.node_span(f.node), "MPI is finalised here")],
                )


@rule(
    "mpi-missing-finalize",
    family=FAMILY,
    summary="The program initialises MPI but never calls MPI_Finalize.",
    what="""
Flags `MPI_Init`/`MPI_Init_thread` in `main` (or a Fortran `program`) when the file never calls
`MPI_Finalize` (nor a function whose name suggests it finalises).
""",
    why="""
Without `MPI_Finalize` pending communication may be lost, output truncated and many launchers
report the job as failed.
""",
    example="""
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    /* ... */
    return 0;                     /* MPI_Finalize() missing */
}
""",
    languages=LANGS,
)
def check_missing_finalize(ctx: Context) -> Iterator[Finding]:
    """MPI_Init without MPI_Finalize in the file."""
    m = _model(ctx)
    if m is None:
        return
    if any(c.key in ("MPI_FINALIZE", "MPI_ABORT") for u in m.units for c in u.calls):
        return
    local = {u.name for u in m.units}
    for unit in m.units:
        if not unit.is_main:
            continue
        inits = [c for c in unit.calls if _is_init(c)]
        if not inits:
            continue
        if any(
            not c.is_mpi and c.key not in local and any(h in c.key.lower() for h in FINALIZE_HINTS)
            for c in unit.calls
        ):
            continue
        init = inits[0]
        fixes = []
        if m.fortran:
            end = next((c for c in unit.node.named_children if c.type.startswith("end_")), None)
            ierr = (
                init.args[-1]
                if init.args and init.key == "MPI_INIT"
                else (init.args[2] if init.key == "MPI_INIT_THREAD" and len(init.args) > 2 else None)
            )
            if init.key == "MPI_INIT_THREAD" and len(init.args) > 2:
                ierr = init.args[2] if len(init.args) == 3 else None
            text = f"call MPI_Finalize({m.text(ierr)})" if ierr is not None else "call MPI_Finalize()"
            if end is not None and not m.source.lines[end.start_point[0]][: end.start_point[1]].strip():
                ind = _line_indent(m, init.node.start_point[0])
                p = Pos(end.start_point[0], 0)
                fixes.append(Fix(f"Insert {text}", (Edit(Span(p, p), f"{ind}{text}\n"),), True))
        else:
            body = unit.body
            kids = body.named_children
            target = None
            if kids and kids[-1].type == "return_statement":
                target = kids[-1]
            else:
                target = body.children[-1] if body.children and body.children[-1].type == "}" else None
            if target is not None:
                line = target.start_point[0]
                if not m.source.lines[line][: m.source.byte_to_col(line, target.start_point[1])].strip():
                    ind = _line_indent(m, init.node.start_point[0])
                    p = Pos(line, 0)
                    fixes.append(
                        Fix("Insert MPI_Finalize()", (Edit(Span(p, p), f"{ind}MPI_Finalize();\n"),), True)
                    )
        yield _finding(
            m,
            "mpi-missing-finalize",
            init.node,
            f"{init.name} is never matched by MPI_Finalize in this program",
            fixes=fixes,
        )


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


@rule(
    "mpi-deadlock-send-send",
    family=FAMILY,
    summary="Every rank does a blocking send to its peer before receiving: a deadlock unless MPI buffers.",
    what="""
Flags a blocking `MPI_Send`/`MPI_Ssend` to a rank-dependent peer that every process executes
before its matching `MPI_Recv` (including `if`/`else` on the rank where every arm sends first).
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
    languages=LANGS,
)
@_with_evaluator("mpi-deadlock-send-send")
def check_deadlock(ctx: Context) -> Iterator[Finding]:
    """Symmetric send-before-receive exchanges."""
    m = _model(ctx)
    if m is None:
        return
    for unit in m.units:
        tainted, _ = _rank_info(m, unit)
        if not tainted:
            continue
        seen_branches: set[int] = set()
        for s in unit.calls:
            if s.key not in P2P_BLOCKING_SEND:
                continue
            if any(c.key in ("MPI_IRECV",) and c.node.start_byte < s.node.start_byte for c in unit.calls):
                continue
            ctrl = [
                (b, cond)
                for b, cond in m.controls(s.node, unit.body)
                if cond is not None and m.idents(cond) & tainted
            ]
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
            if recv is None:
                continue
            if m.norm_text(recv.arg("comm")) != m.norm_text(s.arg("comm")):
                continue
            between = [
                c
                for c in unit.calls
                if c.key in P2P_OPS and s.node.end_byte < c.node.start_byte < recv.node.start_byte
            ]
            if between:
                continue
            if not ctrl:
                dest = s.arg("dest")
                src = recv.arg("source")
                if not (m.idents(dest) & tainted) or not (
                    m.idents(src) & tainted or m.text(src).upper() == "MPI_ANY_SOURCE"
                ):
                    continue
            else:
                if any(m.is_loop(b) for b, _ in ctrl):
                    continue
                b = ctrl[-1][0]
                top = b.parent if b.type == "elseif_clause" and b.parent is not None else b
                if top.start_byte in seen_branches:
                    continue
                arms = _arms(m, top)
                if arms is None or len(arms) < 2:
                    continue
                ok = True
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
                        ok = False
                        break
                if not ok:
                    continue
                seen_branches.add(top.start_byte)
            how = (
                "MPI_Ssend cannot complete before the receive is posted, so this always deadlocks"
                if s.key == "MPI_SSEND"
                else "this deadlocks unless the MPI library buffers the message (eager protocol, small messages)"
            )
            yield _finding(
                m,
                "mpi-deadlock-send-send",
                s.node,
                f"every rank calls {s.name} to its peer before its receive (line {recv.node.start_point[0] + 1}): "
                f"{how}; use MPI_Sendrecv or nonblocking calls",
                related=[Related(m.source.node_span(recv.node), "the receive that is never reached")],
            )


# -- resources -----------------------------------------------------------------------------------


@rule(
    "mpi-resource-leak",
    family=FAMILY,
    summary="A communicator or committed datatype created here is never freed.",
    what="""
Flags `MPI_Comm_split`, `MPI_Comm_dup`, `MPI_Comm_create` results that are never passed to
`MPI_Comm_free`, and datatypes built with `MPI_Type_*` and committed that never reach
`MPI_Type_free`, when the handle stays local to the function.
""",
    why="""
Communicators and datatypes hold library memory (and context ids, of which there are few);
creating them repeatedly without freeing exhausts them in long runs.
""",
    example="""
MPI_Comm row;
MPI_Comm_split(MPI_COMM_WORLD, rank / q, rank, &row);
/* ... no MPI_Comm_free(&row) */
""",
    languages=LANGS,
)
@_with_evaluator("mpi-resource-leak")
def check_resource_leak(ctx: Context) -> Iterator[Finding]:
    """Communicators and datatypes never freed."""
    m = _model(ctx)
    if m is None:
        return
    for unit in m.units:
        freed = set()
        committed = set()
        for c in unit.calls:
            if c.key in FREES and c.args:
                n, _ = m.base_name(c.args[0])
                if n:
                    freed.add(n)
            if c.key == "MPI_TYPE_COMMIT" and c.args:
                n, _ = m.base_name(c.args[0])
                if n:
                    committed.add(n)
        for c in unit.calls:
            if c.key in CREATORS:
                handle = c.arg("newcomm")
                free_fn = "MPI_Comm_free"
                kind = "communicator"
            elif c.key in TYPE_CREATORS:
                handle = c.arg("newtype")
                free_fn = "MPI_Type_free"
                kind = "datatype"
            else:
                continue
            name, hk = m.base_name(handle)
            if not name or hk not in ("whole", "addr") or name in freed:
                continue
            if kind == "datatype" and name not in committed:
                continue
            if _escapes(m, unit, name, own_units_ok=True):
                continue
            if any(
                o.parent is not None
                and o.parent.type in ("assignment_expression", "assignment_statement", "return_statement")
                for o in _occurrences(m, unit, name)
            ):
                continue
            fixes = []
            stmt = _statement(m, c.node, unit)
            pos = _block_end_insertion(m, stmt, unit, ("MPI_FINALIZE",))
            if pos is not None:
                ind = _line_indent(m, stmt.start_point[0])
                if m.fortran:
                    params = mm.PARAMS.get(c.key, ())
                    ierr = c.args[len(params)] if len(c.args) > len(params) else None
                    text = f"call {free_fn}({m.text(handle)}" + (
                        f", {m.text(ierr)})" if ierr is not None else ")"
                    )
                else:
                    ref = m.text(handle) if m.text(handle).startswith("&") else f"&{m.text(handle)}"
                    text = f"{free_fn}({ref});"
                fixes.append(Fix(f"Insert {text.rstrip(';')}", (Edit(Span(pos, pos), f"{ind}{text}\n"),)))
            yield _finding(
                m,
                "mpi-resource-leak",
                c.node,
                f"{kind} '{m.text(handle).lstrip('&')}' created by {c.name} is never freed ({free_fn})",
                fixes=fixes,
            )


# -- threads -------------------------------------------------------------------------------------


def _omp_regions(m: Model) -> list[tuple[str, int, int]]:
    """OpenMP constructs as (name, first line, last line) (0-based, inclusive)."""
    from hpclsp.analysis import directives

    try:
        dirs = directives.parse_directives(m.source)
    except Exception:
        return []
    out: list[tuple[str, int, int]] = []
    if m.fortran:
        stack: list[tuple[str, int]] = []
        for d in dirs:
            if d.is_end:
                name = d.name[4:]
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i][0] == name:
                        out.append((name, stack[i][1], d.first_line))
                        del stack[i:]
                        break
            elif d.words and d.words[0] in ("parallel", "single", "master", "masked", "critical"):
                stack.append((d.name, d.first_line))
        return out
    root = m.source.tree.root_node
    by_line = {}
    for n in walk(root):
        if n.type == "preproc_call" and m.text(n).lstrip().startswith("#pragma"):
            by_line[n.start_point[0]] = n
    for d in dirs:
        if not d.words or d.words[0] not in ("parallel", "single", "master", "masked", "critical"):
            continue
        node = by_line.get(d.first_line)
        if node is None:
            continue
        nxt = node.next_named_sibling
        while nxt is not None and nxt.type in ("comment", "preproc_call"):
            nxt = nxt.next_named_sibling
        if nxt is None:
            continue
        out.append((d.name, d.first_line, nxt.end_point[0]))
    return out


@rule(
    "mpi-thread-level",
    family=FAMILY,
    summary="MPI called inside an OpenMP parallel region with too low a thread support level.",
    what="""
Flags MPI calls inside `omp parallel` regions when MPI was initialised with `MPI_Init` or with an
`MPI_Init_thread` level lower than the region needs: `MPI_THREAD_FUNNELED` under `master`/
`masked`, `MPI_THREAD_SERIALIZED` under `single`/`critical`, `MPI_THREAD_MULTIPLE` otherwise.
""",
    why="""
With a lower level the MPI library is not thread-safe: concurrent calls corrupt its state,
usually as rare, unreproducible crashes or wrong messages.
""",
    example="""
MPI_Init(&argc, &argv);              /* MPI_THREAD_SINGLE */
#pragma omp parallel
MPI_Send(buf, 1, MPI_INT, 0, omp_get_thread_num(), comm);
""",
    languages=LANGS,
)
def check_thread_level(ctx: Context) -> Iterator[Finding]:
    """MPI calls in OpenMP regions vs the requested thread level."""
    m = _model(ctx)
    if m is None or "omp" not in m.source.text.lower():
        return
    init = next((c for u in m.units for c in u.calls if _is_init(c)), None)
    if init is None:
        return
    if init.key == "MPI_INIT":
        level = 0
    else:
        level_node = init.args[0] if m.fortran and init.args else init.arg("required")
        level = THREAD_LEVELS.get(m.text(level_node).upper(), -1)
        if level < 0:
            return
    regions = _omp_regions(m)
    if not any(r[0].split()[0] == "parallel" for r in regions):
        return
    for unit in m.units:
        for c in unit.calls:
            if not c.is_mpi or c.key in THREAD_NEUTRAL or c.key in ALWAYS_ALLOWED:
                continue
            line = c.node.start_point[0]
            inside = [r for r in regions if r[1] <= line <= r[2]]
            if not any(r[0].split()[0] == "parallel" for r in inside):
                continue
            kinds = {r[0].split()[0] for r in inside}
            if kinds & {"master", "masked"}:
                need = 1
            elif kinds & {"single", "critical"}:
                need = 2
            else:
                need = 3
            if level >= need:
                continue
            have = "MPI_Init (MPI_THREAD_SINGLE)" if init.key == "MPI_INIT" else LEVEL_NAMES[level]
            yield _finding(
                m,
                "mpi-thread-level",
                c.node,
                f"{c.name} inside an OpenMP parallel region needs {LEVEL_NAMES[need]}, but MPI was "
                f"initialised with {have}",
                related=[Related(m.source.node_span(init.node), "MPI initialised here")],
            )
