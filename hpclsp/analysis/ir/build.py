"""Building the IR of a file: one walk over the tree, then OpenMP directives bound to the code.

``build_ir(source)`` builds once per ``SourceFile`` and caches the result in ``source.cache["ir"]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from hpclsp.analysis import cfg
from hpclsp.analysis.ir.affine import Affine
from hpclsp.analysis.ir.constructs import bind_constructs
from hpclsp.analysis.ir.loops import LoopReader
from hpclsp.analysis.ir.model import FileIR, Function, item_base
from hpclsp.analysis.ir.subscripts import THREAD_NUM_SYMBOL
from hpclsp.analysis.ir.tables import C_FUNC_TYPES, C_LOOP_TYPES, F_UNIT_TYPES
from hpclsp.analysis.openmp.scanner import parse_directives
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.treeutil import fortran_unit_name, function_name_node
from hpclsp.analysis.values import dependence, summaries

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


def build_ir(source: SourceFile) -> FileIR:
    """Build (or fetch from ``source.cache["ir"]``) the IR of a file."""
    cached = source.cache.get("ir")
    if cached is None:
        cached = _Builder(source).build()
        source.cache["ir"] = cached
    return cached


class _Builder(LoopReader):
    """Walks the tree once, collecting functions, declarations, loops, accesses and constructs."""

    def build(self) -> FileIR:
        """The IR of the whole file."""
        try:
            dirs = parse_directives(self.src)
        except Exception:  # the directive parser must never take the IR down
            dirs = []
        for d in dirs:
            if d.name == "threadprivate":
                names = [item_base(i) for c in d.clauses for i in c.items]
                names += [x.strip() for x in (d.argument or "").split(",") if x.strip()]
                self.threadprivate.update(n.lower() if self.fortran else n for n in names)
        if not self.fortran:
            for m in re.finditer(
                r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+\(?(-?\d+)\)?[ \t]*$", self.src.text, re.M
            ):
                self.macros[m.group(1)] = int(m.group(2))
        root = self.src.tree.root_node
        self.walk_top(root)
        constructs = bind_constructs(self.src, dirs, self.loops)
        for con in constructs:
            # the innermost unit: a Fortran program or module procedure contains its internal procedures
            holders = [f for f in self.functions if f.node.start_byte <= con.span_byte < f.node.end_byte]
            if holders:
                min(holders, key=lambda f: f.node.end_byte - f.node.start_byte).constructs.append(con)
        return FileIR(
            self.src,
            self.functions,
            self.loops,
            self.accesses,
            constructs,
            self.globals,
            self.threadprivate,
            dirs,
        )

    def walk_top(self, node: Node) -> None:
        """Walk the top level: functions, global declarations, and the containers holding them."""
        for child in node.named_children:
            t = child.type
            if (not self.fortran and t in C_FUNC_TYPES) or (self.fortran and t in F_UNIT_TYPES):
                self.function(child)
            elif self.fortran and t in (
                "module",
                "internal_procedures",
                "module_procedures",
                "contains_statement",
            ):
                self.fortran_module(child)
            elif not self.fortran and t == "declaration":
                self.c_declaration(child, global_=True)
            elif not self.fortran and t in (
                "preproc_ifdef",
                "preproc_if",
                "preproc_else",
                "linkage_specification",
                "namespace_definition",
                "declaration_list",
                "template_declaration",
                "preproc_elif",
            ):
                self.walk_top(child)

    def fortran_module(self, node: Node) -> None:
        """Walk a Fortran module or ``contains`` part: its procedures and module variables."""
        for child in node.named_children:
            if child.type in F_UNIT_TYPES:
                self.function(child)
            elif child.type == "variable_declaration":
                for d in self.f_declaration(child, storage="global"):
                    self.globals[d.name] = d
            elif child.type in ("internal_procedures", "module_procedures", "contains_statement"):
                self.fortran_module(child)

    def function(self, node: Node) -> None:
        """Walk one function or program unit with its parameters and body."""
        name = "?"
        if self.fortran:
            nm = fortran_unit_name(node)
            if nm is not None:
                name = self.name(nm)
        else:
            decl = function_name_node(node)
            if decl is not None:
                name = self.text(decl)
        f = Function(name, node, self.src.node_span(node))
        self.functions.append(f)
        prev, self.func = self.func, f
        try:
            if self.fortran:
                self.f_params(node)
                self.walk_stmts(node)
            else:
                self.c_params(node)
                body = node.child_by_field_name("body")
                if body is not None:
                    self.walk_stmts(body)
            self.find_thread_ids(f)
        finally:
            self.func = prev

    def walk_stmts(self, node: Node) -> None:
        """Walk statements below node (not expressions), creating loops and accesses."""
        for child in node.named_children:
            self.stmt(child)

    def stmt(self, node: Node) -> None:
        """Walk one statement, creating loops and accesses."""
        cond = self.conditional_node(node)
        self.cond_depth += cond
        try:
            if self.fortran:
                self.f_stmt(node)
            else:
                self.c_stmt(node)
        finally:
            self.cond_depth -= cond

    def f_stmt(self, node: Node) -> None:
        """Walk one Fortran statement."""
        t = node.type
        if t in _F_NO_ACCESS:
            return
        handler = _F_STMT_HANDLERS.get(t)
        if handler is not None:
            handler(self, node)
            return
        for c in node.named_children:
            self.stmt(c)

    def f_variable_declaration(self, node: Node) -> None:
        """Declare the names of a Fortran declaration in the current unit (dummies stay parameters)."""
        if self.func is None:
            return
        for d in self.f_declaration(node):
            if d.name in self.func.decls and self.func.decls[d.name].storage == "param":
                d.storage = "param"
            d.scope_start, d.scope_end = self.func.node.start_byte, self.func.node.end_byte
            self.add_decl(d)
            self.func.decls[d.name] = d

    def f_procedures(self, node: Node) -> None:
        """The units of a ``contains`` part."""
        for c in node.named_children:
            if c.type in F_UNIT_TYPES:
                self.function(c)

    def f_pointer_association(self, node: Node) -> None:
        """``p => a``: ``p`` aliases ``a``."""
        kids = node.named_children
        if len(kids) >= 2 and kids[0].type == "identifier" and kids[-1].type == "identifier" and self.func:
            self.func.aliases[self.name(kids[0])] = (self.name(kids[-1]), Affine())

    def f_subroutine_call(self, node: Node) -> None:
        """``call s(...)``."""
        self.f_call(node, node)

    def f_parenthesized(self, node: Node) -> None:
        """A parenthesized expression standing as a statement."""
        self.expr(node, node.parent)

    def f_output(self, node: Node) -> None:
        """``print`` / ``write``: the output items are read."""
        for c in node.named_children:
            if c.type == "output_item_list":
                for item in c.named_children:
                    self.expr(item, node)

    def f_compound(self, node: Node) -> None:
        """A Fortran statement holding expressions (conditions, selectors) and statements."""
        for i, c in enumerate(node.children):
            fn = node.field_name_for_child(i)
            if c.is_named and (
                c.type.endswith("expression")
                or c.type in ("identifier", "call_expression")
                or fn == "condition"
            ):
                self.expr(c, node)
            elif c.is_named:
                self.stmt(c)

    def c_stmt(self, node: Node) -> None:
        """Walk one C/C++/CUDA statement."""
        t = node.type
        if t == "declaration":
            self.c_declaration(node)
            return
        if t in C_LOOP_TYPES:
            self.c_loop(node)
            return
        if t in ("expression_statement", "return_statement"):
            for c in node.named_children:
                self.expr(c, node)
            return
        if t in ("if_statement", "switch_statement", "case_statement"):
            for i, c in enumerate(node.children):
                fn = node.field_name_for_child(i)
                if fn in ("condition", "value"):
                    self.expr(c, node)
                elif c.is_named:
                    self.stmt(c)
            return
        if t in (
            "compound_statement",
            "else_clause",
            "labeled_statement",
            "preproc_ifdef",
            "preproc_if",
            "preproc_else",
            "try_statement",
            "catch_clause",
            "preproc_elif",
        ):
            for c in node.named_children:
                self.stmt(c)
            return
        if t in ("parenthesized_expression", "condition_clause"):
            self.expr(node, node)
            return
        if t.endswith("_expression") or t == "identifier":
            self.expr(node, node.parent)

    def find_thread_ids(self, f: Function) -> None:
        """Variables assigned once from omp_get_thread_num() in the function (and the call itself),
        directly or through a function of the file that returns the thread id."""
        f.thread_ids.add(THREAD_NUM_SYMBOL)
        writes: dict[str, int] = {}
        for a in f.accesses:
            if a.kind == "W" and a.is_scalar:
                writes[a.base] = writes.get(a.base, 0) + 1
        for a in f.accesses:
            if a.kind == "W" and a.is_scalar and writes.get(a.base) == 1 and a.stmt is not None:
                st = self.text(a.stmt).replace(" ", "").lower()
                if "omp_get_thread_num()" in st and re.search(
                    rf"{re.escape(a.base.lower())}=omp_get_thread_num\(\)", st
                ):
                    f.thread_ids.add(a.base)
                elif "(" in st and self._thread_id_call(a.node):
                    f.thread_ids.add(a.base)

    def _thread_id_call(self, target: Node) -> bool:
        """Whether ``target`` is assigned a call of a function of this file that returns exactly the
        thread id (the values layer's summary of it)."""
        parent = target.parent
        if parent is None:
            return False
        if parent.type in ("assignment_expression", "init_declarator"):
            field = "right" if parent.type == "assignment_expression" else "value"
            if parent.child_by_field_name("left" if field == "right" else "declarator") != target:
                return False
            value = parent.child_by_field_name(field)
        elif parent.type == "assignment_statement" and parent.named_children[:1] == [target]:
            value = parent.named_children[-1]
        else:
            return False
        if value is None or value.type != "call_expression":
            return False
        name = summaries.callee(value, self.src)
        defined = cfg.definitions(self.src)
        if name is None or (name.lower() if self.fortran else name) not in defined:
            return False
        return dependence.is_thread_id(self.src, value)


#: Fortran statements that hold no access (headers, ``use``, ``implicit``, formats)
_F_NO_ACCESS = frozenset(
    {
        "comment",
        "use_statement",
        "implicit_statement",
        "end_program_statement",
        "end_subroutine_statement",
        "end_function_statement",
        "program_statement",
        "subroutine_statement",
        "function_statement",
        "format_statement",
    }
)

#: Fortran statements holding expressions (conditions, selectors) and statements
_F_COMPOUND = (
    "if_statement",
    "elseif_clause",
    "else_clause",
    "block_construct",
    "select_case_statement",
    "case_statement",
    "where_statement",
    "associate_statement",
    "labeled_statement",
)

#: ``_Builder.f_stmt`` by node kind (other kinds: their children walked as statements)
_F_STMT_HANDLERS: dict[str, Callable[[_Builder, Node], None]] = {
    "variable_declaration": _Builder.f_variable_declaration,
    "parameter_statement": _Builder.f_parameter_stmt,
    **dict.fromkeys(F_UNIT_TYPES, _Builder.function),
    "internal_procedures": _Builder.f_procedures,
    "contains_statement": _Builder.f_procedures,
    "do_loop": _Builder.f_loop,
    "assignment_statement": _Builder.f_assignment,
    "pointer_association_statement": _Builder.f_pointer_association,
    "subroutine_call": _Builder.f_subroutine_call,
    **dict.fromkeys(_F_COMPOUND, _Builder.f_compound),
    "parenthesized_expression": _Builder.f_parenthesized,
    "print_statement": _Builder.f_output,
    "write_statement": _Builder.f_output,
}
