"""Top-level units of a file and the small "synthetic" files the engine analyses them in.

A *unit* is a top-level C/C++/CUDA function definition, or a Fortran program unit (``program``,
external ``subroutine``/``function``) or module procedure. Everything outside every unit (includes,
macros, globals, ``threadprivate``/``declare`` directives, a module's specification part...) is the
*skeleton*. Units that mention each other's names (calls, kernel launches) form a *component*.

For a component, ``Split.synthetic`` builds the text of a file made of the skeleton and the component's
units only, line for line as in the original (each run of left-out lines becomes one empty line), plus
the map from its lines to the original lines. A unit-scoped rule (``Rule.scope == "unit"``) gives the
same findings inside a unit whether it analyses the whole file or that synthetic file; the engine runs
such rules per component and caches their findings by the synthetic text, so after an edit only the
components whose text changed are analysed again (``hpclsp.analysis.engine``).

The split is conservative: a unit must start and end on lines of its own, and a file with a syntax
error at the top level (outside every function) is not split at all.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import TYPE_CHECKING

from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.treeutil import function_name_node

if TYPE_CHECKING:
    import tree_sitter

    from hpclsp.analysis.source import SourceFile

_IDENT = re.compile(r"[A-Za-z_]\w*")
_F_UNIT_TYPES = {"program", "subroutine", "function", "module_procedure"}
_F_CONTAINERS = {"module", "submodule"}


@dataclasses.dataclass(frozen=True)
class Unit:
    """One top-level unit: its name and its line range (0-based, ``last`` inclusive)."""

    name: str
    first: int
    last: int


@dataclasses.dataclass
class Synthetic:
    """The text analysed for one component and the original line of each of its lines."""

    text: str
    line_map: list[int]
    units: frozenset[int]


class LineMap:
    """Lines, positions and "line N" texts of a synthetic file, mapped to the original file."""

    _LINE = re.compile(r"\bline (\d+)")

    def __init__(self, line_map: list[int]) -> None:
        self.lm = line_map

    def line(self, n: int) -> int:
        """The original 0-based line of synthetic line ``n`` (lines past the end keep their offset)."""
        lm = self.lm
        if 0 <= n < len(lm):
            return lm[n]
        if n >= len(lm) and lm:
            return lm[-1] + (n - len(lm) + 1)
        return n

    def pos(self, p: Pos) -> Pos:
        """A position in original coordinates."""
        return Pos(self.line(p.line), p.col)

    def span(self, s: Span) -> Span:
        """A span in original coordinates."""
        return Span(self.pos(s.start), self.pos(s.end))

    def text(self, s: str) -> str:
        """A message with every 1-based "line N" it names mapped."""
        if "line " not in s:
            return s
        return self._LINE.sub(lambda m: f"line {self.line(int(m.group(1)) - 1) + 1}", s)


class Split:
    """A file cut into skeleton lines and units, grouped into components."""

    def __init__(self, segments: list[str], units: list[Unit], fortran: bool) -> None:
        self.segments = segments
        self.units = units
        #: per original line: the index of the unit holding it, or -1 for the skeleton
        self.owner = [-1] * len(segments)
        for k, u in enumerate(units):
            self.owner[u.first : u.last + 1] = [k] * (u.last + 1 - u.first)
        self.components = _components(segments, units, fortran)
        self._items = self._build_items()
        #: unit index -> index of the gap item holding it
        self._item_index: dict[int, int] = {}
        #: unit index -> (id of the gap item, position among its entries)
        self._entry_pos: dict[int, tuple[int, int]] = {}
        for idx, it in enumerate(self._items):
            if it[0] == "gap":
                for p, (k, _, _) in enumerate(it[1]):
                    if k >= 0:
                        self._item_index[k] = idx
                        self._entry_pos[k] = (id(it), p)
        self._build_affixes()

    # Items: ("text", first, last) for a run of kept skeleton lines, ("gap", entries) for a run of
    # units and blank skeleton lines; entries are (unit index or -1, first line, last line).
    def _build_items(self) -> list[tuple]:
        items: list[tuple] = []
        segs, owner = self.segments, self.owner
        i, n = 0, len(segs)
        while i < n:
            k = owner[i]
            if k < 0 and segs[i].strip():
                j = i
                while j + 1 < n and owner[j + 1] < 0 and segs[j + 1].strip():
                    j += 1
                items.append(("text", i, j))
                i = j + 1
                continue
            entries: list[tuple[int, int, int]] = []
            while i < n and (owner[i] >= 0 or not segs[i].strip()):
                k = owner[i]
                if k >= 0:
                    u = self.units[k]
                    entries.append((k, u.first, u.last))
                    i = u.last + 1
                else:
                    j = i
                    while j + 1 < n and owner[j + 1] < 0 and not segs[j + 1].strip():
                        j += 1
                    entries.append((-1, i, j))
                    i = j + 1
            items.append(("gap", entries))
        return items

    def _build_affixes(self) -> None:
        """The synthetic lines with every unit left out, and where each item starts in them."""
        base_s: list[str] = []
        base_m: list[int] = []
        self._offsets: list[int] = []
        for it in self._items:
            self._offsets.append(len(base_s))
            s, m = self._item_lines(it, frozenset())
            base_s.extend(s)
            base_m.extend(m)
        self._offsets.append(len(base_s))
        self._base = (base_s, base_m)

    def _item_lines(self, item: tuple, keep: frozenset[int]) -> tuple[list[str], list[int]]:
        if item[0] == "text":
            _, a, b = item
            return self.segments[a : b + 1], list(range(a, b + 1))
        entries = item[1]
        positions = sorted(self._entry_pos[k] for k in keep if self._entry_pos.get(k, (-1, 0))[0] == id(item))
        segs: list[str] = []
        lm: list[int] = []
        prev = 0
        for _, p in positions:
            if p > prev:  # one empty line stands for the run of left-out lines
                segs.append("")
                lm.append(entries[prev][1])
            _, a, b = entries[p]
            segs.extend(self.segments[a : b + 1])
            lm.extend(range(a, b + 1))
            prev = p + 1
        if prev < len(entries):
            segs.append("")
            lm.append(entries[prev][1])
        return segs, lm

    def synthetic(self, comp: list[int]) -> Synthetic:
        """The synthetic file for a component (a list of unit indices)."""
        keep = frozenset(comp)
        items = sorted({self._item_index[k] for k in comp})
        segs: list[str] = []
        lm: list[int] = []
        base_s, base_m = self._base
        prev = 0
        for idx in items:
            a, b = self._offsets[idx], self._offsets[idx + 1]
            m_s, m_m = self._item_lines(self._items[idx], keep)
            segs += base_s[prev:a]
            segs += m_s
            lm += base_m[prev:a]
            lm += m_m
            prev = b
        segs += base_s[prev:]
        lm += base_m[prev:]
        return Synthetic("\n".join(segs), lm, keep)


def _components(segments: list[str], units: list[Unit], fortran: bool) -> list[list[int]]:
    """Group units that mention each other's names (union-find), in file order."""
    parent = list(range(len(units)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_name: dict[str, list[int]] = {}
    for k, u in enumerate(units):
        by_name.setdefault(u.name, []).append(k)
    for ks in by_name.values():  # several definitions of one name (overloads, duplicates) stay together
        for k in ks[1:]:
            parent[find(k)] = find(ks[0])
    names = by_name.keys()
    for k, u in enumerate(units):
        words = _words("\n".join(segments[u.first : u.last + 1]), fortran)
        for w in words & names:
            for j in by_name[w]:
                if j != k:
                    parent[find(j)] = find(k)
    groups: dict[int, list[int]] = {}
    for k in range(len(units)):
        groups.setdefault(find(k), []).append(k)
    return sorted(groups.values(), key=lambda g: g[0])


@functools.lru_cache(maxsize=4096)
def _words(body: str, fortran: bool) -> frozenset[str]:
    """The identifiers of a unit's text (cached: after an edit only the edited unit is scanned again)."""
    return frozenset(_IDENT.findall(body.lower() if fortran else body))


def _c_name(node: tree_sitter.Node, data: bytes) -> str | None:
    """The last word of a C-family function's name (``f`` of ``A::f``: what calls of it write)."""
    d = function_name_node(node)
    if d is None:
        return None
    words = _IDENT.findall(data[d.start_byte : d.end_byte].decode("utf-8", "replace"))
    return words[-1] if words else None


def _f_name(node: tree_sitter.Node, data: bytes) -> str | None:
    stmt = node.named_child(0)  # not ``named_children``: a unit's list holds every statement
    if stmt is None:
        return None
    for c in stmt.named_children:
        if c.type == "name":
            return data[c.start_byte : c.end_byte].decode("utf-8", "replace").lower()
    return None


def _aligned(data: bytes, node: tree_sitter.Node) -> tuple[int, int] | None:
    """(first line, last line) when the node starts and ends on lines of its own, else None."""
    start, end = node.start_byte, node.end_byte
    line_start = data.rfind(b"\n", 0, start) + 1
    if data[line_start:start].strip():
        return None
    (r0, _), (r1, c1) = node.start_point, node.end_point
    if c1 == 0 and r1 > r0:
        return r0, r1 - 1
    nl = data.find(b"\n", end)
    rest = data[end : (nl if nl >= 0 else len(data))]
    if rest.strip():
        return None
    return r0, r1


def split(source: SourceFile) -> Split | None:
    """Cut a file into units (cached in ``source.cache["units"]``); None when it cannot be split safely."""
    if "units" in source.cache:
        return source.cache["units"]
    result = _split(source)
    source.cache["units"] = result
    return result


def unit_nodes(source: SourceFile) -> list[tree_sitter.Node] | None:
    """The top-level function definitions (Fortran: program units, external procedures and the
    procedures of modules) in document order; None when the top level holds a syntax error."""
    fortran = source.language == "fortran"
    nodes: list[tree_sitter.Node] = []
    for child in source.tree.root_node.children:
        if child.type == "ERROR" or child.is_missing:
            return None
        if not fortran:
            if child.type == "function_definition":
                nodes.append(child)
        elif child.type in _F_UNIT_TYPES:
            nodes.append(child)
        elif child.type in _F_CONTAINERS:
            nodes.extend(
                proc
                for part in child.named_children
                if part.type == "internal_procedures"
                for proc in part.named_children
                if proc.type in _F_UNIT_TYPES
            )
    return nodes


def _candidates(source: SourceFile) -> list[tuple[tree_sitter.Node, str | None]] | None:
    """``unit_nodes`` with their names; None when the top level holds a syntax error."""
    nodes = unit_nodes(source)
    if nodes is None:
        return None
    name = _f_name if source.language == "fortran" else _c_name
    data = source.data
    return [(n, name(n, data)) for n in nodes]


def _split(source: SourceFile) -> Split | None:
    candidates = _candidates(source)
    if candidates is None:
        return None
    data = source.data
    fortran = source.language == "fortran"
    units: list[Unit] = []
    last_line = -1
    for node, name in candidates:
        if not name:
            continue
        lines = _aligned(data, node)
        if lines is None or lines[0] <= last_line:
            continue
        units.append(Unit(name, lines[0], lines[1]))
        last_line = lines[1]
    if not units:
        return None
    segments = source.text.split("\n")
    if units[-1].last >= len(segments):
        return None
    return Split(segments, units, fortran)
