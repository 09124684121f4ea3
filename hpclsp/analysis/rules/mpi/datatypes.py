"""Datatype and count rules: the MPI datatype against the buffer's language type, counts past the buffer."""

from __future__ import annotations

import re
from collections.abc import Iterator

from hpclsp.analysis.findings import Finding
from hpclsp.analysis.hostcode.model import Call, Decl, Model, Unit, int_literal
from hpclsp.analysis.hostcode.mpi_tables import (
    C_DATATYPES,
    CHAR_TYPES,
    F_DATATYPES,
    RULE_BUFFERS,
    RULE_PARAMS,
)
from hpclsp.analysis.rules.mpi._common import _finding, mpi_rule
from hpclsp.analysis.treeutil import Node

# -- datatypes and counts ---------------------------------------------------------------------

KNOWN_C_TYPES = frozenset().union(*C_DATATYPES.values())
KNOWN_F_TYPES = frozenset().union(*F_DATATYPES.values())


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
        kind = int_literal(rest[1:])
    elif rest.startswith("("):
        inner = rest[1:].rstrip(")")
        inner = inner.split("=", 1)[1] if inner.startswith("kind=") else inner
        named = {"real32": 4, "real64": 8, "int32": 4, "int64": 8, "c_double": 8, "c_float": 4, "c_int": 4}
        kind = named.get(inner, int_literal(inner))
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


def _buffer_arguments(m: Model) -> Iterator[tuple[Unit, Call, str, str, str]]:
    """Each MPI call of the file with each (buffer, count, datatype) parameter triple it has."""
    for unit in m.units:
        for c in unit.calls:
            params = RULE_PARAMS.get(c.key, ())
            for bp, cp, tp in RULE_BUFFERS:
                if bp in params and cp in params and tp in params:
                    yield unit, c, bp, cp, tp


def _buffer_decl(m: Model, unit: Unit, arg: Node | None):
    name, kind = m.base_name(arg)
    if not name:
        return None, "", None
    return name, kind, m.decl(unit, name)


@mpi_rule(
    "mpi-datatype-mismatch",
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
    evaluator=True,
)
def check_datatype(m: Model) -> Iterator[Finding]:
    """Datatype vs declared buffer type."""
    table = F_DATATYPES if m.fortran else C_DATATYPES
    for unit, c, bp, _, tp in _buffer_arguments(m):
        dt = m.text(c.arg(tp)).upper()
        accepted = table.get(dt)
        if accepted is None or dt in CHAR_TYPES:
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
            see=(decl.node, f"'{name}' declared here"),
        )


@mpi_rule(
    "mpi-count-overflow",
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
    evaluator=True,
)
def check_count(m: Model) -> Iterator[Finding]:
    """Counts larger than known buffers."""
    table = F_DATATYPES if m.fortran else C_DATATYPES
    for unit, c, bp, cp, tp in _buffer_arguments(m):
        if m.text(c.arg(tp)).upper() not in table:
            continue
        count = m.eval_int(c.arg(cp))
        arg = c.arg(bp)
        name, kind, decl = _buffer_decl(m, unit, arg)
        if count is None or decl is None or decl.size is None or decl.pointer:
            continue
        if not m.fortran and kind == "whole" and not decl.is_array:
            continue
        offset = _buffer_offset(m, arg, decl) if kind in ("elem", "offset") else 0
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
                see=(decl.node, f"'{name}' declared here"),
            )


def _buffer_offset(m: Model, arg: Node | None, decl: Decl) -> int | None:
    """The constant element offset of a buffer argument that points into an array (None: unknown)."""
    if arg is None:
        return None
    if m.fortran:
        al = next((x for x in arg.named_children if x.type == "argument_list"), None)
        if al is None or len(al.named_children) != 1:
            return None
        idx = m.eval_int(al.named_children[0])
        return None if idx is None else idx - decl.lower
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
        return None
    idx_node = None
    if inner.type == "subscript_expression":
        idx_node = inner.child_by_field_name("index") or inner.named_children[-1]
        base = inner.child_by_field_name("argument")
        if base is None or base.type != "identifier":
            return None
    elif inner.type == "binary_expression":
        idx_node = inner.child_by_field_name("right")
    offset = m.eval_int(idx_node)
    if (
        offset is not None
        and inner.type == "binary_expression"
        and m.text(inner.child_by_field_name("operator")) == "-"
    ):
        offset = -offset
    return offset
