"""Per-function control-flow graphs (C, C++, CUDA, Fortran) with OpenMP regions and barriers.

``graphs(source)`` builds the graph of every function of a file once and caches it in
``source.cache``; ``graph_at(source, byte)`` is the graph of the function holding a byte.
"""

from __future__ import annotations

from hpclsp.analysis.cfg import build_c, build_fortran
from hpclsp.analysis.cfg.graph import CFG, Node
from hpclsp.analysis.source import SourceFile

_CACHE_KEY = "cfg.graphs"


def _functions(source: SourceFile) -> list[Node]:
    fortran = source.language == "fortran"
    kinds = build_fortran.UNIT_TYPES if fortran else frozenset({"function_definition"})
    out: list[Node] = []
    stack = [source.tree.root_node]
    while stack:
        n = stack.pop()
        if n.type in kinds:
            out.append(n)
        stack.extend(reversed(n.named_children))
    return out


def graphs(source: SourceFile) -> list[CFG]:
    """The graph of every function of the file, in source order (built once per source)."""
    got = source.cache.get(_CACHE_KEY)
    if got is not None:
        return got
    fns = _functions(source)
    if source.language == "fortran":
        names = frozenset(n for n in (build_fortran.unit_name(f) for f in fns) if n)
        got = [build_fortran.build(source, f, names) for f in fns]
    else:
        names = frozenset(n for n in (build_c.function_name(f) for f in fns) if n)
        got = [build_c.build(source, f, names) for f in fns]
    source.cache[_CACHE_KEY] = got
    return got


def graph_at(source: SourceFile, byte: int) -> CFG | None:
    """The graph of the innermost function whose definition holds ``byte``."""
    starts: dict[int, CFG] | None = source.cache.get(_CACHE_KEY + ".starts")
    if starts is None:
        starts = source.cache[_CACHE_KEY + ".starts"] = {g.ast.start_byte: g for g in graphs(source)}
    if byte in starts:
        return starts[byte]
    best: CFG | None = None
    for g in graphs(source):
        if g.ast.start_byte <= byte < g.ast.end_byte and (
            best is None or g.ast.start_byte >= best.ast.start_byte
        ):
            best = g
    return best


def by_name(source: SourceFile) -> dict[str, CFG]:
    """Graphs keyed by function name (Fortran names lower case); the first definition wins."""
    out: dict[str, CFG] = {}
    for g in graphs(source):
        out.setdefault(g.name, g)
    return out
