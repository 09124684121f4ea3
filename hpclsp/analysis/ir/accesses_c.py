"""Memory accesses: recording them (aliases followed, updates paired), and reading C expressions.

Each read or write becomes an ``Access`` in evaluation order (a statement's reads before its
write), added to the current function and to every enclosing loop.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from hpclsp.analysis.ir.affine import Poly
from hpclsp.analysis.ir.decls import DeclReader
from hpclsp.analysis.ir.model import PENDING_SPAN, Access
from hpclsp.analysis.ir.reader import descendants
from hpclsp.analysis.ir.subscripts import unblank
from hpclsp.analysis.ir.tables import (
    C_READONLY_CALLS,
    C_UPDATE_OPS,
    C_WRITING_CALLS,
    OMP_LOCK_SET,
    OMP_LOCK_TEST,
    OMP_LOCK_UNSET,
)
from hpclsp.analysis.values.affine import Affine

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node

#: Subscripts read: affine forms, polynomial forms (where not affine), and whether any is indirect
Subscripts = tuple[list[Affine | None], list[Poly | None], bool]


class CAccessReader(DeclReader):
    """Records accesses; reads C declarations' initializers and C expressions."""

    def c_declaration(self, node: Node, global_: bool = False, scope: Node | None = None) -> None:
        """Declare a C declaration's names; a local initializer is read, then written to the name."""
        for decl, init, target, is_ptr in self.c_declarators(node, global_, scope):
            self.record_alias(decl.name, init, is_ptr)
            if decl.storage != "static":  # a static local is initialized once, not by each execution
                self.write_access(target, decl.name, node)
            self.c_expr(init, node, "R", None, None)

    def add_access(
        self,
        node: Node,
        name: str,
        base: str,
        kind: str,
        subs: list[Affine | None],
        stmt: Node | None,
        indirect: bool = False,
        in_call: str | None = None,
        update_op: str | None = None,
        polys: list[Poly | None] | None = None,
    ) -> Access:
        """Record one access (``p[k]`` through an alias ``p = a + off`` becomes ``a[k + off]``)."""
        self.order += 1
        func = self.func
        if func is not None and name == base and base in func.aliases:
            name, subs = self.through_aliases(name, subs)
            base = name
        last = self.last_node
        if last is not None and last[0] is node:  # the write of a read-modify-write: same text
            text = last[1]
        else:
            text = self.text(node)
            self.last_node = (node, text)
        acc = Access(
            name,
            base,
            kind,
            subs,
            PENDING_SPAN,  # the span of the node, computed by ``src`` if ever read
            node,
            stmt,
            func,
            self.order,
            in_call,
            update_op,
            indirect,
            self.cond_depth > 0,
            text,
            [] if polys is None else polys,
            src=self.src,
        )
        if kind == "W" and update_op is not None and stmt is not None:
            self.pair_update(name, subs, stmt, update_op)
        self.accesses.append(acc)
        if func is not None:
            func.accesses.append(acc)
        for lp in self.loop_stack:
            lp.accesses.append(acc)
        return acc

    def through_aliases(self, name: str, subs: list[Affine | None]) -> tuple[str, list[Affine | None]]:
        """The array a pointer aliases and the subscripts shifted by the offset (``q = p + 12`` with
        ``p = a``: ``q[k]`` is ``a[k + 12]``), followed through up to four pointers."""
        assert self.func is not None
        aliases = self.func.aliases
        hops = 0
        while name in aliases and hops < 4:
            tgt, off = aliases[name]
            hops += 1
            if tgt == "?":
                break
            if subs and subs[0] is not None:
                subs = [subs[0] + off, *subs[1:]]
            name = tgt
        return name, subs

    def pair_update(self, name: str, subs: list[Affine | None], stmt: Node, update_op: str) -> None:
        """The read of ``x`` in ``x = x + e`` belongs to the same update as the write of ``x``."""
        for prev in reversed(self.accesses[-12:]):
            if prev.stmt is not None and prev.stmt.id == stmt.id and prev.name == name and prev.kind == "R":
                if prev.subscripts == subs and prev.update_op is None:
                    prev.update_op = update_op

    def write_access(self, node: Node, name: str, stmt: Node | None) -> None:
        """Record a write of a scalar."""
        self.add_access(node, name, name, "W", [], stmt)

    def c_lvalue(self, node: Node) -> tuple[str, str, list[Node | None]] | None:
        """(name, base, index nodes outermost-first; None for ``*p``) of an lvalue-ish expression."""
        idx: list[Node | None] = []
        n = node
        while True:
            if n.type == "subscript_expression":
                i = self.index_node(n)
                if i is not None:
                    idx.insert(0, i)
                arg = n.child_by_field_name("argument")
                if arg is None:
                    return None
                n = arg
            elif n.type == "parenthesized_expression" and len(n.named_children) == 1:
                n = n.named_children[0]
            else:
                break
        if n.type == "identifier":
            nm = self.text(n)
            return nm, nm, idx
        if n.type == "field_expression":
            base: Node | None = n
            inner: list[Node | None] = []  # subscripts below the field: p[k].x -> [k]
            while base is not None and base.type in ("field_expression", "subscript_expression"):
                if base.type == "subscript_expression":
                    i = self.index_node(base)
                    if i is None:
                        return None
                    inner.insert(0, i)
                base = base.child_by_field_name("argument")
            if base is not None and base.type == "identifier":
                txt = unblank(self.text(n))
                txt = re.sub(r"\[[^\]]*\]", "[]", txt)
                return txt, self.text(base), inner + idx
            return None
        if n.type == "pointer_expression" and self.text(n).lstrip().startswith("*"):
            arg = n.child_by_field_name("argument")
            if arg is not None and arg.type == "identifier":
                nm = self.text(arg)
                return nm, nm, [None]  # *p == p[0]
        return None

    def record(
        self,
        node: Node,
        name: str,
        base: str,
        kind: str,
        reading: Subscripts,
        stmt: Node | None,
        in_call: str | None,
        update_op: str | None,
    ) -> None:
        """Record the read, the write or both (``kind`` "R", "W", "RW") of an lvalue whose subscripts
        were read into ``reading``; the read of a read-modify-write carries its update operator."""
        subs, polys, indirect = reading
        if kind in ("R", "RW"):
            rmw_op = update_op if kind == "RW" else None
            self.add_access(node, name, base, "R", subs, stmt, indirect, in_call, rmw_op, polys)
        if kind in ("W", "RW"):
            self.add_access(node, name, base, "W", subs, stmt, indirect, in_call, update_op, polys)

    def c_subscripts(self, idx: list[Node | None]) -> Subscripts:
        """The affine (else polynomial) forms of C index nodes (``None``: ``*p``, index 0), and whether
        one indexes through another array or a call."""
        subs: list[Affine | None] = []
        polys: list[Poly | None] = []
        indirect = False
        inds = self.loop_indices()
        for i in idx:
            if i is None:
                subs.append(Affine())
                polys.append(None)
                continue
            a = self.affine(i, inds)
            if a is None and any(
                d.type in ("subscript_expression", "call_expression") for d in descendants(i)
            ):
                indirect = True
            subs.append(a)
            polys.append(self.poly(i, inds) if a is None else None)
        return subs, polys, indirect

    def c_access(
        self, node: Node, stmt: Node | None, kind: str, update_op: str | None, in_call: str | None
    ) -> bool:
        """Record the access of a C lvalue and read its subscripts; False when node is not one."""
        lv = self.c_lvalue(node)
        if lv is None:
            return False
        name, base, idx = lv
        subs, polys, indirect = self.c_subscripts(idx)
        if self.func is not None and base in self.func.aliases and name == base and polys and polys[0]:
            tgt, off = self.func.aliases[base]
            polys[0] = polys[0] + Poly.of_affine(off) if tgt != "?" else None
        self.record(node, name, base, kind, (subs, polys, indirect), stmt, in_call, update_op)
        for i in idx:
            if i is not None:
                self.c_expr(i, stmt, "R", None, None)
        return True

    def c_expr(
        self, node: Node, stmt: Node | None, kind: str, update_op: str | None, in_call: str | None
    ) -> None:
        """Record the accesses of a C expression; ``kind`` ("R", "W", "RW") applies to its own lvalue."""
        t = node.type
        while t == "parenthesized_expression" and kind != "R" and node.named_child_count == 1:
            node = node.named_children[0]  # ``(*p)++``: the write goes to what the parentheses hold
            t = node.type
        if t in ("identifier", "subscript_expression", "field_expression") or (
            t == "pointer_expression" and self.text(node).lstrip().startswith("*")
        ):
            if t == "identifier" and self.macros and self.text(node) in self.macros:
                return
            if self.c_access(node, stmt, kind, update_op, in_call):
                return
        if t in _C_NO_ACCESS:
            return
        handler = _C_EXPR_HANDLERS.get(t)
        if handler is not None:
            handler(self, node, stmt)
            return
        if t == "compound_statement" or t.endswith("_statement") or t == "declaration":
            self.stmt(node)
            return
        cond = self.conditional_node(node)
        self.cond_depth += cond
        try:
            for c in node.named_children:
                self.c_expr(c, stmt, "R", None, in_call)
        finally:
            self.cond_depth -= cond

    def c_assignment(self, node: Node, stmt: Node | None) -> None:
        """``x = e`` / ``x op= e``: the right side read, then the left written (a self-update paired with
        its read); ``p = a + k`` for a pointer ``p`` recorded as an alias."""
        op = self.op_text(node)
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        upd = C_UPDATE_OPS.get(op)
        if op == "=" and left is not None and right is not None:
            upd = self.self_update(left, right)
            if left.type == "identifier" and self.func is not None:
                d = self.func.decls.get(self.text(left))
                if d is not None and d.is_pointer:
                    self.record_alias(self.text(left), right, True)
        if right is not None:
            self.c_expr(right, stmt, "R", None, None)
        if left is not None:
            self.c_expr(left, stmt, "RW" if op != "=" else "W", upd, None)

    def c_update(self, node: Node, stmt: Node | None) -> None:
        """``x++`` / ``--x``: a read-modify-write of the operand."""
        arg = node.child_by_field_name("argument")
        op = self.text(node.child_by_field_name("operator") or node)
        if arg is not None:
            self.c_expr(arg, stmt, "RW", "+" if "+" in op else "-", None)

    def c_address_of(self, node: Node, stmt: Node | None) -> None:
        """``&x`` outside a call: the address taken is not an access by itself; the subscripts are read."""
        arg = node.child_by_field_name("argument")
        if arg is not None and arg.type == "subscript_expression":
            lv = self.c_lvalue(arg)
            for i in lv[2] if lv else []:
                if i is not None:
                    self.c_expr(i, stmt, "R", None, None)

    def c_call(self, node: Node, stmt: Node | None) -> None:
        """A call: lock calls are recorded as such; ``&x`` arguments are written unless the callee
        only reads (library functions), other arguments are read."""
        fn = node.child_by_field_name("function")
        fname = self.text(fn) if fn is not None else "?"
        if self.func is not None:
            self.func.calls.append((fname, node))
        args = node.child_by_field_name("arguments")
        if (
            fname in OMP_LOCK_SET | OMP_LOCK_UNSET | OMP_LOCK_TEST
            and args is not None
            and self.func is not None
        ):
            lk = re.sub(r"[\s&()]", "", self.text(args))
            kind_ = "set" if fname in OMP_LOCK_SET else "unset" if fname in OMP_LOCK_UNSET else "test"
            self.func.lock_calls.append((kind_, lk, node.start_byte))
            return
        if fn is not None and fn.type != "identifier":
            self.c_expr(fn, stmt, "R", None, None)
        if args is not None:
            for a in args.named_children:
                if a.type == "pointer_expression" and self.text(a).lstrip().startswith("&"):
                    inner = a.child_by_field_name("argument")
                    writes = fname not in C_READONLY_CALLS and not fname.startswith("omp_")
                    if inner is not None:
                        self.c_expr(inner, stmt, "W" if writes else "R", None, fname)
                elif fname in C_WRITING_CALLS and a.type == "identifier":
                    self.c_expr(a, stmt, "W", None, fname)
                else:
                    self.c_expr(a, stmt, "R", None, fname)


#: Expression kinds that hold no access (literals, types, ``sizeof``, member names)
_C_NO_ACCESS = frozenset(
    {
        "sizeof_expression",
        "string_literal",
        "number_literal",
        "char_literal",
        "true",
        "false",
        "null",
        "type_descriptor",
        "primitive_type",
        "comment",
        "field_identifier",
    }
)

#: ``CAccessReader.c_expr`` by node kind, for the kinds that are not walked as plain reads
_C_EXPR_HANDLERS: dict[str, Callable[[CAccessReader, Node, Node | None], None]] = {
    "assignment_expression": CAccessReader.c_assignment,
    "update_expression": CAccessReader.c_update,
    "call_expression": CAccessReader.c_call,
    "pointer_expression": CAccessReader.c_address_of,
}
