"""What the C-family and Fortran graph builders share: node creation inside the current OpenMP
region, loop exit/continue targets, labels and jumps, regions with their barriers."""

from __future__ import annotations

from hpclsp.analysis.cfg import omp
from hpclsp.analysis.cfg.graph import BARRIER, CFG, ENTRY, EXIT, JOIN, REGION_BEGIN, REGION_END, Node, Region
from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.source import SourceFile


class Builder:
    """Builds one function's graph; subclasses walk their language's statements."""

    def __init__(self, source: SourceFile, fn: Node, name: str, functions: frozenset[str]) -> None:
        self.source = source
        self.cfg = CFG(name, fn)
        self.cfg.entry = self.cfg.add(ENTRY, owner=fn)
        self.cfg.exit = self.cfg.add(EXIT, owner=fn)
        self.functions = functions
        self.directives = omp.by_line(source)
        self.regions: list[int] = []
        #: (break target, continue target, loop label) of the enclosing loops and switches.
        self.loops: list[tuple[int, int | None, str]] = []
        self.labels: dict[str, int] = {}
        self.jumps: list[tuple[int, str]] = []

    def text(self, node: Node) -> str:
        """The source text of a node."""
        return self.source.node_text(node)

    def add(self, kind: str, ast: Node | None = None, label: str = "", owner: Node | None = None) -> int:
        """A node in the innermost open region."""
        i = self.cfg.add(kind, ast, label, owner)
        self.cfg.nodes[i].region = self.regions[-1] if self.regions else None
        return i

    def step(self, cur: int | None, kind: str, ast: Node | None = None, label: str = "") -> int | None:
        """Append a node after ``cur`` (nothing when ``cur`` is unreachable)."""
        if cur is None:
            return None
        i = self.add(kind, ast, label)
        self.cfg.edge(cur, i)
        return i

    def join(self, *preds: int | None) -> int | None:
        """A join point of the given predecessors (None when none of them is reachable)."""
        live = [p for p in preds if p is not None]
        if not live:
            return None
        if len(live) == 1:
            return live[0]
        j = self.add(JOIN)
        for p in live:
            self.cfg.edge(p, j)
        return j

    def sequence(self, kids: list[Node], cur: int | None) -> int | None:
        """Statements in order; an OpenMP directive opens a region over what follows it (``region``)."""
        i = 0
        while i < len(kids):
            k = kids[i]
            d = self.directive(k)
            if d is None:
                cur = self.stmt(k, cur)
            elif omp.kind(d) == "barrier":
                cur = self.barrier(cur, k, "explicit")
            elif omp.kind(d) in ("block", "loop"):
                cur, i = self.region(kids, i, d, cur)
            i += 1
        return cur

    def directive(self, node: Node) -> Directive | None:
        """The OpenMP directive a node of the sequence is, if any (by language)."""
        raise NotImplementedError

    def region(self, kids: list[Node], i: int, d: Directive, cur: int | None) -> tuple[int | None, int]:
        """The region ``kids[i]`` opens; returns the fall-through node and the index of its last node."""
        raise NotImplementedError

    def stmt(self, node: Node, cur: int | None) -> int | None:
        """Add one statement after ``cur``; returns the node control falls through from."""
        raise NotImplementedError

    def record_calls(self, node: Node, at: int, call_types: tuple[str, ...], callee_field: str) -> None:
        """Remember calls of functions of this file made by the statement at node ``at``."""
        stack = [node]
        while stack:
            n = stack.pop()
            if n.type in call_types:
                fn = n.child_by_field_name(callee_field)
                if fn is None and n.named_children:
                    fn = n.named_children[0]
                if fn is not None and fn.type == "identifier":
                    name = self.text(fn)
                    key = name.lower() if self.source.language == "fortran" else name
                    if key in self.functions:
                        self.cfg.calls.append((at, key))
            stack.extend(reversed(n.named_children))

    def open_region(
        self, cur: int | None, d: Directive, start: int, end: int, nowait: bool
    ) -> tuple[int | None, int]:
        """Enter the region of construct ``d`` spanning bytes start..end; returns (node, region index)."""
        parent = self.regions[-1] if self.regions else None
        r = Region(len(self.cfg.regions), d.name, start, end, parent, nowait, d.first_line)
        self.cfg.regions.append(r)
        self.regions.append(r.index)
        node = self.step(cur, REGION_BEGIN, label=d.name)
        if node is not None:
            r.begin = node
        return node, r.index

    def close_region(self, cur: int | None, index: int) -> int | None:
        """Leave a region: its end node and its implicit barrier when it has one. The join at the end
        of a ``parallel``/``teams`` region belongs to that region's team; the barrier ending a
        worksharing construct belongs to the enclosing team. Both nodes exist even when the end is
        unreachable, so that the region's barriers are all listed."""
        r = self.cfg.regions[index]
        barrier = omp.ends_with_barrier(r.name, r.nowait)
        node = cur
        if r.is_team:
            node = self._implicit_barrier(node, r) if barrier else node
            node = self._chain(node, self.add(REGION_END, label=r.name))
            r.finish = node
            self._leave(index)
            return node if cur is not None else None
        self._leave(index)
        node = self._chain(node, self.add(REGION_END, label=r.name))
        r.finish = node
        if barrier:
            node = self._implicit_barrier(node, r)
        return node if cur is not None else None

    def _leave(self, index: int) -> None:
        if self.regions and self.regions[-1] == index:
            self.regions.pop()

    def _chain(self, cur: int | None, node: int) -> int:
        self.cfg.edge(cur, node)
        return node

    def _implicit_barrier(self, cur: int | None, r: Region) -> int:
        node = self._chain(cur, self.add(BARRIER, label="implicit"))
        self.cfg.nodes[node].at = r.end
        self.cfg.nodes[node].closes = r.index
        return node

    def barrier(self, cur: int | None, ast: Node, label: str) -> int | None:
        """An explicit barrier statement (``omp barrier``, ``__syncthreads()``)."""
        node = self.step(cur, BARRIER, ast, label)
        if node is not None:
            self.cfg.nodes[node].at = ast.end_byte
        return node

    def jump(self, at: int, target: str) -> None:
        """A ``goto`` to a label resolved when the function is complete."""
        self.jumps.append((at, target))

    def finish(self, cur: int | None) -> CFG:
        """Connect the fall-through end to the exit and resolve jumps."""
        self.cfg.edge(cur, self.cfg.exit)
        for at, target in self.jumps:
            dest = self.labels.get(target)
            self.cfg.edge(at, dest if dest is not None else self.cfg.exit)
        return self.cfg
