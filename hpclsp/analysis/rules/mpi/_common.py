"""Helpers shared by the MPI pattern rules: the file model, findings, request bookkeeping, insertion points."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding, Pos, Related, Severity
from hpclsp.analysis.hostcode import mpi_run
from hpclsp.analysis.hostcode.model import Call, Model, Unit, model, uses_mpi
from hpclsp.analysis.hostcode.mpi_tables import COMPLETE_MANY, COMPLETIONS, RULE_NONBLOCKING
from hpclsp.analysis.rules import CheckFn, rule
from hpclsp.analysis.rules.mpi.facts import FAMILY, FREES, LANGS
from hpclsp.analysis.treeutil import Node, walk

#: A pattern check: it reads the MPI model of a file that mentions MPI.
ModelCheck = Callable[[Model], Iterable[Finding]]


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
    if not uses_mpi(ctx.source):
        return None
    return model(ctx.source)


def mpi_rule(
    code: str, *, summary: str, what: str, why: str, example: str, evaluator: bool = False
) -> Callable[[ModelCheck], CheckFn]:
    """Register an MPI pattern rule (family ``mpi``, C/C++ and Fortran) whose check reads the file's model.

    Files that never mention MPI are skipped. With ``evaluator``, the per-rank evaluator's findings of
    ``code`` on lines the pattern check did not flag are added (the evaluator refines that rule).
    """
    register = rule(
        code, family=FAMILY, summary=summary, what=what, why=why, example=example, languages=LANGS
    )

    def deco(fn: ModelCheck) -> CheckFn:
        @functools.wraps(fn)
        def check(ctx: Context) -> Iterator[Finding]:
            m = _model(ctx)
            if m is not None:
                yield from fn(m)

        return register(_with_evaluator(code)(check) if evaluator else check)

    return deco


def _finding(
    m: Model, code: str, node: Node, message: str, *, see: tuple[Node | None, str] | None = None, **kw
) -> Finding:
    """A warning on node; ``see`` is one related place (a node, left out when None, and its note)."""
    if see is not None and see[0] is not None:
        kw["related"] = [Related(m.source.node_span(see[0]), see[1])]
    return Finding(code, message, m.source.node_span(node), Severity.WARNING, **kw)


def _call_name_span(m: Model, call: Call) -> Node:
    """The node to underline for a call: C the call expression, Fortran the subroutine call."""
    return call.node


# -- shared request machinery --------------------------------------------------------------------


def _occurrences(m: Model, unit: Unit, name: str) -> list[Node]:
    """The mentions of a variable in a unit: its identifiers, and the type names a call hidden behind
    a statement macro holds (the parser read its arguments as parameter declarations)."""
    hidden = [c.node for c in unit.calls if c.node.type == "function_declarator"]
    return [
        n
        for n in walk(unit.body)
        if m.norm(m.text(n)) == name
        and (n.type == "identifier" or (n.type == "type_identifier" and any(_in_node(n, h) for h in hidden)))
    ]


def _in_argument(occ: Node, c: Call) -> bool:
    """True when a node lies in one of the call's known argument nodes (not in one the parser lost)."""
    return any(a is not None and _in_node(occ, a) for a in c.args)


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
        if any(_in_argument(occ, c) for c in mpi_calls):
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
    if call.key in COMPLETE_MANY:
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
            if c.key in RULE_NONBLOCKING:
                name, _, _ = _req_of(m, c)
                if name:
                    self.starts.setdefault(name, []).append(c)
            elif c.key in COMPLETIONS:
                name, _, _ = _req_of(m, c)
                if name:
                    self.completions.setdefault(name, []).append(c)
            else:  # persistent inits, starts, cancels, and calls not modelled (request-based RMA, generalized requests)
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


def _started_requests(
    m: Model, tracked_only: bool = True
) -> Iterator[tuple[Unit, str, list[Call], list[Call]]]:
    """(unit, request variable, its starts, its completions) for each request variable a unit starts.

    With tracked_only, variables other calls also use, or that escape the unit, are left out.
    """
    for unit in m.units:
        reqs = _requests(m, unit)
        for name, starts in reqs.starts.items():
            if tracked_only and (name in reqs.other or _escapes(m, unit, name)):
                continue
            yield unit, name, starts, reqs.completions.get(name, [])


def _siblings_after(children: list[Node], node: Node) -> list[Node]:
    """The children that follow node (none when node is not among them)."""
    for i, ch in enumerate(children):
        if ch == node:
            return children[i + 1 :]
    return []


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
    for ch in _siblings_after(container.children, stmt):
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
