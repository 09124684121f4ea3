"""The race analysis's data: what a reported race holds, where an access sits in its team, and
small facts about constructs and subscripts shared by the analysis modules."""

from __future__ import annotations

import dataclasses
import re

from hpclsp.analysis.findings import Fix
from hpclsp.analysis.ir import (
    Access,
    Affine,
    Construct,
    Function,
)

KINDS = (
    "loop-carried",
    "shared-write",
    "missing-private",
    "missing-reduction",
    "missing-lastprivate",
    "nowait",
    "single-no-barrier",
    "task",
    "target",
    "indirect",
)
WS_LOOP_WORDS = ("for", "do", "distribute", "taskloop", "loop")


@dataclasses.dataclass
class Race:
    """One reported race: a primary access, the conflicting ones, and how to fix it."""

    kind: str
    var: str
    primary: Access
    others: list[Access]
    message: str
    confidence: float = 0.9
    fixes: list[Fix] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(eq=False)
class ACtx:
    """Where an access sits inside its team."""

    acc: Access
    chain: list[Construct]
    loopc: Construct | None = None  # innermost thread-worksharing loop construct
    simdc: Construct | None = None  # a simd-only loop construct
    single: Construct | None = None
    section: Construct | None = None
    task: Construct | None = None
    criticals: frozenset[str] = frozenset()
    atomic: bool = False
    ordered: bool = False
    locks: frozenset[str] = frozenset()
    phase: int = 0
    in_target: bool = False
    ws: Construct | None = None  # enclosing workshare / parallel workshare
    tid_guard: int | None = None  # runs only on the thread with this id (``if (tid == c)``)
    #: byte extent of the code one thread runs alone (its ``section``, or its ``if (tid == c)`` branch)
    block: tuple[int, int] | None = None


def _is_team(c: Construct) -> bool:
    return c.has("parallel") or c.has("teams")


def _is_ws_loop(c: Construct) -> bool:
    return bool(c.loops) and any(c.has(w) for w in WS_LOOP_WORDS)


def _is_entry(f: Function) -> bool:
    """The program's entry point (C ``main``, a Fortran ``program`` unit): never called from a parallel region."""
    return f.name == "main" or f.node.type == "program"


def _distinct_constant_elements(a: Access, b: Access) -> bool:
    """``a[0]`` against ``a[1]``: constant subscripts that differ in one dimension never meet."""
    if a.is_scalar or len(a.subscripts) != len(b.subscripts) or a.indirect or b.indirect:
        return False
    for e1, e2 in zip(a.subscripts, b.subscripts):
        if e1 is not None and e2 is not None and e1.is_const and e2.is_const and e1.const != e2.const:
            return True
    return False


def _loop_invariant(a: Access, indices: set[str]) -> bool:
    """Every subscript of the access is the same in all iterations of the parallel loop(s)."""
    for k, e in enumerate(a.subscripts):
        if e is not None:
            if e.vars & indices:
                return False
            continue
        poly = a.polys[k] if k < len(a.polys) else None
        if poly is None or any(set(m) & indices for m, _ in poly.terms):
            return False
    return True


def _var(name: str | None):

    return Affine.var(name or "")


def _dep_base(item: str) -> str:
    s = item.strip()
    m = re.match(r"[A-Za-z_]\w*", s)
    return (m.group(0) if m else s).lower() if s else s
