"""The resource-leak rule: communicators and datatypes created and never freed."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from hpclsp.analysis.findings import Edit, Finding, Fix, Span
from hpclsp.analysis.hostcode.model import Call, Model, Unit
from hpclsp.analysis.hostcode.mpi_tables import RULE_PARAMS
from hpclsp.analysis.rules.mpi._common import (
    _block_end_insertion,
    _escapes,
    _finding,
    _line_indent,
    _occurrences,
    _statement,
    mpi_rule,
)
from hpclsp.analysis.rules.mpi.facts import CREATORS, FREES, TYPE_CREATORS
from hpclsp.analysis.treeutil import Node

# -- resources -----------------------------------------------------------------------------------


@mpi_rule(
    "mpi-resource-leak",
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
    evaluator=True,
)
def check_resource_leak(m: Model) -> Iterator[Finding]:
    """Communicators and datatypes never freed."""
    for unit in m.units:
        freed = _first_arguments(m, unit, FREES)
        committed = _first_arguments(m, unit, ("MPI_TYPE_COMMIT",))
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
            yield _finding(
                m,
                "mpi-resource-leak",
                c.node,
                f"{kind} '{m.text(handle).lstrip('&')}' created by {c.name} is never freed ({free_fn})",
                fixes=_free_fixes(m, unit, c, handle, free_fn),
            )


def _first_arguments(m: Model, unit: Unit, keys: Collection[str]) -> set[str]:
    """The variables passed as the first argument of the unit's calls of the given MPI routines."""
    out: set[str] = set()
    for c in unit.calls:
        if c.key in keys and c.args:
            n, _ = m.base_name(c.args[0])
            if n:
                out.add(n)
    return out


def _free_fixes(m: Model, unit: Unit, c: Call, handle: Node | None, free_fn: str) -> list[Fix]:
    """The edit inserting the free call at the end of the creating call's block (before MPI_Finalize)."""
    stmt = _statement(m, c.node, unit)
    pos = _block_end_insertion(m, stmt, unit, ("MPI_FINALIZE",))
    if pos is None:
        return []
    ind = _line_indent(m, stmt.start_point[0])
    if m.fortran:
        params = RULE_PARAMS.get(c.key, ())
        ierr = c.args[len(params)] if len(c.args) > len(params) else None
        text = f"call {free_fn}({m.text(handle)}" + (f", {m.text(ierr)})" if ierr is not None else ")")
    else:
        ref = m.text(handle) if m.text(handle).startswith("&") else f"&{m.text(handle)}"
        text = f"{free_fn}({ref});"
    return [Fix(f"Insert {text.rstrip(';')}", (Edit(Span(pos, pos), f"{ind}{text}\n"),))]
