"""The buffer rule: a nonblocking operation's buffer read or written before the operation completes."""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode.model import Call, Model, Unit
from hpclsp.analysis.hostcode.mpi_tables import RULE_PARAMS
from hpclsp.analysis.rules.mpi._common import (
    _finding,
    _in_argument,
    _in_node,
    _occurrences,
    _started_requests,
    mpi_rule,
)
from hpclsp.analysis.treeutil import Node

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


#: Expressions and statements in which an occurrence is only read.
_READ_CONTEXTS = frozenset(
    {
        "expression_statement",
        "init_declarator",
        "return_statement",
        "binary_expression",
        "unary_expression",
        "conditional_expression",
        "math_expression",
        "relational_expression",
        "logical_expression",
        "cast_expression",
        "comma_expression",
        "call_expression",
    }
)

#: Functions known to only read their arguments.
_READING_FUNCTIONS = frozenset(
    {"printf", "fprintf", "puts", "sqrt", "fabs", "exp", "log", "sin", "cos", "abs"}
)


def _access_kind(m: Model, occ: Node, unit: Unit) -> str:
    """'read', 'write', 'rw', 'unknown' (address taken / passed to an unknown function) or 'ignore'."""
    cur = occ
    while cur.parent is not None:
        par = cur.parent
        kind = _parent_verdict(m, par, cur)
        if kind is not None:
            return kind
        cur = par
    return "read"


def _parent_verdict(m: Model, par: Node, cur: Node) -> str | None:
    """What the expression par makes of its child cur (holding the occurrence); None: look further out."""
    t = par.type
    if t in ("parenthesized_expression", "field_expression"):
        return None
    if t == "subscript_expression":
        return None if par.child_by_field_name("argument") == cur else "read"  # else: used as an index
    if t == "pointer_expression":
        return "unknown" if m.text(par.child_by_field_name("operator")) == "&" else None
    if t == "sizeof_expression":
        return "ignore"
    if m.fortran and t == "call_expression" and par.named_children and par.named_children[0] == cur:
        return None
    if t in ("assignment_expression", "assignment_statement"):
        if par.child_by_field_name("left") == cur:
            op = par.child_by_field_name("operator")
            return "rw" if op is not None and m.text(op) != "=" else "write"
        return "read"
    if t == "update_expression":
        return "rw"
    if t == "argument_list":
        return _argument_kind(m, par.parent)
    return "read" if t in _READ_CONTEXTS else None


def _argument_kind(m: Model, call: Node | None) -> str:
    """How a call whose argument list holds an occurrence uses it."""
    if call is None or call.type not in ("call_expression", "subroutine_call"):
        return "read"
    fn = call.child_by_field_name("function") or call.child_by_field_name("subroutine")
    if fn is None and call.named_children:
        fn = call.named_children[0]
    name = m.text(fn).lower() if fn is not None else ""
    if m.fortran and call.type == "call_expression" and not name.startswith("mpi_"):
        return "read"  # array element or intrinsic function reference
    return "read" if name in _READING_FUNCTIONS else "unknown"


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


@mpi_rule(
    "mpi-buffer-race",
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
    evaluator=True,
)
def check_buffer_race(m: Model) -> Iterator[Finding]:
    """Accesses to pending nonblocking buffers."""
    for unit, _, starts, comps in _started_requests(m, tracked_only=False):
        for s in starts:
            after = [
                c for c in comps if c.node.start_byte > s.node.end_byte and not m.exclusive(s.node, c.node)
            ]
            if not after:
                continue
            end = min(c.node.start_byte for c in after)
            params = RULE_PARAMS.get(s.key, ())
            for p in ("buf", "buffer", "sendbuf", "recvbuf"):
                f = _buffer_race(m, unit, s, p, end) if p in params else None
                if f is not None:
                    yield f


def _buffer_race(m: Model, unit: Unit, s: Call, p: str, end: int) -> Finding | None:
    """The first conflicting use of the buffer argument p of the pending call s before byte end."""
    bname, kind = m.base_name(s.arg(p))
    if not bname or bname not in unit.decls and bname not in m.globals:
        return None
    decl = m.decl(unit, bname)
    if decl is None:
        return None
    if kind in ("elem", "offset"):
        return None  # a part of an array: other parts may be used legally
    role = _buffer_role(s, p)
    count = m.eval_int(s.arg("count"))
    for occ in _occurrences(m, unit, bname):
        if not (s.node.end_byte <= occ.start_byte < end) or m.exclusive(s.node, occ):
            continue
        acc = _occurrence_access(m, unit, occ)
        if acc == "unknown":
            return None
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
        return _finding(
            m,
            "mpi-buffer-race",
            occ,
            f"'{bname}' is {verb} while the {s.name} using it (line {s.node.start_point[0] + 1}) "
            "has not completed",
            see=(s.node, f"{s.name} started here"),
        )
    return None


def _occurrence_access(m: Model, unit: Unit, occ: Node) -> str:
    """How an occurrence is accessed; inside an MPI call, by the buffer role of the argument holding it."""
    host = next((c for c in unit.calls if c.is_mpi and _in_node(occ, c.node)), None)
    if host is None:
        return _access_kind(m, occ, unit)
    for q in RULE_PARAMS.get(host.key, ()):
        a = host.arg(q)
        if a is not None and _in_node(occ, a) and q in BUFFER_ROLES:
            return _buffer_role(host, q)
    # another argument of an MPI call (a count, a tag), unless it is one a misparsed call lost
    return "ignore" if _in_argument(occ, host) else "unknown"
