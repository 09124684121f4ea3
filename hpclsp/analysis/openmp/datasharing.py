"""OpenMP data-sharing resolution: is a variable shared or private at a point inside a region?

The race checker and the editor's inlay hints must give the same answer, reached by the
specification's rules rather than guessed per analysis, so the resolution lives here once.

``resolve(ir, name, byte, outer) -> Sharing`` walks the constructs enclosing ``byte`` from the
innermost to ``outer`` (the team-creating construct, e.g. ``parallel``) and applies the
specification's rules in order:

1. ``threadprivate`` variables are private to each thread.
2. Explicit clauses on an enclosing construct: ``private``, ``firstprivate``, ``lastprivate``,
   ``linear``, ``reduction`` / ``in_reduction`` make the variable private (``kind`` says which);
   ``shared`` makes it shared.
3. Loop iteration variables of the loops associated with a worksharing-loop / ``simd`` /
   ``taskloop`` / ``distribute`` construct are private; in Fortran, iteration variables of
   sequential ``do`` loops inside a ``parallel`` or ``task`` construct are private too.
4. Variables declared inside the construct (C block scope, not ``static``) are private.
5. ``default(private|firstprivate)`` makes unlisted variables private; ``default(shared|none)``
   and the implicit rule make variables declared outside a ``parallel``/``teams`` shared.
6. For ``task``/``taskloop``/``target``: unlisted variables are shared when shared in the enclosing
   context (and not scalars of a ``target``), else firstprivate.
7. C ``static`` locals, globals, Fortran ``save``/module variables are shared unless listed.
"""

from __future__ import annotations

import bisect
import dataclasses

from hpclsp.analysis.ir import Construct, FileIR, Function, Loop, item_base

PRIVATE_CLAUSES = (
    "private",
    "firstprivate",
    "lastprivate",
    "linear",
    "reduction",
    "in_reduction",
    "copyprivate",
)


@dataclasses.dataclass(frozen=True)
class Sharing:
    """The data-sharing attribute of a variable at a point."""

    kind: str  # shared | private | firstprivate | lastprivate | linear | reduction | threadprivate
    construct: Construct | None = None  # the construct that decided it (None: implicit at the region)
    reason: str = ""

    @property
    def shared(self) -> bool:
        """True when all threads of the team see one copy."""
        return self.kind == "shared"


def _block_index(ir: FileIR) -> tuple[list[int], list[Construct]]:
    """The constructs with associated code, sorted by start, and their starts (built once per IR)."""
    idx = ir.__dict__.get("_block_index")
    if idx is None or len(idx[2]) != len(ir.constructs):
        blocks = sorted((c for c in ir.constructs if not c.standalone), key=lambda c: c.start)
        idx = ([c.start for c in blocks], blocks, list(ir.constructs))
        ir.__dict__["_block_index"] = idx
    return idx[0], idx[1]


def enclosing(ir: FileIR, byte: int, outer: Construct | None) -> list[Construct]:
    """Constructs enclosing a byte, innermost first, up to and including ``outer``.

    Constructs nest, so the enclosing ones are the last construct starting at or before ``byte``
    (and those sharing its start) and their ancestors: no scan of every construct per access.
    """
    starts, blocks = _block_index(ir)
    k = bisect.bisect_right(starts, byte)
    found: dict[int, Construct] = {}
    if k:
        s0 = starts[k - 1]
        j = k - 1
        while j >= 0 and starts[j] == s0:
            c: Construct | None = blocks[j]
            while c is not None and id(c) not in found:
                if not c.standalone and c.contains(byte):
                    found[id(c)] = c
                c = c.parent
            j -= 1
    chain = list(found.values())
    chain.sort(key=lambda c: (c.end - c.start, -c.start, -c.directive.first_line))
    if outer is None:
        return chain
    out = []
    for c in chain:
        out.append(c)
        if c is outer:
            break
    return out


def _declared_inside(func: Function | None, name: str, c: Construct, fortran: bool) -> bool:
    if func is None or fortran:
        return False
    for d in func.all_decls.get(name, []):
        if c.start <= d.decl_byte < c.end and d.storage not in ("static", "global"):
            return True
        if (
            c.loop is not None
            and c.loop.node.start_byte <= d.decl_byte < c.loop.body_start
            and d.storage == "local"
        ):
            return True
    return False


def _visible_decl_inside(func: Function | None, name: str, byte: int, c: Construct) -> bool:
    """A block-scoped declaration of name inside c that is visible at byte."""
    if func is None:
        return False
    for d in func.all_decls.get(name, []):
        if (
            c.start <= d.decl_byte < c.end
            and d.scope_start <= byte < d.scope_end
            and d.storage not in ("static", "global")
        ):
            return True
    return False


# Clauses whose kind differs from plain "private"; in_reduction privatises like reduction.
_CLAUSE_KIND = {
    "firstprivate": "firstprivate",
    "lastprivate": "lastprivate",
    "linear": "linear",
    "reduction": "reduction",
    "in_reduction": "reduction",
}


class _Facts:
    """What resolution asks of one construct that does not depend on the name's position: the
    sharing its clauses give each listed name, its loop indices, its ``default`` clause and kind
    (computed once per construct, ``_facts``)."""

    def __init__(self, c: Construct, fortran: bool) -> None:
        self.fortran = fortran
        self.explicit: dict[str, Sharing] = {}
        for cl in c.clauses:
            if cl.name == "copyprivate":
                continue
            if cl.name in PRIVATE_CLAUSES:
                got = Sharing(_CLAUSE_KIND.get(cl.name, "private"), c, f"{cl.name} clause")
            elif cl.name == "shared":
                got = Sharing("shared", c, "shared clause")
            else:
                continue
            for x in _items(cl.items):
                self.explicit.setdefault(x.lower() if fortran else x, got)
        self.indices = frozenset(lp.index for lp in c.loops)
        self.default = _by_default(c)
        self.task_like = _is_task_like(c)
        self.team = c.has("parallel") or c.has("teams")
        #: Fortran: the sequential do-loop indices privatised by the construct (filled on first use)
        self.seq_indices: frozenset[str | None] | None = None

    def fortran_indices(self, ir: FileIR, c: Construct) -> frozenset[str | None]:
        """Indices of the Fortran ``do`` loops inside ``c`` (private in a parallel or task construct)."""
        if self.seq_indices is None:
            if c.has("parallel") or c.has("task") or c.has("taskloop") or c.has("teams"):
                self.seq_indices = frozenset(
                    lp.index
                    for lp in ir.loops
                    if c.start <= lp.node.start_byte < c.end and lp.kind in ("do", "do concurrent")
                )
            else:
                self.seq_indices = frozenset()
        return self.seq_indices


def _facts(c: Construct, fortran: bool) -> _Facts:
    got: _Facts | None = c.__dict__.get("_ds_facts")
    if got is None or got.fortran != fortran:
        got = c.__dict__["_ds_facts"] = _Facts(c, fortran)
    return got


def _private_by_scope(
    ir: FileIR, c: Construct, key: str, byte: int, func: Function | None, fortran: bool
) -> Sharing | None:
    """Rules 3 and 4: loop iteration variables and names declared inside ``c`` are private."""
    facts = _facts(c, fortran)
    if key in facts.indices:
        return Sharing("private", c, "loop iteration variable")
    if _visible_decl_inside(func, key, byte, c) or _declared_inside_loop_header(func, key, byte, c):
        return Sharing("private", c, "declared inside the construct")
    if fortran and key in facts.fortran_indices(ir, c):
        # sequential do-loop indices inside the construct are private (OpenMP data-sharing rules)
        return Sharing("private", c, "Fortran loop iteration variable")
    return None


def _by_default(c: Construct) -> Sharing | None:
    """Rule 5, explicit part: a ``default`` clause on ``c``."""
    dflt = c.clause("default")
    if dflt is None or not dflt.args:
        return None
    v = dflt.args.strip().lower()
    if v in ("private", "firstprivate"):
        return Sharing("firstprivate" if v == "firstprivate" else "private", c, f"default({v})")
    if v in ("shared", "none") and (
        c.has("parallel") or c.has("teams") or c.has("task") or c.has("taskloop")
    ):
        return Sharing("shared", c, f"default({v})")
    return None


def _is_task_like(c: Construct) -> bool:
    """``task``, ``taskloop`` or a ``target`` that creates no team of its own."""
    return (
        c.has("task")
        or c.has("taskloop")
        or (c.has("target") and not c.has("teams") and not c.has("parallel"))
    )


def _task_sharing(
    ir: FileIR, c: Construct, key: str, byte: int, rest: list[Construct], func: Function | None
) -> Sharing:
    """Rule 6: an unlisted variable of a task-like construct, given the constructs ``rest`` outside it."""
    fortran = ir.source.language == "fortran"
    outside = (
        _resolve_from(ir, key, rest, byte, func, fortran) if rest else Sharing("shared", None, "implicit")
    )
    if c.has("target"):
        mapped = c.clause_items("map")
        d = ir.decl(key, byte)
        if key not in mapped and (d is None or not (d.is_array or d.is_pointer)):
            return Sharing("firstprivate", c, "scalar in a target region")
        return Sharing("shared", c, "mapped")
    if not outside.shared:
        return Sharing("firstprivate", c, "task: private in the enclosing context")
    return outside


def resolve(
    ir: FileIR,
    name: str,
    byte: int,
    outer: Construct | None,
    func: Function | None = None,
    chain: list[Construct] | None = None,
) -> Sharing:
    """The data-sharing attribute of ``name`` at ``byte``, for the team created by ``outer``.

    ``chain`` (innermost first) replaces the constructs found around ``byte`` when given.
    """
    fortran = ir.source.language == "fortran"
    key = name.lower() if fortran else name
    if key in ir.threadprivate:
        return Sharing("threadprivate", None, "threadprivate")
    func = func or ir.function_at(byte)
    if chain is None:
        chain = enclosing(ir, byte, outer)
    for i, c in enumerate(chain):
        facts = _facts(c, fortran)
        found = facts.explicit.get(key) or _private_by_scope(ir, c, key, byte, func, fortran) or facts.default
        if found is not None:
            return found
        if facts.task_like:
            rest = chain[i + 1 :] if c is not outer else []
            return _task_sharing(ir, c, key, byte, rest, func)
        if facts.team:
            return Sharing("shared", c, "implicit shared")
    return Sharing("shared", None, "declared outside the region")


def around(ir: FileIR, c: Construct) -> list[Construct]:
    """``c`` and the constructs enclosing it, innermost first (constructs nested in ``c`` left out)."""
    outer = [
        o
        for o in ir.constructs
        if o is not c
        and not o.standalone
        and o.start <= c.start
        and c.end <= o.end
        and (o.end - o.start > c.end - c.start or o.directive.first_line < c.directive.first_line)
    ]
    outer.sort(key=lambda o: (o.end - o.start, -o.directive.first_line))
    return [c, *outer]


def resolve_in(
    ir: FileIR, c: Construct, name: str, byte: int | None = None, func: Function | None = None
) -> Sharing:
    """The data-sharing attribute of ``name`` in the region of construct ``c`` itself.

    ``byte`` is a use of the name inside ``c`` (block-scoped declarations are looked up from
    there; default: the start of ``c``). Constructs nested inside ``c`` do not count (a loop
    index privatised by an inner ``for`` is still shared in the enclosing ``parallel``).
    Used by the editor's inlay hints.
    """
    chain = around(ir, c)
    at = c.start if byte is None else byte
    return resolve(ir, name, at, chain[-1], func, chain=chain)


def _resolve_from(
    ir: FileIR, key: str, chain: list[Construct], byte: int, func: Function | None, fortran: bool
) -> Sharing:
    """Resolve using only the given outer part of the chain."""
    for c in chain:
        for cl in c.clauses:
            if (
                cl.name in PRIVATE_CLAUSES
                and cl.name != "copyprivate"
                and key in {x.lower() if fortran else x for x in _items(cl.items)}
            ):
                return Sharing("private", c, f"{cl.name} clause")
            if cl.name == "shared" and key in {x.lower() if fortran else x for x in _items(cl.items)}:
                return Sharing("shared", c, "shared clause")
        for lp in c.loops:
            if lp.index == key:
                return Sharing("private", c, "loop iteration variable")
        if _visible_decl_inside(func, key, byte, c) or _declared_inside_loop_header(func, key, byte, c):
            return Sharing("private", c, "declared inside the construct")
        if fortran and (c.has("parallel") or c.has("task")):
            for lp in ir.loops:
                if lp.index == key and c.start <= lp.node.start_byte < c.end:
                    return Sharing("private", c, "Fortran loop iteration variable")
        dflt = c.clause("default")
        if dflt is not None and dflt.args and dflt.args.strip().lower() in ("private", "firstprivate"):
            return Sharing("private", c, "default")
        if c.has("parallel") or c.has("teams"):
            return Sharing("shared", c, "implicit shared")
    return Sharing("shared", None, "declared outside")


def _declared_inside_loop_header(func: Function | None, name: str, byte: int, c: Construct) -> bool:
    """``for (int j = ...)`` inside the construct: j is private."""
    if func is None:
        return False
    by_index: tuple[int, dict[str, list[Loop]]] | None = func.__dict__.get("_header_indices")
    if by_index is None or by_index[0] != len(func.loops):
        by_index = (len(func.loops), {})
        for lp in func.loops:
            if lp.index and lp.index_declared_in_header:
                by_index[1].setdefault(lp.index, []).append(lp)
        func.__dict__["_header_indices"] = by_index
    for lp in by_index[1].get(name, []):
        if c.start <= lp.node.start_byte < c.end:
            if lp.node.start_byte <= byte < lp.node.end_byte:
                return True
    return False


def _items(items: list[str]) -> list[str]:
    return [item_base(x) for x in items]
