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
from hpclsp.analysis.ir import Access, Function, Loop
from hpclsp.analysis.treeutil import c_parameter_names, function_parameters

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
        for p in function_parameters(f.node):
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
        params = c_parameter_names(f.node)
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
        why, more = self._pointer_variables(lp, f, used, ptrs)
        if why:
            return why, []
        assumed += more
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

    def _pointer_variables(
        self, lp: Loop, f: Function, used: dict[str, set[str]], params: set[str]
    ) -> tuple[str | None, list[str]]:
        """Pointer variables (not parameters) against the other arrays of the loop: distinct when every
        assignment of each is a fresh allocation; the same memory when one is assigned the other."""
        pointers = []
        for name in used:
            d = self.decl(name, lp.node.start_byte, f)
            if d is None or name in params or not d.is_pointer or d.is_array or d.storage == "param":
                continue
            if self.iteration_memory(name, lp, lp.body_start):
                continue
            pointers.append(name)
        assumed: list[str] = []
        for x in sorted(pointers):
            for y in sorted(used):
                if y == x or (y in pointers and y < x) or not ("W" in used[x] or "W" in used[y]):
                    continue
                sx, sy = self._sources(x, f), self._sources(y, f)
                for a, b, src in ((x, y, sx), (y, x, sy)):
                    line = src.get(b)
                    if line is not None:
                        return (
                            f"`{x}` and `{y}` may point to the same memory (`{a}` is assigned `{b}` on line {line})",
                            [],
                        )
                fresh_x = sx and all(v == 0 for v in sx.values())
                other = self.decl(y, lp.node.start_byte, f)
                fresh_y = (sy and all(v == 0 for v in sy.values())) or (
                    other is not None and other.is_array and not other.is_pointer and other.storage != "param"
                )
                if not (fresh_x and fresh_y):
                    assumed.append(f"`{x}` and `{y}` do not overlap")
        return None, assumed

    def _sources(self, name: str, f: Function) -> dict[str, int]:
        """What a pointer variable is assigned anywhere in the file: ``{"": 0}`` per fresh allocation
        (new/malloc/calloc), ``{other: line}`` when assigned (an address into) another variable, and
        ``{"?": line}`` for anything else."""
        out: dict[str, int] = {}
        scope = {id(g) for g in self.connected(f)}
        for a in self.ir.accesses:
            if a.func is not None and id(a.func) not in scope:
                continue  # a function no call joins to this one (another unit)
            if a.base != name or a.kind != "W" or a.subscripts or self._in_swap(a.node):
                continue
            value = self._assigned_value(a)
            line = a.line + 1
            while value is not None and value.type in ("cast_expression", "parenthesized_expression"):
                value = value.child_by_field_name("value") or (
                    value.named_children[-1] if value.named_children else None
                )
            if value is None:
                out["?"] = line
            elif value.type == "new_expression" or (
                value.type == "call_expression"
                and self.text(value.child_by_field_name("function") or value).replace("std::", "")
                in ("malloc", "calloc", "aligned_alloc")
            ):
                out.setdefault("", 0)
            else:
                target = _array_of(value)
                out[self.text(target) if target is not None else "?"] = line
        return out

    def _pair(self, stmt: Node | None) -> tuple[str, str] | None:
        """``x = y;`` or ``T *x = y;`` -> (x, y) for plain names."""
        if stmt is None:
            return None
        if stmt.type == "expression_statement" and stmt.named_children:
            e = stmt.named_children[0]
            if e.type == "assignment_expression":
                left, right = e.child_by_field_name("left"), e.child_by_field_name("right")
                if left is not None and right is not None and left.type == right.type == "identifier":
                    return self.text(left), self.text(right)
        if stmt.type == "declaration":
            inits = [c for c in stmt.named_children if c.type == "init_declarator"]
            if len(inits) == 1:
                d, v = inits[0].child_by_field_name("declarator"), inits[0].child_by_field_name("value")
                while d is not None and d.type == "pointer_declarator":
                    d = d.child_by_field_name("declarator")
                if d is not None and v is not None and d.type == v.type == "identifier":
                    return self.text(d), self.text(v)
        return None

    def _in_swap(self, node: Node) -> bool:
        """True when an assignment is part of ``t = x; x = y; y = t;``: the pointers are permuted, never merged."""
        stmt: Node | None = node
        while stmt is not None and stmt.type not in ("expression_statement", "declaration"):
            stmt = stmt.parent
        if stmt is None:
            return False
        before: list[Node | None] = []
        p = stmt.prev_named_sibling
        for _ in range(2):
            before.insert(0, p)
            p = p.prev_named_sibling if p is not None else None
        after: list[Node | None] = []
        n = stmt.next_named_sibling
        for _ in range(2):
            after.append(n)
            n = n.next_named_sibling if n is not None else None
        row = [*before, stmt, *after]
        for start in range(3):  # the statement as the third, second or first of the three
            pairs = [self._pair(s) for s in row[start : start + 3]]
            if None in pairs:
                continue
            (t1, x1), (x2, y2), (y3, t3) = pairs  # type: ignore[misc]
            if t1 == t3 and x1 == x2 and y2 == y3 and len({t1, x1, y2}) == 3:
                return True
        return False

    def _assigned_value(self, a: Access) -> Node | None:
        p = a.node.parent
        if p is not None and p.type == "assignment_expression":
            left = p.child_by_field_name("left")
            op = p.child_by_field_name("operator")
            if left is not None and left.id == a.node.id and op is not None and self.text(op) == "=":
                return p.child_by_field_name("right")
            return None
        while p is not None and p.type not in ("init_declarator", "declaration"):
            p = p.parent
        if p is not None and p.type == "init_declarator":
            return p.child_by_field_name("value")
        return None

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
