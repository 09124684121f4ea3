"""Per-function control-flow graphs (C, C++, CUDA, Fortran) with OpenMP regions and barriers.

``graph_at(source, byte)`` is the graph of the function holding a byte, built on first use and
cached in ``source.cache``; ``graphs(source)`` builds every function's graph.
"""

from __future__ import annotations

from hpclsp.analysis.cfg import build_c, build_fortran
from hpclsp.analysis.cfg.graph import CFG, Node
from hpclsp.analysis.source import SourceFile

_CACHE_KEY = "cfg"


class _FileGraphs:
    """The function definitions of one file and the graphs built so far."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.fortran = source.language == "fortran"
        self.functions = _functions(source)
        name = build_fortran.unit_name if self.fortran else build_c.function_name
        self.names = frozenset(n for n in (name(f) for f in self.functions) if n)
        self.built: dict[int, CFG] = {}

    def graph(self, fn: Node) -> CFG:
        """The graph of one function definition (built on first use)."""
        got = self.built.get(fn.start_byte)
        if got is None:
            builder = build_fortran.build if self.fortran else build_c.build
            got = self.built[fn.start_byte] = builder(self.source, fn, self.names)
        return got


def _file(source: SourceFile) -> _FileGraphs:
    got = source.cache.get(_CACHE_KEY)
    if got is None:
        got = source.cache[_CACHE_KEY] = _FileGraphs(source)
    return got


def _functions(source: SourceFile) -> list[Node]:
    """Function definitions (program units) in source order; statements and expressions are not
    entered (no definition lies inside them), nor C-family function bodies."""
    fortran = source.language == "fortran"
    kinds = build_fortran.UNIT_TYPES if fortran else frozenset({"function_definition"})
    out: list[Node] = []
    stack = [source.tree.root_node]
    while stack:
        n = stack.pop()
        if n.type in kinds:
            out.append(n)
            if not fortran:
                continue
        t = n.type
        if (
            t.endswith(("_statement", "expression", "_declaration", "_literal", "comment"))
            or t == "identifier"
        ):
            continue
        stack.extend(reversed(n.named_children))
    out.sort(key=lambda f: f.start_byte)
    return out


def graphs(source: SourceFile) -> list[CFG]:
    """The graph of every function of the file, in source order (each built once per source)."""
    files = _file(source)
    return [files.graph(f) for f in files.functions]


def graph_at(source: SourceFile, byte: int) -> CFG | None:
    """The graph of the innermost function whose definition holds ``byte``."""
    files = _file(source)
    best: Node | None = None
    for f in files.functions:
        if f.start_byte > byte:
            break
        if byte < f.end_byte:
            best = f
    return files.graph(best) if best is not None else None


def by_name(source: SourceFile) -> dict[str, CFG]:
    """Graphs keyed by function name (Fortran names lower case); the first definition wins."""
    out: dict[str, CFG] = {}
    for g in graphs(source):
        out.setdefault(g.name, g)
    return out


def definitions(source: SourceFile) -> dict[str, Node]:
    """Function definitions keyed by name (Fortran names lower case), for the names defined once (a
    call of an overloaded or twice-defined name cannot be told apart). No graph is built (nor the
    table of graphs)."""
    got: dict[str, Node] | None = source.cache.get(_CACHE_KEY + ".defs")
    if got is None:
        files: _FileGraphs | None = source.cache.get(_CACHE_KEY)
        fortran = source.language == "fortran"
        name = build_fortran.unit_name if fortran else build_c.function_name
        got = {}
        twice: set[str] = set()
        for f in files.functions if files is not None else _functions(source):
            n = name(f)
            if n and n in got:
                twice.add(n)
            elif n:
                got[n] = f
        for n in twice:
            del got[n]
        source.cache[_CACHE_KEY + ".defs"] = got
    return got
