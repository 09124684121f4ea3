"""Initialisation and finalisation rules: MPI calls before MPI_Init or after MPI_Finalize, a missing MPI_Finalize."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from hpclsp.analysis.findings import Edit, Finding, Fix, Pos, Span
from hpclsp.analysis.hostcode.model import Call, Model, Unit
from hpclsp.analysis.rules.mpi._common import (
    JUMPS_C,
    _finding,
    _in_node,
    _line_indent,
    _siblings_after,
    _statement,
    mpi_rule,
)
from hpclsp.analysis.rules.mpi.facts import ALWAYS_ALLOWED, FINALIZE_HINTS
from hpclsp.analysis.treeutil import Node

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


@mpi_rule(
    "mpi-call-before-init",
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
)
def check_before_init(m: Model) -> Iterator[Finding]:
    """MPI calls preceding MPI_Init."""
    mpi_units = _mpi_units(m)
    for unit in m.units:
        inits = [c for c in unit.calls if _is_init(c)]
        if not inits:
            continue
        init = inits[0]
        if m.controls(init.node, unit.body):
            continue
        where = (f"is called before {init.name}", init, "MPI is initialised here")
        yield from _outside_mpi(m, "mpi-call-before-init", unit, _calls_before(unit, init), mpi_units, where)


def _calls_before(unit: Unit, call: Call) -> Iterator[Call]:
    """The unit's calls (in source order) up to the first one that does not start before call."""
    return itertools.takewhile(lambda c: c.node.start_byte < call.node.start_byte, unit.calls)


def _outside_mpi(
    m: Model, code: str, unit: Unit, calls: Iterable[Call], mpi_units: set[str], where: tuple[str, Call, str]
) -> Iterator[Finding]:
    """Findings for the calls that need MPI initialised; ``where`` says when they run: the words of the
    message, the MPI_Init or MPI_Finalize call they run before or after, and the note on that call."""
    when, anchor, note = where
    for c in calls:
        label = _needs_mpi(c, unit, mpi_units)
        if label is not None:
            line = anchor.node.start_point[0] + 1
            yield _finding(m, code, c.node, f"{label} {when} (line {line})", see=(anchor.node, note))


def _needs_mpi(c: Call, unit: Unit, mpi_units: set[str]) -> str | None:
    """How a call that needs MPI initialised is named in a message; None for calls that do not."""
    if c.is_mpi and c.key not in ALWAYS_ALLOWED:
        return c.name
    if not c.is_mpi and c.key in mpi_units and c.key != unit.name:
        return f"{c.name} (which makes MPI calls)"
    return None


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
            for ch in _siblings_after(par.named_children, cur):
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


@mpi_rule(
    "mpi-call-after-finalize",
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
)
def check_after_finalize(m: Model) -> Iterator[Finding]:
    """MPI calls following MPI_Finalize."""
    mpi_units = _mpi_units(m)
    for unit in m.units:
        for f in unit.calls:
            if f.key != "MPI_FINALIZE":
                continue
            stmt = _statement(m, f.node, unit)
            later = _after(m, stmt, unit)
            after = [c for c in unit.calls if any(_in_node(c.node, s) for s in later)]
            where = ("may be called after MPI_Finalize", f, "MPI is finalised here")
            yield from _outside_mpi(m, "mpi-call-after-finalize", unit, after, mpi_units, where)


@mpi_rule(
    "mpi-missing-finalize",
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
)
def check_missing_finalize(m: Model) -> Iterator[Finding]:
    """MPI_Init without MPI_Finalize in the file."""
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
