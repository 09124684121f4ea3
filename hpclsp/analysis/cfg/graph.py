"""The control-flow graph of one function: nodes, edges, OpenMP regions and barriers.

A node stands for one simple statement, one branch or loop condition, one barrier, or one of the
synthetic entry/exit/join points. Edges carry no labels; a condition node's successors are listed
*then* first, *else* (or loop exit) second. Barriers are nodes of their own so that a path
"crosses" a barrier exactly when it passes through one of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import tree_sitter

Node = tree_sitter.Node

#: Node kinds.
ENTRY, EXIT, STMT, COND, BARRIER, JOIN, REGION_BEGIN, REGION_END = (
    "entry",
    "exit",
    "stmt",
    "cond",
    "barrier",
    "join",
    "region-begin",
    "region-end",
)


@dataclasses.dataclass(eq=False)
class CNode:
    """One node of the graph (``ast``: the statement or condition it stands for, if any)."""

    id: int
    kind: str
    ast: Node | None = None
    #: For barriers: ``explicit`` (``omp barrier``), ``implicit`` (end of a construct),
    #: ``syncthreads`` (CUDA); for condition nodes: the branch or loop statement.
    label: str = ""
    owner: Node | None = None
    succ: list[int] = dataclasses.field(default_factory=list)
    pred: list[int] = dataclasses.field(default_factory=list)
    #: The innermost OpenMP region the node lies in (index into ``CFG.regions``), or None.
    region: int | None = None
    #: For barriers: the byte where it takes effect (after the directive or call; at the end of the
    #: construct for implicit ones).
    at: int = -1
    #: For implicit barriers: the region whose end it is.
    closes: int | None = None

    @property
    def start(self) -> int:
        """The first byte of the statement (or -1 for synthetic nodes)."""
        node = self.owner if self.ast is None else self.ast
        return node.start_byte if node is not None else -1


@dataclasses.dataclass(eq=False)
class Region:
    """An OpenMP construct with a body: its directive name, extent and the nodes delimiting it."""

    index: int
    name: str
    start: int
    end: int
    parent: int | None
    nowait: bool
    #: 0-based line of the directive.
    line: int = -1
    begin: int = -1
    finish: int = -1

    def has(self, leaf: str) -> bool:
        """Whether ``leaf`` is one of the words of the directive name (``for`` in ``parallel for``)."""
        return leaf in self.name.split()

    @property
    def is_team(self) -> bool:
        """Whether the construct creates a team of threads (``parallel``) or a league (``teams``)."""
        return self.has("parallel") or self.has("teams")


@dataclasses.dataclass(eq=False)
class CFG:
    """The graph of one function (``ast``: its definition node, ``name``: its name)."""

    name: str
    ast: Node
    nodes: list[CNode] = dataclasses.field(default_factory=list)
    regions: list[Region] = dataclasses.field(default_factory=list)
    #: (call node id, callee name) for calls of functions of the same file.
    calls: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    entry: int = 0
    exit: int = 1

    def add(self, kind: str, ast: Node | None = None, label: str = "", owner: Node | None = None) -> int:
        """A new node; returns its id."""
        self.nodes.append(CNode(len(self.nodes), kind, ast, label, owner))
        return len(self.nodes) - 1

    def edge(self, a: int | None, b: int) -> None:
        """Connect ``a`` to ``b`` (nothing when ``a`` is None: unreachable code falls nowhere)."""
        if a is None:
            return
        if b not in self.nodes[a].succ:
            self.nodes[a].succ.append(b)
            self.nodes[b].pred.append(a)

    def barriers(self) -> list[CNode]:
        """The barrier nodes, in creation (source) order."""
        return [n for n in self.nodes if n.kind == BARRIER]

    def team_of(self, region: int | None) -> int | None:
        """The innermost team region (``parallel``/``teams``) enclosing a region, or None."""
        while region is not None and not self.regions[region].is_team:
            region = self.regions[region].parent
        return region

    def region_at_line(self, line: int) -> Region | None:
        """The region whose directive is on 0-based ``line``."""
        return next((r for r in self.regions if r.line == line), None)

    def team_barriers(self, team: int) -> list[CNode]:
        """The barriers the threads of team region ``team`` meet inside it (explicit ones and those
        ending its worksharing constructs; not its own closing join, nor those of nested teams)."""
        return [
            b
            for b in self.barriers()
            if b.closes != team and b.label != "syncthreads" and self.team_of(b.region) == team
        ]

    def reachable(self, start: int, stop: Iterable[int] = (), backward: bool = False) -> set[int]:
        """Nodes reachable from ``start`` (or reaching it, ``backward``) without passing through a node
        in ``stop`` (stop nodes themselves included)."""
        stops = set(stop)
        seen = {start}
        work = [start]
        while work:
            n = work.pop()
            if n in stops and n != start:
                continue
            node = self.nodes[n]
            for s in node.pred if backward else node.succ:
                if s not in seen:
                    seen.add(s)
                    work.append(s)
        return seen

    def between_barriers(self, a: int, b: int | None = None) -> list[CNode]:
        """Statements a thread may run after node ``a`` (a barrier, or the entry) before it reaches the
        next barrier (``b`` when given: only statements from which ``b`` is reachable barrier-free)."""
        bars = {n.id for n in self.barriers()}
        fwd = self.reachable(a, bars)
        if b is not None:
            fwd &= self.reachable(b, bars, backward=True)
        return [self.nodes[i] for i in sorted(fwd) if self.nodes[i].kind in (STMT, COND)]

    def barriers_crossed(self, a: int, b: int) -> list[CNode] | None:
        """The barriers that lie on every path from ``a`` to ``b`` (None when ``b`` is unreachable)."""
        if b not in self.reachable(a):
            return None
        return [
            bar for bar in self.barriers() if bar.id not in (a, b) and b not in self.reachable(a, [bar.id])
        ]

    def postorder(self, root: int, backward: bool = False) -> list[int]:
        """Depth-first postorder of the nodes reachable from ``root`` (along predecessors: ``backward``)."""
        order: list[int] = []
        seen = {root}
        stack: list[tuple[int, int]] = [(root, 0)]
        while stack:
            n, i = stack[-1]
            nxt = self.nodes[n].pred if backward else self.nodes[n].succ
            if i < len(nxt):
                stack[-1] = (n, i + 1)
                if nxt[i] not in seen:
                    seen.add(nxt[i])
                    stack.append((nxt[i], 0))
            else:
                stack.pop()
                order.append(n)
        return order

    def reverse_postorder(self) -> list[int]:
        """Nodes reachable from the entry in reverse postorder (the iteration order of forward data flow)."""
        return self.postorder(self.entry)[::-1]

    def postdominators(self) -> dict[int, int | None]:
        """Immediate post-dominator of each node (None for the exit and nodes that never reach it)."""
        # Cooper-Harvey-Kennedy on the reversed graph, rooted at the exit.
        order = self.postorder(self.exit, backward=True)
        rank = {n: i for i, n in enumerate(order)}
        ipdom: dict[int, int | None] = {self.exit: self.exit}
        changed = True
        while changed:
            changed = False
            for n in reversed(order):
                if n == self.exit:
                    continue
                new: int | None = None
                for s in self.nodes[n].succ:
                    if s not in ipdom:
                        continue
                    new = s if new is None else _intersect(ipdom, rank, s, new)
                if new is not None and ipdom.get(n) != new:
                    ipdom[n] = new
                    changed = True
        out: dict[int, int | None] = {n.id: ipdom.get(n.id) for n in self.nodes}
        out[self.exit] = None
        return out

    def control_dependences(self) -> dict[int, set[int]]:
        """For each node, the condition nodes it is control dependent on (Ferrante-Ottenstein-Warren)."""
        ipdom = self.postdominators()
        deps: dict[int, set[int]] = {n.id: set() for n in self.nodes}
        for a in self.nodes:
            if len(a.succ) < 2:
                continue
            stop = ipdom.get(a.id)
            for s in a.succ:
                runner: int | None = s
                steps = 0
                while runner is not None and runner != stop and steps <= len(self.nodes):
                    deps[runner].add(a.id)
                    nxt = ipdom.get(runner)
                    runner = None if nxt == runner else nxt
                    steps += 1
                if stop is None:
                    # ``a`` has a successor that never reaches the exit (an infinite loop): everything
                    # reachable from that successor depends on ``a``.
                    for r in self.reachable(s):
                        deps[r].add(a.id)
        return deps


def _intersect(ipdom: dict[int, int | None], rank: dict[int, int], a: int, b: int) -> int:
    while a != b:
        while rank[a] < rank[b]:
            nxt = ipdom[a]
            assert nxt is not None
            a = nxt
        while rank[b] < rank[a]:
            nxt = ipdom[b]
            assert nxt is not None
            b = nxt
    return a
