"""Side effects that are not plain calls: C++ streams and operators on objects, member functions, new/delete,
malloc/free, and which of them touch only memory private to one iteration.

A stream insertion (``out << x``) is a call of an overloaded operator on a shared object: I/O whose
order matters. An operator or a mutating member function called on an object declared outside
the loop changes state every iteration shares. Allocation is thread-safe in itself, but a
pointer that outlives the iteration (``list = malloc(..)`` on a shared variable, ``free(shared)``)
is a conflict; a pointer declared inside the body and released there is not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hpclsp.analysis.advisor.summaries import CallSummaryMixin
from hpclsp.analysis.advisor.tables import (
    C_ALLOC,
    CXX_BUILTIN_TYPES,
    CXX_CONST_MEMBERS,
    CXX_ELEMENT_MEMBERS,
    CXX_STREAMS,
)
from hpclsp.analysis.ir import Loop
from hpclsp.analysis.treeutil import function_parameters

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node

#: Assignment operators whose left operand is written (an overloaded one is a call on that object).
_ASSIGN_NODES = frozenset({"assignment_expression", "update_expression"})


def _leftmost(n: Node) -> Node:
    """The first operand of a chain ``a << b << c`` (``a``), through parentheses."""
    while n.type in ("binary_expression", "parenthesized_expression") and n.named_children:
        n = n.child_by_field_name("left") or n.named_children[0]
    return n


def _written(n: Node) -> bool:
    """True when an expression is the target of an assignment, an increment or an address-of."""
    p = n.parent
    while p is not None and p.type == "parenthesized_expression":
        n, p = p, p.parent
    if p is None:
        return False
    if p.type == "assignment_expression":
        left = p.child_by_field_name("left")
        return left is not None and left.id == n.id
    if p.type == "update_expression":
        return True
    return p.type == "pointer_expression" and p.text is not None and p.text.lstrip().startswith(b"&")


class CxxEffectsMixin(CallSummaryMixin):
    """Streams, operators on objects, member functions and allocation, judged against the loop's locals."""

    def _local_to(self, name: str, lp: Loop, byte: int) -> bool:
        """True when name is declared inside the loop body (one copy per iteration)."""
        d = self.decl(name, byte, lp.func)
        return (
            d is not None
            and d.storage not in ("static", "global", "param")
            and lp.body_start <= d.scope_start
            and d.scope_end <= lp.node.end_byte
        )

    def _object_type(self, name: str, lp: Loop, byte: int) -> str | None:
        """The declared type text of a variable; None when it is not known (not declared in this file)."""
        d = self.decl(name, byte, lp.func)
        if d is None:
            return None
        if d.type_text:
            return d.type_text
        if d.storage == "param" and lp.func is not None:
            return self._param_type(lp.func.node, name)
        return None

    def _param_type(self, fnode: Node, name: str) -> str | None:
        """The written type of a parameter (``std::ofstream &``), from the function's declarator."""
        for p in function_parameters(fnode):
            d = p.child_by_field_name("declarator")
            words = self.text(d).replace("&", " ").replace("*", " ").split() if d is not None else []
            if name in words:
                ty = p.child_by_field_name("type")
                return self.text(ty) if ty is not None else None
        return None

    def _is_object(self, node: Node, lp: Loop) -> bool:
        """True when an operand may be a class object (an operator on it may be an overloaded call)."""
        if self.src.language not in ("cpp", "cuda"):
            return False
        if node.type == "qualified_identifier":
            return True
        if node.type != "identifier":
            return False
        ty = self._object_type(self.text(node), lp, node.start_byte)
        if not ty:
            return True  # type not known here: may be a class with overloaded operators
        words = set(ty.replace("::", " ").replace("*", " ").replace("&", " ").split())
        return not words - {"const", "static", "volatile", "std", "register"} <= CXX_BUILTIN_TYPES

    def iteration_memory(self, base: str, lp: Loop, byte: int) -> bool:
        """True when base names memory of one iteration: an array declared in the body, or a pointer
        declared there and initialised from new/malloc (and never re-seated)."""
        if not self._local_to(base, lp, byte):
            return False
        d = self.decl(base, byte, lp.func)
        if d is None:
            return False
        if d.is_array and not d.is_pointer:
            return True
        if not d.is_pointer:
            return False
        decl = self._declaration(d.decl_byte)
        if decl is None:
            return False
        if any(
            a.base == base
            and a.kind == "W"
            and not a.subscripts
            and not decl.start_byte <= a.node.start_byte < decl.end_byte
            for a in lp.accesses
        ):
            return False  # re-seated: may point anywhere
        value = self._init_value(base, decl)
        while value is not None and value.type in ("cast_expression", "parenthesized_expression"):
            value = value.child_by_field_name("value") or (
                value.named_children[-1] if value.named_children else None
            )
        if value is None:
            return False
        if value.type == "new_expression":
            return True
        fn = value.child_by_field_name("function") if value.type == "call_expression" else None
        return fn is not None and self.text(fn).replace("std::", "") in ("malloc", "calloc", "aligned_alloc")

    def _declaration(self, byte: int) -> Node | None:
        """The declaration statement starting at byte."""
        node = self.src.tree.root_node.descendant_for_byte_range(byte, byte + 1)
        while node is not None and node.type != "declaration":
            node = node.parent
        return node

    @staticmethod
    def _init_value(name: str, node: Node) -> Node | None:
        """The initialiser of name in a declaration."""
        for init in node.named_children:
            if init.type != "init_declarator":
                continue
            d = init.child_by_field_name("declarator")
            while d is not None and d.type != "identifier":
                d = d.child_by_field_name("declarator") or (d.named_children[0] if d.named_children else None)
            if d is not None and d.text is not None and d.text.decode("utf-8", "replace") == name:
                return init.child_by_field_name("value")
        return None

    def is_alloc_call(self, n: Node) -> bool:
        """True for a call of malloc, free and their kin (judged by cxx_effect, not as a plain call)."""
        if n.type != "call_expression":
            return False
        fn = n.child_by_field_name("function")
        return fn is not None and self.text(fn).replace("std::", "") in C_ALLOC

    def cxx_effect(self, n: Node, lp: Loop) -> str | None:
        """Why node n is a side effect on shared state (None when it is not one)."""
        t = n.type
        if t == "binary_expression":
            return self._stream_effect(n, lp)
        if t in _ASSIGN_NODES and self.src.language in ("cpp", "cuda"):
            target = n.child_by_field_name("left") or n.child_by_field_name("argument")
            if target is not None and target.type in ("identifier", "qualified_identifier"):
                name = self.text(target)
                if self._is_object(target, lp) and not self._local_to(name, lp, target.start_byte):
                    op = n.child_by_field_name("operator")
                    sym = self.text(op) if op is not None else "="
                    return f"operator {sym} on `{name}`, an object declared outside the loop"
            return None
        if t in ("new_expression", "delete_expression"):
            return self._alloc_effect(n, lp, "new" if t == "new_expression" else "delete")
        if t == "call_expression":
            fn = n.child_by_field_name("function")
            name = self.text(fn).replace("std::", "") if fn is not None else ""
            if name in C_ALLOC:
                return self._alloc_effect(n, lp, name)
        return None

    def _stream_effect(self, n: Node, lp: Loop) -> str | None:
        op = n.child_by_field_name("operator")
        if op is None or self.text(op) not in ("<<", ">>"):
            return None
        left = _leftmost(n)
        name = self.text(left).replace(" ", "")
        bare = name.split("::")[-1]
        if bare in CXX_STREAMS:
            return f"writes to the stream {name}: I/O" if self.text(op) == "<<" else f"reads {name}: I/O"
        if not self._is_object(left, lp):
            return None  # an integer shift
        if left.type == "identifier" and self._local_to(name, lp, left.start_byte):
            return None  # a stream or object of this iteration (std::ostringstream s; s << x)
        ty = self._object_type(name, lp, left.start_byte) or "unknown type"
        kind = "I/O" if "stream" in ty else f"an operator call on a shared object of {ty}"
        return f"operator {self.text(op)} on `{name}`, declared outside the loop: {kind}"

    def _alloc_effect(self, n: Node, lp: Loop, what: str) -> str | None:
        """new/malloc into a pointer of this iteration, delete/free of one, is harmless; else a conflict."""
        if what in ("delete", "free"):
            if what == "free":
                args = n.child_by_field_name("arguments")
                target = args.named_children[0] if args is not None and args.named_children else None
            else:
                target = n.named_children[-1] if n.named_children else None
            if target is not None and target.type == "identifier":
                if self._local_to(self.text(target), lp, target.start_byte):
                    return None
            shown = self.text(target) if target is not None else "?"
            return f"{what} `{shown}`: releases a structure shared by every iteration"
        p = n.parent
        while p is not None and p.type in ("cast_expression", "parenthesized_expression"):
            p = p.parent
        target_name = None
        if p is not None and p.type == "init_declarator":
            d = p.child_by_field_name("declarator")
            while d is not None and d.type not in ("identifier",):
                d = d.child_by_field_name("declarator") or (d.named_children[0] if d.named_children else None)
            target_name = self.text(d) if d is not None else None
        elif p is not None and p.type == "assignment_expression":
            left = p.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                target_name = self.text(left)
        if target_name and self._local_to(target_name, lp, n.start_byte):
            return None
        return f"{what}: allocation stored in a structure shared by every iteration"

    def member_call_problem(self, n: Node, lp: Loop) -> str | None:
        """``obj.push_back(x)`` on an object declared outside the loop: a mutating member function."""
        if n.type != "call_expression":
            return None
        fn = n.child_by_field_name("function")
        if fn is None or fn.type != "field_expression":
            return None
        obj = fn.child_by_field_name("argument")
        field = fn.child_by_field_name("field")
        method = self.text(field) if field is not None else "?"
        base = obj
        while base is not None and base.type in (
            "field_expression",
            "subscript_expression",
            "parenthesized_expression",
        ):
            base = base.child_by_field_name("argument") or (
                base.named_children[0] if base.named_children else None
            )
        name = self.text(base) if base is not None else "?"
        if base is not None and base.type == "identifier" and self._local_to(name, lp, base.start_byte):
            return None
        if method in CXX_CONST_MEMBERS:
            return None
        if method in CXX_ELEMENT_MEMBERS and not _written(n):
            return None
        return f"calls the member function {name}.{method}, which may change `{name}` (declared outside the loop)"
