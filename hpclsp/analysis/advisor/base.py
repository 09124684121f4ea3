"""The advisor's per-file state and the questions every concern asks: declarations, loop shape, body nodes."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from hpclsp.analysis.advisor.nodes import ancestors_until, find_kinds
from hpclsp.analysis.advisor.tables import C_CONDITIONAL_NODES, F_CONDITIONAL_NODES, F_IO_NODES
from hpclsp.analysis.ir import Access, Decl, FileIR, Function, Loop, build_ir
from hpclsp.analysis.reductions import C_REDUCTION_OPS, F_REDUCTION_OPS
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.treeutil import C_LOOPS, F_LOOPS, walk

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


#: Node kinds a side effect or an early exit can be (collected once per file, looked up per loop).
_C_EFFECT_NODES = frozenset(
    {
        "call_expression",
        "break_statement",
        "return_statement",
        "goto_statement",
        "throw_statement",
        "new_expression",
        "delete_expression",
        "binary_expression",
        "assignment_expression",
        "update_expression",
    }
)
_F_EFFECT_NODES = F_IO_NODES | {
    "call_expression",
    "subroutine_call",
    "keyword_statement",
    "stop_statement",
    "return_statement",
    "goto_statement",
    "error_stop_statement",
}


class AdvisorBase:
    """Per-file state: the IR, declarations, and the shape of each loop."""

    def __init__(self, source: SourceFile) -> None:
        self.src = source
        self.fortran = source.language == "fortran"
        self.ir: FileIR = build_ir(source)
        self.cond_nodes = F_CONDITIONAL_NODES if self.fortran else C_CONDITIONAL_NODES
        self.red_ops = F_REDUCTION_OPS if self.fortran else C_REDUCTION_OPS
        self._purity: dict[str, str | None] = {}
        self._scratch_statics: dict[str, bool] = {}
        self.access_nodes = {a.node.id for a in self.ir.accesses}
        self._regions: list[tuple[int, int]] | None = None
        self._func_defs: dict[str, Function] = {}
        for f in self.ir.functions:
            self._func_defs.setdefault(f.name.lower() if self.fortran else f.name, f)

    def text(self, node: Node) -> str:
        return self.src.node_text(node)

    # -- per loop ---------------------------------------------------------------------------
    def body_accesses(self, lp: Loop) -> list[Access]:
        """Accesses inside the loop body (header accesses excluded)."""
        return [a for a in lp.accesses if lp.body_start <= a.node.start_byte < lp.body_end]

    def decl(self, name: str, byte: int, func: Function | None) -> Decl | None:
        """The declaration of a name seen from a byte in func (innermost function first, then the IR's lookup)."""
        if func is not None:
            best = None
            for d in func.all_decls.get(name, []):
                if d.scope_start <= byte < d.scope_end and (
                    best is None or d.scope_start >= best.scope_start
                ):
                    best = d
            if best is not None:
                return best
            if name in func.decls:
                return func.decls[name]
        return self.ir.decl(name, byte)

    def func_at(self, byte: int) -> Function | None:
        """The innermost function (internal procedures included) containing a byte."""
        best = None
        for f in self.ir.functions:
            if f.node.start_byte <= byte < f.node.end_byte and (
                best is None or f.node.start_byte >= best.node.start_byte
            ):
                best = f
        return best

    def is_array(self, a: Access) -> bool:
        if a.subscripts:
            return True
        d = self.decl(a.base, a.node.start_byte, a.func)
        return bool(d is not None and (d.is_array or (d.is_pointer and not self.fortran)))

    def decl_inside(self, name: str, lp: Loop, byte: int) -> bool:
        """True when name is declared in a C block inside the loop (hence private to each iteration)."""
        if self.fortran:
            return False
        d = self.decl(name, byte, lp.func)
        return (
            d is not None
            and d.storage not in ("static", "global", "param")
            and d.scope_start >= lp.node.start_byte
            and (d.scope_end <= lp.node.end_byte)
            and not (d.scope_start == lp.node.start_byte and name == lp.index)
        )

    def canonical(self, lp: Loop) -> str | None:
        """None when the loop is a counted loop OpenMP can distribute, else the reason."""
        if lp.kind == "while":
            return "while loop: the trip count is not known on entry"
        if lp.kind == "do while":
            return (
                "do while: the trip count is not known on entry"
                if self.fortran
                else "do-while loop: the trip count is not known on entry"
            )
        if lp.kind == "do concurrent":
            return None if lp.index else "do concurrent with several indices is not analysed"
        if lp.index is None:
            if lp.kind == "for" and not self.fortran:
                hdr = self.text(lp.node)[:80]
                if "->" in hdr or "next" in hdr:
                    return "pointer chasing: not a counted loop"
                return "not a counted loop (no integer index with a simple bound)"
            return "do loop without a loop control: exits by a condition"
        if lp.lower is None or lp.upper is None:
            why = self._bounds_problem(lp)
            if why:
                return why
        if lp.step is None:
            return "the loop step is not a constant"
        return None

    def _bounds_problem(self, lp: Loop) -> str | None:
        """Bounds that are not affine are fine when they cannot change during the loop."""
        if self.fortran:
            return None  # Fortran evaluates the bounds once, on entry
        cond = lp.node.child_by_field_name("condition")
        if cond is None or cond.type != "binary_expression":
            return "the loop condition is not a simple bound on the index"
        op = cond.child_by_field_name("operator")
        if op is None or self.text(op) not in ("<", "<=", ">", ">=", "!="):
            return "the loop condition is not a simple bound on the index"
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        if left is None or right is None:
            return "the loop condition is not a simple bound on the index"
        bound = right if self.text(left) == lp.index else left if self.text(right) == lp.index else None
        if bound is None:
            return "the loop condition is not a simple bound on the index"
        names = {self.text(n) for n in walk(bound) if n.type == "identifier"}
        for a in self.body_accesses(lp):
            if a.kind == "W" and a.base in names:
                return f"the loop bound depends on {a.base}, which the body changes"
        for n in walk(bound):
            if n.type == "call_expression":
                return "the loop bound calls a function"
        return None

    def _body_nodes(self, lp: Loop) -> list[Node]:
        if self.fortran:
            return [
                c for c in lp.node.named_children if c.type not in ("do_statement", "end_do_loop_statement")
            ]
        body = lp.node.child_by_field_name("body")
        return [body] if body is not None else []

    def _inside_inner_loop(self, n: Node, lp: Loop, switch: bool = False) -> bool:
        kinds = F_LOOPS if self.fortran else C_LOOPS
        if switch:
            kinds = kinds | {"switch_statement"}
        return any(p.type in kinds for p in ancestors_until(n, lp.node))

    # -- calls ------------------------------------------------------------------------------

    def effect_nodes(self, root: Node) -> list[Node]:
        """The nodes inside root (itself included) that may be a side effect or an early exit."""
        top = self._top_loop(root)
        if top is None:  # only loop bodies are asked about
            return []
        # loops nest, so the outermost loop around root holds every body asked about in its nest;
        # each nest is searched once, when the first question about it comes
        cache: dict[int, tuple[list[int], list[Node]]] = self.__dict__.setdefault("_effect_index", {})
        index = cache.get(top.id)
        if index is None:
            nodes = self._effect_nodes_in(top)
            index = cache[top.id] = ([n.start_byte for n in nodes], nodes)
        starts, nodes = index
        lo = bisect.bisect_left(starts, root.start_byte)
        hi = bisect.bisect_left(starts, root.end_byte)
        return [n for n in nodes[lo:hi] if n.end_byte <= root.end_byte]

    def _effect_nodes_in(self, root: Node) -> list[Node]:
        kinds = _F_EFFECT_NODES if self.fortran else _C_EFFECT_NODES
        return [n for n in find_kinds(root, self.src.language, kinds) if self._maybe_effect(n)]

    def _top_loop(self, root: Node) -> Node | None:
        """The node of the outermost loop holding root, if any."""
        tops: tuple[list[int], list[Node]] | None = self.__dict__.get("_top_loops")
        if tops is None:
            nodes = sorted((lp.node for lp in self.ir.loops if lp.parent is None), key=lambda n: n.start_byte)
            tops = self.__dict__["_top_loops"] = ([n.start_byte for n in nodes], nodes)
        k = bisect.bisect_right(tops[0], root.start_byte) - 1
        if k < 0:
            return None
        top = tops[1][k]
        return top if root.end_byte <= top.end_byte else None

    def _maybe_effect(self, n: Node) -> bool:
        """Drop the operator nodes that cannot be effects: shifts only in C++, assignments only on objects."""
        if n.type == "binary_expression":
            op = n.child_by_field_name("operator")
            return op is not None and op.type in ("<<", ">>")
        if n.type in ("assignment_expression", "update_expression"):
            return self.src.language in ("cpp", "cuda")
        return True

    def connected(self, f: Function | None) -> list[Function]:
        """f and the functions joined to it by calls, either way (what a per-unit analysis sees too)."""
        if f is None:
            return []
        cache: dict[int, list[Function]] = self.__dict__.setdefault("_connected", {})
        if id(f) in cache:
            return cache[id(f)]
        names = {g.name.lower() if self.fortran else g.name: g for g in self.ir.functions}
        edges: dict[int, set[int]] = {id(g): set() for g in self.ir.functions}
        for g in self.ir.functions:
            for callee, _node in g.calls:
                h = names.get(callee.lower() if self.fortran else callee)
                if h is not None:
                    edges[id(g)].add(id(h))
                    edges[id(h)].add(id(g))
        by_id = {id(g): g for g in self.ir.functions}
        seen, stack = {id(f)}, [id(f)]
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        cache[id(f)] = [by_id[k] for k in seen if k in by_id]
        return cache[id(f)]

    def visible_text(self, f: Function | None) -> str:
        """The text of the functions connected to f and of everything outside all functions."""
        data = self.src.data
        ranges = sorted((g.node.start_byte, g.node.end_byte) for g in self.ir.functions)
        keep = {(g.node.start_byte, g.node.end_byte) for g in self.connected(f)}
        parts, pos = [], 0
        for s, e in ranges:
            if s < pos:
                continue
            parts.append(data[pos:s])
            if (s, e) in keep:
                parts.append(data[s:e])
            pos = e
        parts.append(data[pos:])
        return b"\n".join(parts).decode("utf-8", "replace")
