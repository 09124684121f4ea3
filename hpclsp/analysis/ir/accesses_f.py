"""Memory accesses in Fortran expressions, assignments and subroutine calls.

Fortran writes ``a(i)`` for an array element and a function call alike: a name is an array when
it is declared one (or is a dummy argument that is not an intrinsic).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hpclsp.analysis.ir.accesses_c import CAccessReader, Subscripts
from hpclsp.analysis.ir.affine import Affine, Poly
from hpclsp.analysis.ir.reader import descendants
from hpclsp.analysis.ir.subscripts import unblank
from hpclsp.analysis.ir.tables import F_INTRINSICS, OMP_LOCK_SET, OMP_LOCK_TEST, OMP_LOCK_UNSET

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


class FAccessReader(CAccessReader):
    """Reads Fortran expressions; ``expr`` dispatches on the language."""

    def expr(
        self,
        node: Node | None,
        stmt: Node | None,
        kind: str = "R",
        update_op: str | None = None,
        in_call: str | None = None,
    ) -> None:
        """Record the accesses of an expression; ``kind`` applies to the expression's own lvalue."""
        if node is None:
            return
        if self.fortran:
            self.f_expr(node, stmt, kind, update_op, in_call)
        else:
            self.c_expr(node, stmt, kind, update_op, in_call)

    def f_assignment(self, node: Node) -> None:
        """A Fortran assignment: the right side is read, then the left side written."""
        left = node.child_by_field_name("left") or (node.named_children[0] if node.named_children else None)
        right = node.child_by_field_name("right") or (
            node.named_children[-1] if len(node.named_children) > 1 else None
        )
        if right is not None:
            self.f_expr(right, node, "R", None, None)
        if left is not None and right is not None:
            upd = self.self_update(left, right)
            self.f_expr(left, node, "W", upd, None)

    def f_lvalue(self, node: Node) -> tuple[str, str, list[Node]] | None:
        """(name, base, subscript nodes) of a Fortran variable, element or component; None otherwise."""
        if node.type == "identifier":
            nm = self.name(node)
            return nm, nm, []
        if node.type == "derived_type_member_expression":
            base = node.named_children[0] if node.named_children else None
            while base is not None and base.type in ("derived_type_member_expression", "call_expression"):
                base = base.named_children[0] if base.named_children else None
            if base is not None and base.type == "identifier":
                return (
                    re.sub(r"\([^)]*\)", "", unblank(self.text(node))).lower(),
                    self.name(base),
                    [],
                )
            return None
        if node.type == "call_expression":
            kids = node.named_children
            if len(kids) >= 2 and kids[1].type == "argument_list":
                head = kids[0]
                inner = (
                    self.f_lvalue(head)
                    if head.type in ("identifier", "derived_type_member_expression")
                    else None
                )
                if inner is None:
                    return None
                nm, inner_base, _ = inner
                if head.type == "identifier" and not self.f_is_array(nm):
                    return None
                return nm, inner_base, [c for c in kids[1].named_children]
        return None

    def f_subscripts(self, idx: list[Node]) -> Subscripts:
        """The affine (else polynomial) forms of Fortran subscripts (``None`` for sections and keyword
        arguments), and whether one indexes through another array."""
        subs: list[Affine | None] = []
        polys: list[Poly | None] = []
        indirect = False
        inds = self.loop_indices()
        for i in idx:
            if i.type in _NOT_SUBSCRIPTS or ":" in self.text(i):
                subs.append(None)
                polys.append(None)
                continue
            a = self.affine(i, inds)
            polys.append(self.poly(i, inds) if a is None else None)
            if a is None and any(
                d.type == "call_expression"
                and d.named_children
                and self.f_is_array(self.name(d.named_children[0]))
                for d in descendants(i)
            ):
                indirect = True
            subs.append(a)
        return subs, polys, indirect

    def f_access(
        self, node: Node, stmt: Node | None, kind: str, update_op: str | None, in_call: str | None
    ) -> bool:
        """Record the access of a Fortran variable or element and read its subscripts; False when node is not one."""
        lv = self.f_lvalue(node)
        if lv is None:
            return False
        name, base, idx = lv
        if (
            node.type == "identifier"
            and not self.f_known_var(name)
            and self.func is not None
            and name not in self.loop_indices()
        ):
            # implicit typing: still a variable unless it is a known intrinsic
            if name in F_INTRINSICS or name in (".true.", ".false."):
                return True
        self.record(node, name, base, kind, self.f_subscripts(idx), stmt, in_call, update_op)
        for i in idx or []:
            self.f_expr(i, stmt, "R", None, None)
        return True

    def f_expr(
        self, node: Node, stmt: Node | None, kind: str, update_op: str | None, in_call: str | None
    ) -> None:
        """Record the accesses of a Fortran expression; ``kind`` applies to its own variable."""
        t = node.type
        if t in ("identifier", "derived_type_member_expression", "call_expression"):
            if self.f_access(node, stmt, kind, update_op, in_call):
                return
        if t == "call_expression":
            kids = node.named_children
            fname = self.name(kids[0]) if kids else "?"
            if self.func is not None:
                self.func.calls.append((fname, node))
            for c in kids[1:]:
                for a in c.named_children if c.type == "argument_list" else [c]:
                    self.f_expr(a, stmt, "R", None, fname)
            return
        if t in ("number_literal", "string_literal", "boolean_literal", "comment", "keyword_argument_name"):
            return
        if t == "keyword_argument":
            kids = node.named_children
            if kids:
                self.f_expr(kids[-1], stmt, "R", None, in_call)
            return
        cond = self.conditional_node(node)
        self.cond_depth += cond
        try:
            for c in node.named_children:
                self.f_expr(c, stmt, "R", None, in_call)
        finally:
            self.cond_depth -= cond

    def f_call(self, node: Node, stmt: Node) -> None:
        """A ``call``: lock calls are recorded as such; arguments are read or written by the callee's intents."""
        sub = node.child_by_field_name("subroutine")
        fname = self.name(sub) if sub is not None else "?"
        if self.func is not None:
            self.func.calls.append((fname, node))
        args = next((c for c in node.named_children if c.type == "argument_list"), None)
        if (
            fname in OMP_LOCK_SET | OMP_LOCK_UNSET | OMP_LOCK_TEST
            and args is not None
            and self.func is not None
        ):
            lk = re.sub(r"[\s()]", "", self.text(args)).lower()
            kind_ = "set" if fname in OMP_LOCK_SET else "unset" if fname in OMP_LOCK_UNSET else "test"
            self.func.lock_calls.append((kind_, lk, node.start_byte))
            return
        if args is None:
            return
        intents = self.f_intents_of(fname)
        for k, a in enumerate(args.named_children):
            intent = intents[k] if intents is not None and k < len(intents) else None
            kind = "W" if intent in ("out",) else "RW" if intent in ("inout",) else "R"
            if intent is None and intents is not None:
                kind = "RW"  # visible definition with no intent: assume it may write
            self.f_expr(a, stmt, kind, None, fname)


#: Argument kinds that are no single subscript (sections, ``dim=``-style keyword arguments)
_NOT_SUBSCRIPTS = frozenset({"array_slice", "slice", "extent_specifier", "keyword_argument"})
