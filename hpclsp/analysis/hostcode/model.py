"""A small, language-neutral model of host code (MPI and CUDA host) for the ``mpi-*``/``cuda-*`` rules.

It works straight on tree-sitter trees for C/C++/CUDA and Fortran and gives the rules what they
need without a full IR: the program units of a file (functions, subroutines, programs), the
calls in each (``MPI_Isend(...)``, ``call MPI_Isend(..., ierr)``, keyword arguments resolved to
positions, MPI calls a statement macro hides from the C parser recovered by ``mpi_hidden``),
declarations (base type, pointer level, statically known array size), integer constants
(``#define``, ``const``, Fortran ``parameter``) and the scalar assignments of each unit.
Names and control structure come from ``hostcode.view``; whether a value depends on the rank or
thread id is a question for ``values.dependence``.

The result for a file is cached in ``source.cache["hostcode.model"]``.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Mapping

from hpclsp.analysis.hostcode.mpi_hidden import hidden_call
from hpclsp.analysis.hostcode.mpi_tables import RULE_PARAMS
from hpclsp.analysis.hostcode.view import HostView
from hpclsp.analysis.source import SourceFile, object_macros
from hpclsp.analysis.treeutil import (
    C_PARAMETERS,
    F_NESTED_UNITS,
    F_UNITS,
    Node,
    fortran_dummies,
    fortran_unit_name,
    function_declarator,
    function_parameters,
    walk,
)
from hpclsp.analysis.values import consts


@dataclasses.dataclass
class Call:
    """One call of a named function (MPI or not) inside a program unit."""

    name: str
    #: Upper-case name (``MPI_ISEND``) for MPI calls, the name as written otherwise (C) / lower-case (Fortran).
    key: str
    node: Node
    #: Positional argument nodes (keyword arguments placed by parameter name when known).
    args: list[Node | None]
    unit: Unit

    def arg(self, name: str) -> Node | None:
        """The argument bound to an MPI parameter name, or None."""
        params = RULE_PARAMS.get(self.key)
        if not params or name not in params:
            return None
        i = params.index(name)
        return self.args[i] if i < len(self.args) else None

    @property
    def is_mpi(self) -> bool:
        """True for ``MPI_*`` calls (any case)."""
        return self.key.startswith("MPI_")


@dataclasses.dataclass
class Decl:
    """A declared variable: its base type (normalised), pointer level, array size when static."""

    name: str
    type: str
    pointer: int = 0
    #: Number of elements when statically known (product of constant extents); None otherwise.
    size: int | None = None
    is_array: bool = False
    #: For Fortran arrays: the lower bound of the first dimension (for element arguments).
    lower: int = 1
    node: Node | None = None
    shared: bool = False
    initialized: bool = False
    param: bool = False


@dataclasses.dataclass
class Unit:
    """A function / subroutine / program: its name, node, body, calls and local declarations."""

    name: str
    node: Node
    body: Node
    is_main: bool
    calls: list[Call] = dataclasses.field(default_factory=list)
    decls: dict[str, Decl] = dataclasses.field(default_factory=dict)
    qualifiers: tuple[str, ...] = ()


class Model(HostView):
    """Units, calls, declarations and constants of one file (built once per source)."""

    def __init__(self, source: SourceFile) -> None:
        super().__init__(source)
        self.units: list[Unit] = []
        self.globals: dict[str, Decl] = {}
        self.constants: dict[str, int] = {}
        self.macros: dict[str, tuple[list[str], str]] = {}
        #: Object-like macros: name -> body text, as written (``source.object_macros``; none in Fortran).
        self.object_macros: Mapping[str, str] = {}
        self._build()

    # -- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        root = self.source.tree.root_node
        if not self.fortran:
            self._c_macros_and_enumerators(root)
        for n in walk(root):
            if not self.fortran and n.type == "declaration" and _c_is_const(self, n):
                self._add_constants(n, "declarator", "value")
            elif self.fortran and n.type == "variable_declaration":
                if any(self.text(q).lower() == "parameter" for q in n.children_by_field_name("attribute")):
                    self._add_constants(n, "left", "right")
        if self.fortran:
            self._build_fortran(root)
        else:
            self._build_c(root)

    def _c_macros_and_enumerators(self, root: Node) -> None:
        """Object-like macros (their text; those with integer values as constants), function-like
        macros, enumerators with known values."""
        self.object_macros = object_macros(self.source)
        for macro, body in self.object_macros.items():
            value = int_literal(body.strip())
            if value is not None:
                self.constants[macro] = value
        for n in walk(root):
            t = n.type
            if t == "preproc_function_def":
                name, params, val = (n.child_by_field_name(f) for f in ("name", "parameters", "value"))
                if name is not None:
                    ps = [self.text(p) for p in params.named_children] if params is not None else []
                    self.macros[self.text(name)] = (ps, self.text(val))
            elif t == "enumerator":
                name, val = n.child_by_field_name("name"), n.child_by_field_name("value")
                v = self.eval_int(val) if val is not None else None
                if name is not None and v is not None:
                    self.constants[self.text(name)] = v

    def _add_constants(self, decl: Node, name_field: str, value_field: str) -> None:
        """The initialized declarators of a constant declaration (C const, Fortran parameter) with
        integer values, in order (a later initializer may use an earlier constant)."""
        for d in decl.children_by_field_name("declarator"):
            if d.type != "init_declarator":
                continue
            name, val = d.child_by_field_name(name_field), d.child_by_field_name(value_field)
            v = self.eval_int(val) if val is not None else None
            if name is None or v is None:
                continue
            if self.fortran:
                self.constants[self.norm(self.text(name))] = v
            elif name.type == "identifier":
                self.constants[self.text(name)] = v

    def _build_c(self, root: Node) -> None:
        for child in root.named_children:
            if child.type == "declaration":
                for d in self._c_decls(child):
                    self.globals[d.name] = d
        for n in walk(root):
            if n.type != "function_definition":
                continue
            decl = function_declarator(n)
            body = n.child_by_field_name("body")
            if decl is None or body is None:
                continue
            name_node = decl.child_by_field_name("declarator")
            name = self.text(name_node).split("::")[-1]
            quals = tuple(
                self.text(c) for c in n.children if c.type.startswith("__") or c.type == "type_qualifier"
            )
            unit = Unit(name, n, body, name == "main", qualifiers=quals)
            for p in function_parameters(n):
                if p.type in C_PARAMETERS:
                    for d in self._c_decls(p):
                        d.param = True
                        unit.decls[d.name] = d
            self._c_body(unit, body)
            self.units.append(unit)

    def _c_body(self, unit: Unit, body: Node) -> None:
        """The local declarations and the calls of named functions in a C function body, in source
        order (MPI calls a statement macro hid from the parser included: ``mpi_hidden``)."""
        for m in walk(body):
            if m.type == "declaration":
                for d in self._c_decls(m):
                    unit.decls.setdefault(d.name, d)
            elif m.type == "function_declarator" and (hidden := hidden_call(self.text, m)) is not None:
                unit.calls.append(Call(hidden[0], hidden[0].upper(), m, hidden[1], unit))
            elif m.type == "call_expression":
                fn = m.child_by_field_name("function")
                if fn is not None and fn.type in ("identifier", "qualified_identifier"):
                    name = self.text(fn)
                    key = name.upper() if name.upper().startswith("MPI_") else name
                    al = m.child_by_field_name("arguments")
                    args: list[Node | None] = (
                        [a for a in al.named_children if a.type != "comment"] if al is not None else []
                    )
                    unit.calls.append(Call(name, key, m, args, unit))

    def _c_decls(self, decl: Node) -> list[Decl]:
        tnode = decl.child_by_field_name("type")
        base = " ".join(self.text(tnode).split()) if tnode is not None else ""
        shared = any(self.text(c) == "__shared__" for c in decl.children if c.type == "type_qualifier")
        out = []
        for d in decl.children_by_field_name("declarator"):
            ptr, dims, init = 0, [], False
            cur: Node | None = d
            while cur is not None and cur.type != "identifier":
                if cur.type == "init_declarator":
                    init = True
                elif cur.type in ("pointer_declarator", "abstract_pointer_declarator"):
                    ptr += 1
                elif cur.type == "array_declarator":
                    size_node = cur.child_by_field_name("size")
                    dims.append(self.eval_int(size_node) if size_node is not None else None)
                elif cur.type in ("reference_declarator",):
                    pass
                elif cur.type not in ("parenthesized_declarator",):
                    cur = None
                    break
                cur = cur.child_by_field_name("declarator") or (
                    cur.named_children[0]
                    if cur.type in ("reference_declarator", "parenthesized_declarator")
                    else None
                )
            if cur is None:
                continue
            size: int | None = None
            if dims and all(x is not None for x in dims):
                size = 1
                for x in dims:
                    size *= x  # type: ignore[operator]
            elif not dims and ptr == 0:
                size = 1
            out.append(
                Decl(self.text(cur), base, ptr, size, bool(dims), 0, decl, shared=shared, initialized=init)
            )
        return out

    def _build_fortran(self, root: Node) -> None:
        for n in walk(root):
            if n.type not in F_UNITS:
                continue
            name_node = fortran_unit_name(n)
            name = self.norm(self.text(name_node)) if name_node is not None else ""
            unit = Unit(name, n, n, n.type == "program")
            dummies = {self.norm(self.text(p)) for p in fortran_dummies(n)}
            for m in walk(n, skip=F_NESTED_UNITS):
                if m.type == "variable_declaration":
                    for d in self._f_decls(m):
                        d.param = d.name in dummies
                        unit.decls.setdefault(d.name, d)
                elif m.type == "subroutine_call":
                    fn = m.child_by_field_name("subroutine")
                    al = next((c for c in m.named_children if c.type == "argument_list"), None)
                    if fn is not None:
                        unit.calls.append(self._f_call(fn, al, m, unit))
                elif m.type == "call_expression":
                    fn = m.named_children[0] if m.named_children else None
                    if (
                        fn is not None
                        and fn.type == "identifier"
                        and self.text(fn).upper().startswith("MPI_")
                    ):
                        al = next((c for c in m.named_children if c.type == "argument_list"), None)
                        unit.calls.append(self._f_call(fn, al, m, unit))
            self.units.append(unit)

    def _f_call(self, fn: Node, al: Node | None, node: Node, unit: Unit) -> Call:
        name = self.text(fn)
        key = name.upper() if name.upper().startswith("MPI_") else name.lower()
        args: list[Node | None] = []
        params = RULE_PARAMS.get(key, ())
        if al is not None:
            for a in al.named_children:
                if a.type == "comment":
                    continue
                if a.type == "keyword_argument":
                    kw = self.text(a.child_by_field_name("name")).lower()
                    val = a.child_by_field_name("value")
                    if kw in params:
                        i = params.index(kw)
                        while len(args) <= i:
                            args.append(None)
                        args[i] = val
                    else:
                        args.append(val)
                else:
                    args.append(a)
        return Call(name, key, node, args, unit)

    def _f_decls(self, decl: Node) -> list[Decl]:
        tnode = decl.child_by_field_name("type")
        base = " ".join(self.text(tnode).lower().split()) if tnode is not None else ""
        base = base.replace(" (", "(").replace("( ", "(").replace(" )", ")")
        dim_attr: list[tuple[int | None, int]] | None = None
        for q in decl.children_by_field_name("attribute"):
            if self.text(q).lower().startswith("dimension"):
                al = next((c for c in q.named_children if c.type == "argument_list"), None)
                dim_attr = self._f_extents(al.named_children if al is not None else [])
        out = []
        for d in decl.children_by_field_name("declarator"):
            init = False
            if d.type == "init_declarator":
                init = True
                d = d.child_by_field_name("left") or d
            extents = dim_attr
            name_node = d
            if d.type == "sized_declarator":
                name_node = d.named_children[0]
                size = next((c for c in d.named_children if c.type == "size"), None)
                extents = self._f_extents(size.named_children if size is not None else [])
            if name_node.type != "identifier":
                continue
            size_total: int | None = 1
            lower = 1
            if extents is not None:
                for i, (n_el, lo) in enumerate(extents):
                    if i == 0:
                        lower = lo
                    size_total = None if n_el is None or size_total is None else size_total * n_el
            out.append(
                Decl(
                    self.norm(self.text(name_node)),
                    base,
                    0,
                    size_total,
                    extents is not None,
                    lower,
                    decl,
                    initialized=init,
                )
            )
        return out

    def _f_extents(self, nodes: list[Node]) -> list[tuple[int | None, int]]:
        res: list[tuple[int | None, int]] = []
        for e in nodes:
            if e.type == "extent_specifier":
                kids = e.named_children
                lo = self.eval_int(kids[0]) if len(kids) == 2 else None
                hi = self.eval_int(kids[-1]) if kids else None
                if len(kids) == 2 and lo is not None and hi is not None:
                    res.append((hi - lo + 1, lo))
                else:
                    res.append((None, 1))
            elif e.type in ("assumed_size", "assumed_shape"):
                res.append((None, 1))
            else:
                v = self.eval_int(e)
                res.append((v, 1))
        return res

    # -- expressions -------------------------------------------------------------------------
    def eval_int(self, node: Node | None) -> int | None:
        """Value of a constant integer expression (literals, known constants, + - * /), else None.

        Deliberately narrower than ``values.consts``: ``sizeof`` and casts stay unknown, so counts
        written in bytes are never compared with element counts.
        """
        if node is None:
            return None
        t = node.type
        if t == "number_literal":
            return int_literal(self.text(node))
        if t == "identifier":
            return self.constants.get(self.norm(self.text(node)))
        if t == "parenthesized_expression" and node.named_children:
            return self.eval_int(node.named_children[0])
        if t in ("binary_expression", "math_expression"):
            a = self.eval_int(node.child_by_field_name("left"))
            b = self.eval_int(node.child_by_field_name("right"))
            op = _INT_OPS.get(self.text(node.child_by_field_name("operator")))
            return None if a is None or b is None or op is None else op(a, b)
        if t == "unary_expression":
            a = self.eval_int(node.named_children[-1]) if node.named_children else None
            if a is not None and self.text(node).lstrip().startswith("-"):
                return -a
            return a
        return None

    def decl(self, unit: Unit | None, name: str) -> Decl | None:
        """Declaration of a name in a unit, else at file scope."""
        if unit is not None and name in unit.decls:
            return unit.decls[name]
        return self.globals.get(name)

    def unit_of(self, node: Node) -> Unit | None:
        """The program unit containing a node."""
        best = None
        for u in self.units:
            if u.node.start_byte <= node.start_byte and node.end_byte <= u.node.end_byte:
                if best is None or u.node.start_byte >= best.node.start_byte:
                    best = u
        return best

    def assignments(self, unit: Unit) -> list[tuple[str, Node]]:
        """(variable, right-hand side) for each scalar assignment / initialisation in a unit (cached)."""
        key = f"hostcode.assign:{unit.node.start_byte}"
        cached = self.source.cache.get(key)
        if cached is not None:
            return cached
        out: list[tuple[str, Node]] = []
        for n in walk(unit.body):
            if n.type == "assignment_expression":
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is not None and right is not None and left.type == "identifier":
                    out.append((self.text(left), right))
            elif n.type == "init_declarator" and not self.fortran:
                d, v = n.child_by_field_name("declarator"), n.child_by_field_name("value")
                while d is not None and d.type == "pointer_declarator":
                    d = d.child_by_field_name("declarator")
                if d is not None and v is not None and d.type == "identifier":
                    out.append((self.text(d), v))
            elif n.type == "assignment_statement":
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is not None and right is not None and left.type == "identifier":
                    out.append((self.norm(self.text(left)), right))
        self.source.cache[key] = out
        return out


#: The integer operators ``eval_int`` folds (``/`` floors, and is undefined for a zero divisor).
_INT_OPS: dict[str, Callable[[int, int], int | None]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": lambda a, b: a // b if b else None,
}


def _c_is_const(model: Model, decl: Node) -> bool:
    return any(model.text(c) in ("const", "constexpr") for c in decl.children if c.type == "type_qualifier")


def int_literal(text: str) -> int | None:
    """Value of a C or Fortran integer literal (suffixes and kind parameters dropped), else None."""
    v = consts.parse_number(text)
    return v if consts.is_int(v) else None


def model(source: SourceFile) -> Model:
    """The (cached) model of a source file."""
    m = source.cache.get("hostcode.model")
    if m is None:
        m = Model(source)
        source.cache["hostcode.model"] = m
    return m


def uses_mpi(source: SourceFile) -> bool:
    """Cheap pre-check: does the file mention MPI at all, as a word that starts with ``mpi`` in any case
    (``MPI_Send``, ``mpi.h``, ``use mpi_f08``; not ``COMPILETIME``). Cached: each MPI rule asks."""
    found = source.cache.get("hostcode.uses_mpi")
    if found is None:
        found = source.cache["hostcode.uses_mpi"] = _mentions_mpi(source.text.lower())
    return bool(found)


def _mentions_mpi(low: str) -> bool:
    """Whether a lower-cased text has a word that starts with ``mpi`` (a plain search for the three
    letters, each hit checked for a word start: a case-blind regular expression is slower)."""
    at = low.find("mpi")
    while at >= 0:
        if at == 0 or not (low[at - 1].isalnum() or low[at - 1] == "_"):
            return True
        at = low.find("mpi", at + 3)
    return False
