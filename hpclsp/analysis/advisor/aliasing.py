"""Pointer aliasing: may two pointer parameters (or a parameter and a global array) overlap?

Inside a C function, ``p[i] = q[i + 1]`` is independent only if ``p`` and ``q`` point into
different arrays. That is proven when one of them is ``restrict``-qualified, or when the
function has internal linkage (``static``) and every call in the file passes distinct arrays
(different named arrays, not pointers). When a call passes the same array to both, the loop has
a real dependence; when nothing proves it either way, the loop stays parallelizable under a
stated assumption, which the verdict, the reason and the code action's title all carry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hpclsp.analysis.advisor.scalars import ScalarsMixin
from hpclsp.analysis.advisor.summaries import _param_names
from hpclsp.analysis.loops import Access, Function, Loop

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


def _array_of(arg: Node) -> Node | None:
    """The identifier an argument designates memory of: ``x``, ``x[i]``, ``&x[i][0]``, ``x + 1``."""
    n: Node | None = arg
    while n is not None:
        if n.type == "identifier":
            return n
        if n.type in ("pointer_expression", "parenthesized_expression", "cast_expression"):
            n = (
                n.child_by_field_name("argument")
                or n.child_by_field_name("value")
                or (n.named_children[-1] if n.named_children else None)
            )
        elif n.type == "subscript_expression":
            n = n.child_by_field_name("argument")
        elif n.type == "binary_expression":
            n = n.child_by_field_name("left")
        else:
            return None
    return None


class AliasMixin(ScalarsMixin):
    """Which pointer parameters of a loop may overlap, and what the calls in the file prove."""

    def _restrict(self, f: Function, name: str) -> bool:
        decl = f.node.child_by_field_name("declarator")
        while decl is not None and decl.type != "function_declarator":
            decl = decl.child_by_field_name("declarator")
        params = decl.child_by_field_name("parameters") if decl is not None else None
        for p in params.named_children if params is not None else []:
            words = self.text(p).replace("*", " ").replace("[", " ").split()
            if name in words and any(w in ("restrict", "__restrict", "__restrict__") for w in words):
                return True
        return False

    def _static(self, f: Function) -> bool:
        return any(
            c.type == "storage_class_specifier" and self.text(c) in ("static", "inline")
            for c in f.node.children
        )

    def _call_sites(self, name: str) -> list[Node]:
        out = []
        for g in self.ir.functions:
            for callee, node in g.calls:
                if callee == name:
                    out.append(node)
        return out

    def alias_check(self, lp: Loop, accs: list[Access]) -> tuple[str | None, list[str]]:
        """(a blocker message when a call passes overlapping arrays, the overlaps assumed absent)."""
        f = lp.func
        if self.fortran or f is None:
            return None, []
        params = _param_names(f)
        ptrs = {
            p
            for p in params
            if p in f.decls
            and f.decls[p].storage == "param"
            and (f.decls[p].is_pointer or f.decls[p].is_array)
        }
        used: dict[str, set[str]] = {}
        for a in accs:
            if a.subscripts:
                used.setdefault(a.base, set()).add(a.kind)
        pairs = []
        names = sorted(used)
        for i, x in enumerate(names):
            for y in names[i + 1 :]:
                if (x in ptrs or y in ptrs) and ("W" in used[x] or "W" in used[y]):
                    if x in ptrs and y in ptrs or self._global_array(x, f) or self._global_array(y, f):
                        pairs.append((x, y))
        assumed: list[str] = []
        for x, y in pairs:
            if (x in ptrs and self._restrict(f, x)) or (y in ptrs and self._restrict(f, y)):
                continue
            verdict = self._calls_prove_distinct(f, params, x, y)
            if verdict is True:
                continue
            if isinstance(verdict, str):
                return verdict, []
            assumed.append(f"`{x}` and `{y}` do not overlap")
        return None, assumed

    def _global_array(self, name: str, f: Function) -> bool:
        d = f.decls.get(name) or self.ir.globals.get(name)
        if d is None:
            return True  # declared in a header: may be a global array
        return d.storage in ("global", "static") and (d.is_array or d.is_pointer)

    def _calls_prove_distinct(self, f: Function, params: list[str], x: str, y: str) -> bool | str | None:
        """True: every call passes distinct arrays; a message: a call passes the same one; None: unknown."""
        sites = self._call_sites(f.name)
        if not sites or not self._static(f):
            return None
        for call in sites:
            args = call.child_by_field_name("arguments")
            actual = args.named_children if args is not None else []
            targets = []
            for v in (x, y):
                if v in params:
                    k = params.index(v)
                    node = _array_of(actual[k]) if k < len(actual) else None
                    if node is None:
                        return None
                    targets.append(self.text(node))
                else:
                    targets.append(v)
            caller = self.func_at(call.start_byte)
            for t in targets:
                d = self.decl(t, call.start_byte, caller)
                if d is None or d.is_pointer or not d.is_array or d.storage == "param":
                    return None  # a pointer (an array parameter is one too), or unknown: could point anywhere
            if targets[0] == targets[1]:
                line = self.src.node_span(call).start.line + 1
                return f"`{x}` and `{y}` point into the same array `{targets[0]}` at the call on line {line}"
        return True
