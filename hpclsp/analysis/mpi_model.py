"""A small, language-neutral view of MPI (and CUDA host) code for the ``mpi-*``/``cuda-*`` rules.

It works straight on tree-sitter trees for C/C++/CUDA and Fortran and gives the rules what they
need without a full IR: the program units of a file (functions, subroutines, programs), the
calls in each (``MPI_Isend(...)``, ``call MPI_Isend(..., ierr)``, keyword arguments resolved to
positions), the enclosing branches and loops of a node, declarations (base type, pointer level,
statically known array size), integer constants (``#define``, ``const``, Fortran ``parameter``)
and simple data-dependence (taint) through assignments. Fortran names are compared lower-case.

The result for a file is cached in ``source.cache["mpi_model"]``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import tree_sitter

from hpclsp.analysis.source import SourceFile

Node = tree_sitter.Node

#: Parameter names (C order, as in the MPI standard) of the calls the rules look into; Fortran adds
#: a trailing ``ierror``. Keyword arguments (mpi_f08 style ``request=req``) are mapped through them.
PARAMS: dict[str, tuple[str, ...]] = {
    "MPI_SEND": ("buf", "count", "datatype", "dest", "tag", "comm"),
    "MPI_SSEND": ("buf", "count", "datatype", "dest", "tag", "comm"),
    "MPI_BSEND": ("buf", "count", "datatype", "dest", "tag", "comm"),
    "MPI_RSEND": ("buf", "count", "datatype", "dest", "tag", "comm"),
    "MPI_RECV": ("buf", "count", "datatype", "source", "tag", "comm", "status"),
    "MPI_ISEND": ("buf", "count", "datatype", "dest", "tag", "comm", "request"),
    "MPI_ISSEND": ("buf", "count", "datatype", "dest", "tag", "comm", "request"),
    "MPI_IBSEND": ("buf", "count", "datatype", "dest", "tag", "comm", "request"),
    "MPI_IRSEND": ("buf", "count", "datatype", "dest", "tag", "comm", "request"),
    "MPI_IRECV": ("buf", "count", "datatype", "source", "tag", "comm", "request"),
    "MPI_SENDRECV": (
        "sendbuf",
        "sendcount",
        "sendtype",
        "dest",
        "sendtag",
        "recvbuf",
        "recvcount",
        "recvtype",
        "source",
        "recvtag",
        "comm",
        "status",
    ),
    "MPI_BCAST": ("buffer", "count", "datatype", "root", "comm"),
    "MPI_IBCAST": ("buffer", "count", "datatype", "root", "comm", "request"),
    "MPI_REDUCE": ("sendbuf", "recvbuf", "count", "datatype", "op", "root", "comm"),
    "MPI_IREDUCE": ("sendbuf", "recvbuf", "count", "datatype", "op", "root", "comm", "request"),
    "MPI_ALLREDUCE": ("sendbuf", "recvbuf", "count", "datatype", "op", "comm"),
    "MPI_IALLREDUCE": ("sendbuf", "recvbuf", "count", "datatype", "op", "comm", "request"),
    "MPI_SCAN": ("sendbuf", "recvbuf", "count", "datatype", "op", "comm"),
    "MPI_EXSCAN": ("sendbuf", "recvbuf", "count", "datatype", "op", "comm"),
    "MPI_GATHER": ("sendbuf", "sendcount", "sendtype", "recvbuf", "recvcount", "recvtype", "root", "comm"),
    "MPI_SCATTER": ("sendbuf", "sendcount", "sendtype", "recvbuf", "recvcount", "recvtype", "root", "comm"),
    "MPI_ALLGATHER": ("sendbuf", "sendcount", "sendtype", "recvbuf", "recvcount", "recvtype", "comm"),
    "MPI_ALLTOALL": ("sendbuf", "sendcount", "sendtype", "recvbuf", "recvcount", "recvtype", "comm"),
    "MPI_IGATHER": (
        "sendbuf",
        "sendcount",
        "sendtype",
        "recvbuf",
        "recvcount",
        "recvtype",
        "root",
        "comm",
        "request",
    ),
    "MPI_IALLGATHER": (
        "sendbuf",
        "sendcount",
        "sendtype",
        "recvbuf",
        "recvcount",
        "recvtype",
        "comm",
        "request",
    ),
    "MPI_IALLTOALL": (
        "sendbuf",
        "sendcount",
        "sendtype",
        "recvbuf",
        "recvcount",
        "recvtype",
        "comm",
        "request",
    ),
    "MPI_IBARRIER": ("comm", "request"),
    "MPI_BARRIER": ("comm",),
    "MPI_WAIT": ("request", "status"),
    "MPI_TEST": ("request", "flag", "status"),
    "MPI_REQUEST_FREE": ("request",),
    "MPI_CANCEL": ("request",),
    "MPI_START": ("request",),
    "MPI_WAITALL": ("count", "array_of_requests", "array_of_statuses"),
    "MPI_TESTALL": ("count", "array_of_requests", "flag", "array_of_statuses"),
    "MPI_WAITANY": ("count", "array_of_requests", "index", "status"),
    "MPI_TESTANY": ("count", "array_of_requests", "index", "flag", "status"),
    "MPI_WAITSOME": ("incount", "array_of_requests", "outcount", "array_of_indices", "array_of_statuses"),
    "MPI_TESTSOME": ("incount", "array_of_requests", "outcount", "array_of_indices", "array_of_statuses"),
    "MPI_STARTALL": ("count", "array_of_requests"),
    "MPI_COMM_RANK": ("comm", "rank"),
    "MPI_COMM_SIZE": ("comm", "size"),
    "MPI_COMM_SPLIT": ("comm", "color", "key", "newcomm"),
    "MPI_COMM_DUP": ("comm", "newcomm"),
    "MPI_COMM_CREATE": ("comm", "group", "newcomm"),
    "MPI_COMM_FREE": ("comm",),
    "MPI_TYPE_CONTIGUOUS": ("count", "oldtype", "newtype"),
    "MPI_TYPE_VECTOR": ("count", "blocklength", "stride", "oldtype", "newtype"),
    "MPI_TYPE_CREATE_HVECTOR": ("count", "blocklength", "stride", "oldtype", "newtype"),
    "MPI_TYPE_INDEXED": ("count", "array_of_blocklengths", "array_of_displacements", "oldtype", "newtype"),
    "MPI_TYPE_CREATE_STRUCT": (
        "count",
        "array_of_blocklengths",
        "array_of_displacements",
        "array_of_types",
        "newtype",
    ),
    "MPI_TYPE_CREATE_SUBARRAY": (
        "ndims",
        "array_of_sizes",
        "array_of_subsizes",
        "array_of_starts",
        "order",
        "oldtype",
        "newtype",
    ),
    "MPI_TYPE_CREATE_RESIZED": ("oldtype", "lb", "extent", "newtype"),
    "MPI_TYPE_COMMIT": ("datatype",),
    "MPI_TYPE_FREE": ("datatype",),
    "MPI_INIT_THREAD": ("argc", "argv", "required", "provided"),
}

#: Calls that start a nonblocking operation, with the request parameter's name.
NONBLOCKING = {
    k
    for k, v in PARAMS.items()
    if v and v[-1] == "request" and k not in ("MPI_START", "MPI_CANCEL", "MPI_REQUEST_FREE")
}
#: Calls that complete (or release) a single request.
COMPLETE_ONE = {"MPI_WAIT", "MPI_TEST", "MPI_REQUEST_FREE"}
#: Calls that complete an array of requests.
COMPLETE_MANY = {"MPI_WAITALL", "MPI_TESTALL", "MPI_WAITANY", "MPI_TESTANY", "MPI_WAITSOME", "MPI_TESTSOME"}
COMPLETIONS = COMPLETE_ONE | COMPLETE_MANY

C_FUNCTION_TYPES = ("function_definition",)
F_UNIT_TYPES = ("program", "subroutine", "function", "module_procedure")
C_BRANCHES = ("if_statement", "switch_statement", "conditional_expression", "case_statement")
C_LOOPS = ("for_statement", "while_statement", "do_statement", "for_range_loop")
F_BRANCHES = ("if_statement", "select_case_statement", "where_statement")
F_LOOPS = ("do_loop",)


def walk(node: Node) -> Iterator[Node]:
    """Every named descendant of node (including itself), in source order, without recursion."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.named_children))


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
        params = PARAMS.get(self.key)
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


class Model:
    """Units, calls, declarations and constants of one file (built once per source)."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.fortran = source.language == "fortran"
        self.units: list[Unit] = []
        self.globals: dict[str, Decl] = {}
        self.constants: dict[str, int] = {}
        self.macros: dict[str, tuple[list[str], str]] = {}
        self._build()

    # -- names -------------------------------------------------------------------------------
    def norm(self, name: str) -> str:
        """Identifier normalised for comparison (lower-case in Fortran)."""
        return name.lower() if self.fortran else name

    def text(self, node: Node | None) -> str:
        """Source text of a node ("" for None)."""
        return "" if node is None else self.source.node_text(node)

    def norm_text(self, node: Node | None) -> str:
        """Node text with white space removed and case folded in Fortran (for comparing expressions)."""
        t = re.sub(r"\s+", "", self.text(node))
        return t.lower() if self.fortran else t

    # -- building ----------------------------------------------------------------------------
    def _build(self) -> None:
        root = self.source.tree.root_node
        for n in walk(root):
            t = n.type
            if not self.fortran:
                if t == "preproc_def":
                    name, val = n.child_by_field_name("name"), n.child_by_field_name("value")
                    v = _int_literal(self.text(val).strip()) if val is not None else None
                    if name is not None and v is not None:
                        self.constants[self.text(name)] = v
                elif t == "preproc_function_def":
                    name, params, val = (n.child_by_field_name(f) for f in ("name", "parameters", "value"))
                    if name is not None:
                        ps = [self.text(p) for p in params.named_children] if params is not None else []
                        self.macros[self.text(name)] = (ps, self.text(val))
                elif t == "enumerator":
                    name, val = n.child_by_field_name("name"), n.child_by_field_name("value")
                    v = self.eval_int(val) if val is not None else None
                    if name is not None and v is not None:
                        self.constants[self.text(name)] = v
        for n in walk(root):
            if not self.fortran and n.type == "declaration" and _c_is_const(self, n):
                for d in n.children_by_field_name("declarator"):
                    if d.type == "init_declarator":
                        name, val = d.child_by_field_name("declarator"), d.child_by_field_name("value")
                        v = self.eval_int(val) if val is not None else None
                        if name is not None and name.type == "identifier" and v is not None:
                            self.constants[self.text(name)] = v
            elif self.fortran and n.type == "variable_declaration":
                if any(self.text(q).lower() == "parameter" for q in n.children_by_field_name("attribute")):
                    for d in n.children_by_field_name("declarator"):
                        if d.type == "init_declarator":
                            name, val = d.child_by_field_name("left"), d.child_by_field_name("right")
                            v = self.eval_int(val) if val is not None else None
                            if name is not None and v is not None:
                                self.constants[self.norm(self.text(name))] = v
        if self.fortran:
            self._build_fortran(root)
        else:
            self._build_c(root)

    def _build_c(self, root: Node) -> None:
        for child in root.named_children:
            if child.type == "declaration":
                for d in self._c_decls(child):
                    self.globals[d.name] = d
        for n in walk(root):
            if n.type != "function_definition":
                continue
            decl = n.child_by_field_name("declarator")
            body = n.child_by_field_name("body")
            while decl is not None and decl.type not in ("function_declarator",):
                decl = decl.child_by_field_name("declarator")
            if decl is None or body is None:
                continue
            name_node = decl.child_by_field_name("declarator")
            name = self.text(name_node).split("::")[-1]
            quals = tuple(
                self.text(c) for c in n.children if c.type.startswith("__") or c.type == "type_qualifier"
            )
            unit = Unit(name, n, body, name == "main", qualifiers=quals)
            params = decl.child_by_field_name("parameters")
            if params is not None:
                for p in params.named_children:
                    if p.type == "parameter_declaration":
                        for d in self._c_decls(p):
                            d.param = True
                            unit.decls[d.name] = d
            for m in walk(body):
                if m.type == "declaration":
                    for d in self._c_decls(m):
                        unit.decls.setdefault(d.name, d)
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
            self.units.append(unit)

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
            if n.type not in ("program", "subroutine", "function"):
                continue
            stmt = n.named_children[0] if n.named_children else None
            name_node = None
            if stmt is not None:
                name_node = stmt.child_by_field_name("name") or next(
                    (c for c in stmt.named_children if c.type == "name"), None
                )
            name = self.norm(self.text(name_node)) if name_node is not None else ""
            unit = Unit(name, n, n, n.type == "program")
            dummies: set[str] = set()
            if stmt is not None:
                ps = stmt.child_by_field_name("parameters")
                if ps is not None:
                    dummies = {self.norm(self.text(p)) for p in ps.named_children}
            for m in _walk_unit(n):
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
        params = PARAMS.get(key, ())
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
        """Value of a constant integer expression (literals, known constants, + - * /), else None."""
        if node is None:
            return None
        t = node.type
        if t == "number_literal":
            return _int_literal(self.text(node))
        if t == "identifier":
            return self.constants.get(self.norm(self.text(node)))
        if t in ("parenthesized_expression",) and node.named_children:
            return self.eval_int(node.named_children[0])
        if t in ("binary_expression", "math_expression"):
            a = self.eval_int(node.child_by_field_name("left"))
            b = self.eval_int(node.child_by_field_name("right"))
            op = node.child_by_field_name("operator")
            if a is None or b is None or op is None:
                return None
            o = self.text(op)
            if o == "+":
                return a + b
            if o == "-":
                return a - b
            if o == "*":
                return a * b
            if o == "/" and b:
                return a // b
            return None
        if t == "unary_expression":
            a = self.eval_int(node.named_children[-1]) if node.named_children else None
            if a is not None and self.text(node).lstrip().startswith("-"):
                return -a
            return a
        return None

    def idents(self, node: Node | None) -> set[str]:
        """Normalised names of identifiers read in an expression (field names excluded)."""
        if node is None:
            return set()
        out = set()
        for n in walk(node):
            if n.type == "identifier":
                out.add(self.norm(self.text(n)))
        return out

    def base_name(self, node: Node | None) -> tuple[str | None, str]:
        """The variable an argument designates and how: ('a', 'whole'|'elem'|'offset'|'addr'|'deref').

        Returns (None, '') for anything not a plain variable (fields, calls, casts to other things).
        """
        kind = "whole"
        cur = node
        while cur is not None:
            t = cur.type
            if t == "identifier":
                return self.norm(self.text(cur)), kind
            if t == "parenthesized_expression" and cur.named_children:
                cur = cur.named_children[0]
            elif t == "cast_expression":
                cur = cur.child_by_field_name("value")
            elif t == "pointer_expression":
                op = self.text(cur.child_by_field_name("operator"))
                if op == "&":
                    kind = "addr" if kind == "whole" else kind
                else:
                    kind = "deref"
                cur = cur.child_by_field_name("argument")
            elif t == "subscript_expression":
                kind = "elem"
                cur = cur.child_by_field_name("argument")
            elif t == "binary_expression" and self.text(cur.child_by_field_name("operator")) in ("+", "-"):
                kind = "offset"
                cur = cur.child_by_field_name("left")
            elif self.fortran and t == "call_expression" and cur.named_children:
                kind = "elem"
                cur = cur.named_children[0]
            else:
                return None, ""
        return None, ""

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

    # -- control structure -------------------------------------------------------------------
    def is_loop(self, node: Node) -> bool:
        """True for loop statements."""
        return node.type in (F_LOOPS if self.fortran else C_LOOPS)

    def is_branch(self, node: Node) -> bool:
        """True for if/switch/select/ternary constructs."""
        return node.type in (F_BRANCHES if self.fortran else C_BRANCHES)

    def controls(self, node: Node, stop: Node) -> list[tuple[Node, Node | None]]:
        """Enclosing branch and loop constructs of node up to stop, innermost first, with the condition.

        For an ``if`` the condition is the one guarding the arm the node is in (for Fortran
        ``else if`` arms the arm's own condition; for ``else`` arms the if's condition).
        """
        out: list[tuple[Node, Node | None]] = []
        prev = node
        cur = node.parent
        while cur is not None and cur != stop:
            if self.is_loop(cur):
                out.append((cur, self.loop_condition(cur)))
            elif self.is_branch(cur) or cur.type in ("elseif_clause",):
                if cur.type == "conditional_expression" and prev == cur.child_by_field_name("condition"):
                    pass
                elif cur.type == "if_statement" and prev == self.if_condition(cur):
                    pass
                else:
                    out.append((cur, self.branch_condition(cur)))
            prev = cur
            cur = cur.parent
        return out

    def if_condition(self, node: Node) -> Node | None:
        """The condition node of an if statement / elseif clause."""
        c = node.child_by_field_name("condition")
        if c is not None:
            return c
        return next((k for k in node.named_children if k.type == "parenthesized_expression"), None)

    def branch_condition(self, node: Node) -> Node | None:
        """The controlling expression of a branch construct."""
        if node.type in ("if_statement", "elseif_clause", "conditional_expression"):
            return self.if_condition(node)
        if node.type == "switch_statement":
            return node.child_by_field_name("condition")
        if node.type == "select_case_statement":
            return next((k for k in node.named_children if k.type == "selector"), None)
        if node.type == "case_statement" and node.parent is not None:
            return (
                node.parent.parent.child_by_field_name("condition")
                if node.parent.parent is not None
                else None
            )
        return None

    def loop_condition(self, node: Node) -> Node | None:
        """The controlling expression of a loop (C condition, Fortran loop control / while)."""
        if self.fortran:
            ds = node.named_children[0] if node.named_children else None
            if ds is None:
                return None
            return next(
                (k for k in ds.named_children if k.type in ("loop_control_expression", "while_statement")),
                None,
            )
        if node.type == "for_range_loop":
            return node.child_by_field_name("right")
        return node.child_by_field_name("condition")

    def arm(self, branch: Node, node: Node) -> int:
        """Index of the direct child of a branch construct that contains node (identifies its arm)."""
        for i, c in enumerate(branch.children):
            if c.start_byte <= node.start_byte and node.end_byte <= c.end_byte:
                if (
                    self.fortran
                    and branch.type == "if_statement"
                    and c.type not in ("elseif_clause", "else_clause")
                ):
                    return -1  # every statement of the 'then' arm is a direct child
                return i
        return -2

    def exclusive(self, a: Node, b: Node) -> bool:
        """True when a and b lie in different arms of the same if/switch (never both executed)."""
        cur = a.parent
        while cur is not None:
            if (cur.type in ("if_statement", "select_case_statement", "conditional_expression")) and (
                cur.start_byte <= b.start_byte and b.end_byte <= cur.end_byte
            ):
                ia, ib = self.arm(cur, a), self.arm(cur, b)
                if ia != ib and ia >= -1 and ib >= -1:
                    cond = self.if_condition(cur) if cur.type != "select_case_statement" else None
                    in_cond = cond is not None and (
                        cond.start_byte <= a.start_byte < cond.end_byte
                        or cond.start_byte <= b.start_byte < cond.end_byte
                    )
                    if not in_cond:
                        return True
                if not self.fortran and cur.type == "if_statement":
                    # C: the else arm is the else_clause child; nested ifs are handled by recursion
                    pass
            cur = cur.parent
        return False

    def enclosing_loops(self, node: Node, stop: Node) -> list[Node]:
        """Loops enclosing node inside stop, innermost first."""
        return [c for c, _ in self.controls(node, stop) if self.is_loop(c)]

    def statement_of(self, node: Node, stop: Node) -> Node:
        """The outermost ancestor of node that is a direct child of stop's body (or node itself)."""
        cur = node
        while cur.parent is not None and cur.parent != stop:
            cur = cur.parent
        return cur

    def assignments(self, unit: Unit) -> list[tuple[str, Node]]:
        """(variable, right-hand side) for each scalar assignment / initialisation in a unit (cached)."""
        key = f"mpi_model.assign:{unit.node.start_byte}"
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


def _walk_unit(unit: Node) -> Iterator[Node]:
    """Descendants of a Fortran unit, not entering nested units (contained procedures)."""
    stack = list(reversed(unit.named_children))
    while stack:
        n = stack.pop()
        if n.type in ("subroutine", "function", "internal_procedures", "module"):
            continue
        yield n
        stack.extend(reversed(n.named_children))


def _c_is_const(model: Model, decl: Node) -> bool:
    return any(model.text(c) in ("const", "constexpr") for c in decl.children if c.type == "type_qualifier")


def _int_literal(text: str) -> int | None:
    t = text.strip().rstrip("uUlL")
    t = re.sub(r"_\w+$", "", t)  # Fortran kind suffix
    try:
        return int(t, 0)
    except ValueError:
        return None


def model(source: SourceFile) -> Model:
    """The (cached) model of a source file."""
    m = source.cache.get("mpi_model")
    if m is None:
        m = Model(source)
        source.cache["mpi_model"] = m
    return m


def uses_mpi(source: SourceFile) -> bool:
    """Cheap pre-check: does the file mention MPI at all."""
    return "mpi" in source.text.lower()
