"""Declarations: C parameters and declarators, Fortran dummies and type declarations, pointer aliases.

Also what a Fortran name is (array, known variable) and the intents of subroutines defined in the
same file, which decide whether a call argument is read or written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hpclsp.analysis.ir.affine import Affine
from hpclsp.analysis.ir.model import Decl
from hpclsp.analysis.ir.reader import descendants
from hpclsp.analysis.ir.subscripts import SubscriptReader
from hpclsp.analysis.ir.tables import F_INTRINSICS
from hpclsp.analysis.treeutil import C_PARAMETERS, fortran_dummies, function_parameters

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


class DeclReader(SubscriptReader):
    """Records declarations in the current function (or the globals)."""

    def add_decl(self, d: Decl) -> None:
        """Declare a name in the current function (a parameter keeps precedence)."""
        assert self.func is not None
        self.func.all_decls.setdefault(d.name, []).append(d)
        if d.name not in self.func.decls or d.storage in ("param",):
            self.func.decls[d.name] = d

    def c_params(self, node: Node) -> None:
        """Declare the parameters of a C function definition (a C++ default value is the caller's, not
        an access of the body)."""
        for p in function_parameters(node):
            if p.type not in C_PARAMETERS:
                continue
            d = p.child_by_field_name("declarator")
            if d is None:
                continue
            nm, is_ptr, is_arr = self.c_declarator_name(d)
            if nm:
                self.add_decl(
                    Decl(
                        nm,
                        self.src.node_span(d),
                        "param",
                        is_array=is_arr,
                        is_pointer=is_ptr,
                        scope_start=node.start_byte,
                        scope_end=node.end_byte,
                        decl_byte=node.start_byte,
                    )
                )

    def c_declarator_name(self, d: Node | None) -> tuple[str | None, bool, bool]:
        """(name, is pointer, is array) of a C declarator."""
        is_ptr = is_arr = False
        while d is not None and d.type not in ("identifier", "field_identifier"):
            if d.type in ("pointer_declarator", "reference_declarator"):
                is_ptr = True
            elif d.type == "array_declarator":
                is_arr = True
            nxt = d.child_by_field_name("declarator")
            if nxt is None:
                nxt = next(
                    (
                        c
                        for c in d.named_children
                        if c.type
                        in ("identifier", "pointer_declarator", "array_declarator", "reference_declarator")
                    ),
                    None,
                )
            d = nxt
        return (self.text(d) if d is not None else None), is_ptr, is_arr

    def c_declarators(
        self, node: Node, global_: bool = False, scope: Node | None = None
    ) -> Iterator[tuple[Decl, Node, Node, bool]]:
        """Declare the names of a C declaration; yields ``(decl, init, target, is_ptr)`` for each
        local declarator with an initializer, right after declaring it (``target``: the node the
        initialization writes)."""
        specs = " ".join(
            self.text(c) for c in node.children if c.type in ("storage_class_specifier", "type_qualifier")
        )
        storage = "global" if global_ else ("static" if "static" in specs else "local")
        type_node = node.child_by_field_name("type")
        type_text = self.text(type_node) if type_node is not None else ""
        for i, ch in enumerate(node.children):
            if node.field_name_for_child(i) != "declarator":
                continue
            init = None
            d: Node | None = ch
            if ch.type == "init_declarator":
                init = ch.child_by_field_name("value")
                d = ch.child_by_field_name("declarator")
            if d is None:
                continue  # malformed init_declarator: nothing to declare
            nm, is_ptr, is_arr = self.c_declarator_name(d)
            if not nm:
                continue
            const = self.constant(init) if init is not None and "const" in specs else None
            decl = Decl(
                nm,
                self.src.node_span(d),
                storage,
                is_array=is_arr,
                is_pointer=is_ptr,
                const=const,
                type_text=type_text,
            )
            if global_:
                self.globals[nm] = decl
            else:
                sc = scope if scope is not None else node.parent
                decl.scope_start = sc.start_byte if sc is not None else 0
                decl.scope_end = sc.end_byte if sc is not None else 1 << 62
                decl.decl_byte = node.start_byte
                self.add_decl(decl)
                if init is not None:
                    yield decl, init, (d if d.type == "identifier" else ch), is_ptr

    def record_alias(self, name: str, value: Node, is_ptr: bool) -> None:
        """``p = a + k`` / ``p = &a[k]`` / ``p = a`` on a pointer records an alias of a."""
        if self.func is None:
            return
        v = value
        while v.type in ("parenthesized_expression", "cast_expression"):
            v = v.child_by_field_name("value") or v.named_children[-1]
        target = None
        off: Affine | None = Affine()
        if v.type == "identifier":
            target = self.text(v)
        elif v.type == "pointer_expression" and self.text(v).startswith("&"):
            arg = v.child_by_field_name("argument")
            if arg is not None and arg.type == "subscript_expression":
                base = arg.child_by_field_name("argument")
                if base is not None and base.type == "identifier":
                    target = self.text(base)
                    idx = self.index_node(arg)
                    off = self.affine(idx, set()) if idx is not None else None
        elif v.type == "binary_expression" and self.op_text(v) in ("+", "-"):
            left, right = v.child_by_field_name("left"), v.child_by_field_name("right")
            if left is not None and left.type == "identifier" and right is not None:
                target = self.text(left)
                off = self.affine(right, set())
                if off is not None and self.op_text(v) == "-":
                    off = -off
        if target and off is not None and target != name:
            d = self.func.decls.get(target) or self.globals.get(target)
            if d is not None and (d.is_array or d.is_pointer):
                if name in self.func.aliases and self.func.aliases[name] != (target, off):
                    self.func.aliases[name] = ("?", Affine())  # reassigned differently: unknown
                else:
                    self.func.aliases[name] = (target, off)

    def f_params(self, node: Node) -> None:
        """Declare the dummy arguments of a Fortran unit."""
        names = {self.name(p) for p in fortran_dummies(node)}
        if not names:
            return
        span = self.src.node_span(node.named_child(0))  # the unit's statement, for every dummy
        for n in names:
            self.add_decl(
                Decl(
                    n,
                    span,
                    "param",
                    scope_start=node.start_byte,
                    scope_end=node.end_byte,
                    decl_byte=node.start_byte,
                )
            )

    def f_declaration(self, node: Node, storage: str = "local") -> list[Decl]:
        """The declarations of a Fortran type declaration statement (attributes, intent, parameter value)."""
        attrs = [
            self.text(c).lower().replace(" ", "")
            for i, c in enumerate(node.children)
            if node.field_name_for_child(i) == "attribute"
        ]
        is_arr_attr = any(a.startswith("dimension") for a in attrs)
        is_ptr = any(a in ("pointer",) for a in attrs)
        intent = None
        for a in attrs:
            m = re.match(r"intent\((inout|in|out)\)", a)
            if m:
                intent = m.group(1)
        if "value" in attrs and intent is None:
            intent = "in"  # passed by value: the callee changes its own copy, never the actual argument
        is_param_const = "parameter" in attrs
        if "save" in attrs:
            storage = "save"
        out = []
        for i, ch in enumerate(node.children):
            if node.field_name_for_child(i) != "declarator":
                continue
            d = ch
            init = None
            if ch.type == "init_declarator":
                d = ch.child_by_field_name("left") or ch.named_children[0]
                init = ch.child_by_field_name("right") or (
                    ch.named_children[-1] if len(ch.named_children) > 1 else None
                )
            is_arr = is_arr_attr
            if d.type == "sized_declarator":
                is_arr = True
                d = next((c for c in d.named_children if c.type == "identifier"), d)
            elif d.type in ("pointer_init_declarator",):
                d = d.named_children[0]
            nm = self.name(d)
            const = self.constant(init) if init is not None and is_param_const else None
            st = storage
            if init is not None and storage == "local" and not is_param_const:
                st = "save"  # initialized local variables are implicitly SAVE
            dd = Decl(
                nm,
                self.src.node_span(d),
                st,
                is_array=is_arr,
                is_pointer=is_ptr,
                intent=intent,
                const=const,
                decl_byte=node.start_byte,
            )
            out.append(dd)
        return out

    def f_parameter_stmt(self, node: Node) -> None:
        """A ``parameter`` statement: the constant values of already declared names."""
        if self.func is None:
            return
        for c in node.named_children:
            kids = c.named_children
            if len(kids) >= 2:
                value = self.constant(kids[-1])
                d = self.func.decls.get(self.name(kids[0]))
                if value is not None and d is not None:
                    d.const = value

    def f_is_array(self, name: str) -> bool:
        """True when a Fortran name is an array (or a dummy argument that is not an intrinsic)."""
        d = (self.func.decls.get(name) if self.func is not None else None) or self.globals.get(name)
        if d is not None:
            return d.is_array or d.is_pointer or (d.storage == "param" and name not in F_INTRINSICS)
        return False

    def f_known_var(self, name: str) -> bool:
        """True when a Fortran name is a declared variable, not an intrinsic."""
        return (
            (self.func is not None and name in self.func.decls) or name in self.globals
        ) and name not in F_INTRINSICS

    def f_intents_of(self, fname: str) -> list[str | None] | None:
        """Intents of a subroutine defined in this file (None when not visible)."""
        cache = self.src.cache.setdefault("_f_intents", {})
        if fname in cache:
            return cache[fname]
        res = None
        n = self.f_subroutines().get(fname)
        if n is not None and n.named_children:
            names = [self.name(p) for p in fortran_dummies(n)]
            intents: dict[str, str] = {}
            for c in n.named_children:
                if c.type == "variable_declaration":
                    for d in self.f_declaration(c):
                        if d.intent:
                            intents[d.name] = d.intent
            res = [intents.get(p) for p in names]
        cache[fname] = res
        return res

    def f_subroutines(self) -> dict[str, Node]:
        """The first subroutine of each name in the file, in document order (found in one walk)."""
        got = self.src.cache.get("_f_subroutines")
        if got is None:
            got = {}
            for n in descendants(self.src.tree.root_node, _holds_no_procedure):
                if n.type != "subroutine":
                    continue
                st = n.named_children[0] if n.named_children else None
                nm = st.child_by_field_name("name") if st is not None else None
                if nm is not None:
                    got.setdefault(self.name(nm), n)
            self.src.cache["_f_subroutines"] = got
        return got


def _holds_no_procedure(node: Node) -> bool:
    """True for nodes that cannot hold a procedure definition (statements, expressions, loops)."""
    t = node.type
    if t == "contains_statement":  # the grammar may put the contained procedures below it
        return False
    return t.endswith(("_statement", "_expression", "_loop", "_declaration", "_call")) or t == "identifier"
