"""The shared IR: functions, loop nests, memory accesses and OpenMP constructs bound to statements.

Used by the race checker (``rules/omp_race.py``) and the parallelization advisor. Built once per
``SourceFile`` and cached in ``source.cache["ir"]``::

    from hpclsp.analysis.loops import build_ir
    ir = build_ir(source)            # FileIR
    for loop in ir.loops:            # every loop, outer before inner (document order)
        loop.index, loop.lower, loop.upper, loop.step   # str | None, Affine | None (step: int | None)
        loop.accesses                # every Access in the body, nested loops included
        loop.parent, loop.children, loop.depth, loop.kind   # "for" | "while" | "do" | "do concurrent" | "do while"
        loop.lower_poly, loop.upper_poly  # Poly bounds when not affine (b*bs .. (b+1)*bs - 1), else None
        loop.node, loop.span, loop.keyword_span, loop.body_start, loop.body_end (bytes)
        loop.construct               # the OpenMP Construct whose loop this is (or None)
        loop.directive               # its Directive (or None)

API summary
-----------
- ``Affine``: ``const`` + sum of ``coeffs[var] * var``; variables are loop indices or opaque
  symbols (``"n"``, ``"n/2"``). Supports ``+ - *int``, ``is_const``, ``vars``.
- ``Access(name, base, kind, subscripts, span, node, stmt, func, order, in_call, update_op,
  indirect, conditional)``: one read (``"R"``) or write (``"W"``) of a variable or array element.
  ``name`` is the variable as written without subscripts (``a``, ``s.f``, ``x%y``); ``base`` is the
  root identifier (what data-sharing applies to); ``subscripts`` is ``[]`` for scalars, otherwise
  one ``Affine | None`` per dimension (None: not affine, e.g. ``idx[i]``, then ``indirect`` says
  whether it was an array lookup). ``update_op`` is the operator of a read-modify-write
  (``s += x`` -> ``"+"``; ``s = s * x`` -> ``"*"``), ``in_call`` the callee when the access is a
  call argument.
  ``polys`` holds, per subscript, a ``Poly`` (``i*m + j``) when the subscript is polynomial but
  not affine (used to delinearize row-major subscripts), else None.
- ``Poly``: a polynomial (degree <= 2) of variables: ``terms`` maps monomials to coefficients.
- ``Decl``: a declaration (``storage``: ``"local" | "global" | "static" | "param" | "save"``,
  ``is_array``, ``is_pointer``, ``intent`` for Fortran dummies, ``const`` value when known).
- ``Construct``: an OpenMP directive bound to the code it applies to: ``directive``, ``name``,
  ``start``/``end`` (byte extent of the associated statement/block; equal for standalone
  directives such as ``barrier``), ``loop`` for loop constructs (``loops`` with collapse),
  ``end_directive`` (Fortran ``!$omp end ...``, whose clauses such as ``nowait`` are merged into
  ``clauses``), ``parent``/``children``.
- ``Function``: ``name``, ``node``, ``decls``, ``loops``, ``accesses``, ``constructs``,
  ``assignments`` (pointer aliasing ``p = a + k``), ``calls``.
- ``index_guard(access, index)``: ``c`` when the access only runs under ``if (index == c)``.
- ``FileIR``: ``functions``, ``loops``, ``accesses``, ``constructs``, ``globals``,
  ``threadprivate``, ``function_at(byte)``, ``constructs_enclosing(byte)``, ``loop_for_node``.

Everything is best-effort: unknown syntax yields fewer accesses, never an exception.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from hpclsp.analysis.findings import Span
from hpclsp.analysis.openmp import model as directives_mod
from hpclsp.analysis.openmp.scanner import parse_directives
from hpclsp.analysis.source import SourceFile

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


# --------------------------------------------------------------------------------------------
# Affine expressions


@dataclasses.dataclass(frozen=True)
class Affine:
    """``const + sum(coeffs[v] * v)``; variables are loop indices or opaque symbols."""

    coeffs: tuple[tuple[str, int], ...] = ()
    const: int = 0

    @staticmethod
    def of(const: int = 0, **coeffs: int) -> Affine:
        """Build from keyword coefficients (for tests)."""
        return Affine._make(dict(coeffs), const)

    @staticmethod
    def var(name: str, coeff: int = 1) -> Affine:
        """A single variable."""
        return Affine._make({name: coeff}, 0)

    @staticmethod
    def _make(coeffs: dict[str, int], const: int) -> Affine:
        return Affine(tuple(sorted((k, v) for k, v in coeffs.items() if v != 0)), const)

    @property
    def terms(self) -> dict[str, int]:
        """The coefficients as a dict."""
        return dict(self.coeffs)

    def coeff(self, v: str) -> int:
        """Coefficient of variable v (0 when absent)."""
        for k, c in self.coeffs:
            if k == v:
                return c
        return 0

    @property
    def vars(self) -> set[str]:
        """Variables with a non-zero coefficient."""
        return {k for k, _ in self.coeffs}

    @property
    def is_const(self) -> bool:
        """True when no variable appears."""
        return not self.coeffs

    def __add__(self, other: Affine) -> Affine:
        d = self.terms
        for k, v in other.coeffs:
            d[k] = d.get(k, 0) + v
        return Affine._make(d, self.const + other.const)

    def __neg__(self) -> Affine:
        return Affine._make({k: -v for k, v in self.coeffs}, -self.const)

    def __sub__(self, other: Affine) -> Affine:
        return self + (-other)

    def scale(self, k: int) -> Affine:
        """Multiply by an integer."""
        return Affine._make({v: c * k for v, c in self.coeffs}, self.const * k)

    def without(self, names: set[str] | frozenset[str]) -> Affine:
        """Drop the given variables."""
        return Affine._make({k: v for k, v in self.coeffs if k not in names}, self.const)

    def substitute(self, name: str, value: Affine) -> Affine:
        """Replace a variable by an affine expression."""
        c = self.coeff(name)
        if not c:
            return self
        return self.without({name}) + value.scale(c)

    def __str__(self) -> str:
        parts = []
        for k, v in self.coeffs:
            parts.append(k if v == 1 else f"-{k}" if v == -1 else f"{v}*{k}")
        s = " + ".join(parts).replace("+ -", "- ")
        if self.const or not parts:
            s = f"{s} + {self.const}" if parts else str(self.const)
            s = s.replace("+ -", "- ")
        return s


@dataclasses.dataclass(frozen=True)
class Poly:
    """A polynomial subscript such as ``i*m + j`` (what ``Affine`` cannot hold).

    ``terms`` maps monomials (sorted tuples of variable names; ``()`` is the constant) to integer
    coefficients. Used by ``dependence.test`` to delinearize row-major subscripts."""

    terms: tuple[tuple[tuple[str, ...], int], ...] = ()

    @staticmethod
    def _make(d: dict[tuple[str, ...], int]) -> Poly:
        return Poly(tuple(sorted((k, v) for k, v in d.items() if v != 0)))

    @staticmethod
    def of_affine(a: Affine) -> Poly:
        """The polynomial of an affine expression."""
        d: dict[tuple[str, ...], int] = {(k,): v for k, v in a.coeffs}
        d[()] = a.const
        return Poly._make(d)

    @property
    def as_dict(self) -> dict[tuple[str, ...], int]:
        """The terms as a dict."""
        return dict(self.terms)

    def __add__(self, other: Poly) -> Poly:
        d = self.as_dict
        for k, v in other.terms:
            d[k] = d.get(k, 0) + v
        return Poly._make(d)

    def __sub__(self, other: Poly) -> Poly:
        return self + other.scale(-1)

    def scale(self, k: int) -> Poly:
        """Multiply by an integer."""
        return Poly._make({m: c * k for m, c in self.terms})

    def __mul__(self, other: Poly) -> Poly:
        d: dict[tuple[str, ...], int] = {}
        for m1, c1 in self.terms:
            for m2, c2 in other.terms:
                m = tuple(sorted(m1 + m2))
                d[m] = d.get(m, 0) + c1 * c2
        return Poly._make(d)

    @property
    def degree(self) -> int:
        """The largest monomial degree."""
        return max((len(m) for m, _ in self.terms), default=0)


# --------------------------------------------------------------------------------------------
# IR objects


@dataclasses.dataclass
class Decl:
    """A declared variable."""

    name: str
    span: Span
    storage: str  # local | global | static | param | save
    is_array: bool = False
    is_pointer: bool = False
    intent: str | None = None  # Fortran dummy argument intent: in | out | inout
    const: int | None = None  # known integer value (const / parameter / #define / single assignment)
    scope_start: int = 0  # byte extent of the declaring block (for "declared inside the region")
    scope_end: int = 1 << 62
    decl_byte: int = 0
    type_text: str = ""


@dataclasses.dataclass(eq=False)
class Access:
    """One read or write of a variable or array element."""

    name: str
    base: str
    kind: str  # "R" | "W"
    subscripts: list[Affine | None]
    span: Span
    node: Node
    stmt: Node | None
    func: Function | None
    order: int = 0  # evaluation order within the file (reads of a statement before its write)
    in_call: str | None = None
    update_op: str | None = None
    indirect: bool = False
    conditional: bool = False
    text: str = ""
    #: per subscript, a ``Poly`` when the subscript is not affine but polynomial (``i*m + j``), else None
    polys: list[Poly | None] = dataclasses.field(default_factory=list)

    @property
    def is_write(self) -> bool:
        """True for writes."""
        return self.kind == "W"

    @property
    def is_scalar(self) -> bool:
        """True when the access has no subscripts."""
        return not self.subscripts

    @property
    def start(self) -> int:
        """Start byte."""
        return self.node.start_byte

    @property
    def line(self) -> int:
        """0-based line."""
        return self.span.start.line

    def __repr__(self) -> str:
        return f"Access({self.kind} {self.text or self.name} @{self.span.start.line}:{self.span.start.col})"


@dataclasses.dataclass(eq=False)
class Loop:
    """A loop statement with its header understood where possible."""

    node: Node
    kind: str
    span: Span
    keyword_span: Span
    index: str | None = None
    lower: Affine | None = None
    upper: Affine | None = None  # inclusive bound
    step: int | None = None
    body_start: int = 0
    body_end: int = 0
    parent: Loop | None = None
    children: list[Loop] = dataclasses.field(default_factory=list)
    accesses: list[Access] = dataclasses.field(default_factory=list)
    construct: Construct | None = None
    func: Function | None = None
    index_declared_in_header: bool = False
    #: polynomial bounds when ``lower``/``upper`` are not affine (``b*bs`` .. ``(b+1)*bs - 1``)
    lower_poly: Poly | None = None
    upper_poly: Poly | None = None
    #: affine values the index never exceeds (inclusive), from a ``min(...)``-shaped upper bound
    #: (``x < y ? x : y``, Fortran ``min``/``merge``): tiles such as ``16*t .. min(16*t + 15, n - 1)``
    upper_caps: tuple[Affine, ...] = ()

    @property
    def directive(self) -> directives_mod.Directive | None:
        """The OpenMP directive bound to this loop, if any."""
        return self.construct.directive if self.construct else None

    @property
    def depth(self) -> int:
        """Nesting depth (0 for outermost)."""
        d, p = 0, self.parent
        while p is not None:
            d, p = d + 1, p.parent
        return d

    @property
    def trip_count(self) -> Affine | None:
        """``(upper - lower) / step + 1`` when step is 1 or -1 (affine), else None."""
        if self.lower is None or self.upper is None or self.step not in (1, -1):
            return None
        return (
            (self.upper - self.lower + Affine(const=1))
            if self.step == 1
            else (self.lower - self.upper + Affine(const=1))
        )

    def contains(self, byte: int) -> bool:
        """True when a byte offset lies in the loop body."""
        return self.body_start <= byte < self.body_end

    def __repr__(self) -> str:
        return f"Loop({self.kind} {self.index} @{self.span.start.line})"


@dataclasses.dataclass(eq=False)
class Construct:
    """An OpenMP directive bound to the statement or block it applies to."""

    directive: directives_mod.Directive
    name: str
    start: int  # byte extent of the associated code
    end: int
    span: Span  # directive span (the pragma line)
    end_directive: directives_mod.Directive | None = None
    loop: Loop | None = None
    loops: list[Loop] = dataclasses.field(default_factory=list)  # the associated loops (collapse)
    parent: Construct | None = None
    children: list[Construct] = dataclasses.field(default_factory=list)
    stmt: Node | None = None
    span_byte: int = 0  # byte offset of the start of the directive's first line

    @property
    def words(self) -> list[str]:
        """Directive name words."""
        return self.name.split()

    @property
    def standalone(self) -> bool:
        """True for directives without associated code (barrier, taskwait, flush...)."""
        return self.start >= self.end

    def has(self, word: str) -> bool:
        """True when the directive name contains the word (``"parallel for"`` has ``"for"``)."""
        return word in self.name.split()

    @property
    def clauses(self) -> list[directives_mod.Clause]:
        """Clauses of the directive and of its end directive (Fortran ``end do nowait``)."""
        cl = list(self.directive.clauses)
        if self.end_directive is not None:
            cl.extend(self.end_directive.clauses)
        return cl

    def clause(self, name: str) -> directives_mod.Clause | None:
        """First clause with this name (end directive included)."""
        for c in self.clauses:
            if c.name == name:
                return c
        return None

    def clause_items(self, *names: str) -> set[str]:
        """Lower-cased list items of the named clauses (array sections reduced to the base name)."""
        out = set()
        for c in self.clauses:
            if c.name in names:
                for it in c.items:
                    out.add(item_base(it))
        return out

    def contains(self, byte: int) -> bool:
        """True when a byte offset lies in the associated code."""
        return self.start <= byte < self.end

    def __repr__(self) -> str:
        return f"Construct({self.name} @{self.span.start.line})"


@dataclasses.dataclass(eq=False)
class Function:
    """A function / subroutine / program unit."""

    name: str
    node: Node
    span: Span
    decls: dict[str, Decl] = dataclasses.field(default_factory=dict)
    loops: list[Loop] = dataclasses.field(default_factory=list)
    accesses: list[Access] = dataclasses.field(default_factory=list)
    constructs: list[Construct] = dataclasses.field(default_factory=list)
    #: pointer aliases: name -> (target base, offset) from ``p = a + k`` / ``p = &a[k]`` / ``p => a``.
    aliases: dict[str, tuple[str, Affine]] = dataclasses.field(default_factory=dict)
    #: names of variables assigned from omp_get_thread_num() (and not otherwise written), plus
    #: ``THREAD_NUM_SYMBOL``, the symbol of a direct ``omp_get_thread_num()`` call in a subscript.
    thread_ids: set[str] = dataclasses.field(default_factory=set)
    #: calls: (callee name, node)
    calls: list[tuple[str, Node]] = dataclasses.field(default_factory=list)
    #: lock calls: (kind "set"|"unset"|"test", lock text, byte)
    lock_calls: list[tuple[str, str, int]] = dataclasses.field(default_factory=list)
    #: every declaration of each name (block-scoped C declarations may shadow each other)
    all_decls: dict[str, list[Decl]] = dataclasses.field(default_factory=dict)

    def decl(self, name: str, at: int | None = None) -> Decl | None:
        """The declaration visible for a name (function scope, else None)."""
        return self.decls.get(name)


@dataclasses.dataclass
class FileIR:
    """The IR of one file."""

    source: SourceFile
    functions: list[Function]
    loops: list[Loop]
    accesses: list[Access]
    constructs: list[Construct]
    globals: dict[str, Decl]
    threadprivate: set[str]
    directives: list[directives_mod.Directive]

    def function_at(self, byte: int) -> Function | None:
        """The function containing a byte offset."""
        for f in self.functions:
            if f.node.start_byte <= byte < f.node.end_byte:
                return f
        return None

    def constructs_enclosing(self, byte: int) -> list[Construct]:
        """Constructs whose associated code contains the byte, innermost first."""
        res = [c for c in self.constructs if c.contains(byte)]
        res.sort(key=lambda c: (c.end - c.start, -c.start, -c.directive.first_line))
        return res

    def loop_for_node(self, node: Node) -> Loop | None:
        """The Loop object for a loop statement node."""
        for lp in self.loops:
            if lp.node.id == node.id:
                return lp
        return None

    def decl(self, name: str, byte: int) -> Decl | None:
        """The declaration of a name as seen from a byte offset (innermost scope, then globals)."""
        f = self.function_at(byte)
        if f is not None:
            best = None
            for d in f.all_decls.get(name, []):
                if d.scope_start <= byte < d.scope_end and d.decl_byte <= byte:
                    if best is None or d.scope_start >= best.scope_start:
                        best = d
            if best is not None:
                return best
            if name in f.decls and f.decls[name].storage in ("param", "save"):
                return f.decls[name]
        return self.globals.get(name)


def item_base(item: str) -> str:
    """The variable name of a clause list item (``a[0:n]`` -> ``a``, ``x%y`` -> ``x%y``)."""
    s = item.strip()
    m = re.match(r"[A-Za-z_][\w%.]*(?:->\w+)*", s)
    return m.group(0) if m else s


# --------------------------------------------------------------------------------------------
# Building


def build_ir(source: SourceFile) -> FileIR:
    """Build (or fetch from ``source.cache["ir"]``) the IR of a file."""
    cached = source.cache.get("ir")
    if cached is None:
        cached = _Builder(source).build()
        source.cache["ir"] = cached
    return cached


C_LOOP_TYPES = {"for_statement", "while_statement", "do_statement", "for_range_loop"}
C_FUNC_TYPES = {"function_definition"}
F_UNIT_TYPES = {"program", "subroutine", "function", "module_procedure"}
C_STMT_CONTAINERS = {"compound_statement", "translation_unit", "function_definition", "declaration_list"}

#: Calls that only read their arguments (library functions) in C.
C_READONLY_CALLS = {
    "printf",
    "fprintf",
    "puts",
    "putchar",
    "sqrt",
    "sqrtf",
    "exp",
    "expf",
    "log",
    "logf",
    "sin",
    "cos",
    "tan",
    "pow",
    "powf",
    "fabs",
    "fabsf",
    "abs",
    "labs",
    "floor",
    "ceil",
    "fmax",
    "fmin",
    "fmaxf",
    "fminf",
    "exp2",
    "log2",
    "log10",
    "atan",
    "atan2",
    "tanh",
    "strlen",
    "assert",
    "free",
    "omp_get_thread_num",
    "omp_get_num_threads",
    "omp_get_wtime",
    "omp_get_max_threads",
    "omp_in_parallel",
    "min",
    "max",
    "MIN",
    "MAX",
    "hypot",
    "round",
    "lround",
    "sinf",
    "cosf",
    "memcmp",
    "strcmp",
    "fflush",
}
C_WRITING_CALLS = {"scanf", "sscanf", "fscanf", "memset", "memcpy", "strcpy", "fread", "gets"}
OMP_LOCK_SET = {"omp_set_lock", "omp_set_nest_lock"}
OMP_LOCK_UNSET = {"omp_unset_lock", "omp_unset_nest_lock"}
OMP_LOCK_TEST = {"omp_test_lock", "omp_test_nest_lock"}
F_INTRINSICS = {
    "sqrt",
    "exp",
    "log",
    "log10",
    "sin",
    "cos",
    "tan",
    "atan",
    "atan2",
    "abs",
    "max",
    "min",
    "mod",
    "modulo",
    "real",
    "int",
    "nint",
    "dble",
    "float",
    "sum",
    "product",
    "maxval",
    "minval",
    "size",
    "merge",
    "sign",
    "huge",
    "tiny",
    "epsilon",
    "present",
    "allocated",
    "associated",
    "lbound",
    "ubound",
    "shape",
    "dot_product",
    "matmul",
    "transpose",
    "floor",
    "ceiling",
    "cmplx",
    "conjg",
    "aimag",
    "len",
    "trim",
    "adjustl",
    "achar",
    "char",
    "ichar",
    "iand",
    "ior",
    "ieor",
    "not",
    "btest",
    "ishft",
    "count",
    "any",
    "all",
    "maxloc",
    "minloc",
    "kind",
    "selected_real_kind",
    "omp_get_thread_num",
    "omp_get_num_threads",
    "omp_get_wtime",
    "omp_get_max_threads",
    "tanh",
    "exponent",
    "fraction",
    "reshape",
    "spread",
    "pack",
    "cshift",
    "eoshift",
    "dsqrt",
    "dexp",
    "dabs",
    "iabs",
    "amax1",
    "amin1",
    "dmax1",
    "dmin1",
    "max0",
    "min0",
}
C_UPDATE_OPS = {
    "+=": "+",
    "-=": "-",
    "*=": "*",
    "/=": "/",
    "&=": "&",
    "|=": "|",
    "^=": "^",
    "<<=": "<<",
    ">>=": ">>",
    "%=": "%",
}


class _Builder:
    """Walks the tree once, collecting functions, declarations, loops, accesses and constructs."""

    def __init__(self, source: SourceFile) -> None:
        self.src = source
        self.fortran = source.language == "fortran"
        self.order = 0
        self.functions: list[Function] = []
        self.loops: list[Loop] = []
        self.accesses: list[Access] = []
        self.globals: dict[str, Decl] = {}
        self.threadprivate: set[str] = set()
        self.macros: dict[str, int] = {}
        self.func: Function | None = None
        self.loop_stack: list[Loop] = []
        self.lower = str.lower if self.fortran else (lambda s: s)
        self.texts: dict[tuple[int, int], str] = {}

    # -- helpers --------------------------------------------------------------------------
    def text(self, node: Node) -> str:
        key = (node.start_byte, node.end_byte)
        got = self.texts.get(key)
        if got is None:  # generated code asks for the same large subexpressions many times
            got = self.texts[key] = self.src.node_text(node)
        return got

    def name(self, node: Node) -> str:
        t = self.text(node)
        return t.lower() if self.fortran else t

    def op_text(self, node: Node) -> str:
        """Text of a node's ``operator`` field ("" when the parse has none)."""
        op = node.child_by_field_name("operator")
        return self.text(op) if op is not None else ""

    def build(self) -> FileIR:
        try:
            dirs = parse_directives(self.src)
        except Exception:  # the directive parser must never take the IR down
            dirs = []
        for d in dirs:
            if d.name == "threadprivate":
                for c in d.clauses:
                    self.threadprivate.update(self.lower(item_base(i)) for i in c.items)
                if d.argument:
                    self.threadprivate.update(
                        self.lower(x.strip()) for x in d.argument.split(",") if x.strip()
                    )
        if not self.fortran:
            for m in re.finditer(
                r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+\(?(-?\d+)\)?[ \t]*$", self.src.text, re.M
            ):
                self.macros[m.group(1)] = int(m.group(2))
        root = self.src.tree.root_node
        self.walk_top(root)
        constructs = _bind_constructs(self.src, dirs, self.loops)
        for con in constructs:
            # the innermost unit: a Fortran program or module procedure contains its internal procedures
            holders = [f for f in self.functions if f.node.start_byte <= con.span_byte < f.node.end_byte]
            if holders:
                min(holders, key=lambda f: f.node.end_byte - f.node.start_byte).constructs.append(con)
        self.accesses.sort(key=lambda a: a.order)
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
        for child in node.named_children:
            if child.type in F_UNIT_TYPES:
                self.function(child)
            elif child.type == "variable_declaration":
                for d in self.f_declaration(child, storage="global"):
                    self.globals[d.name] = d
            elif child.type in ("internal_procedures", "module_procedures", "contains_statement"):
                self.fortran_module(child)

    # -- functions ------------------------------------------------------------------------
    def function(self, node: Node) -> None:
        name = "?"
        if self.fortran:
            st = node.named_children[0] if node.named_children else None
            if st is not None:
                nm = st.child_by_field_name("name") or next(
                    (c for c in st.named_children if c.type == "name"), None
                )
                if nm is not None:
                    name = self.name(nm)
        else:
            decl = node.child_by_field_name("declarator")
            while decl is not None and decl.type not in (
                "identifier",
                "field_identifier",
                "qualified_identifier",
            ):
                decl = decl.child_by_field_name("declarator")
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

    def add_decl(self, d: Decl) -> None:
        assert self.func is not None
        self.func.all_decls.setdefault(d.name, []).append(d)
        if d.name not in self.func.decls or d.storage in ("param",):
            self.func.decls[d.name] = d

    def c_params(self, node: Node) -> None:
        decl = node.child_by_field_name("declarator")
        while decl is not None and decl.type != "function_declarator":
            decl = decl.child_by_field_name("declarator")
        if decl is None:
            return
        params = decl.child_by_field_name("parameters")
        if params is None:
            return
        for p in params.named_children:
            if p.type != "parameter_declaration":
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

    def c_declaration(self, node: Node, global_: bool = False, scope: Node | None = None) -> None:
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
            const = None
            if init is not None and ("const" in specs or global_ is False):
                a = self.affine(init, set())
                if a is not None and a.is_const and "const" in specs:
                    const = a.const
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
                    self.record_alias(nm, init, is_ptr)
                    if storage != "static":  # a static local is initialized once, not by each execution
                        self.write_access(d if d.type == "identifier" else ch, nm, node)
                    self.expr(init, node)

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
        st = node.named_children[0] if node.named_children else None
        params = st.child_by_field_name("parameters") if st is not None else None
        names = set()
        if params is not None:
            names = {self.name(p) for p in params.named_children if p.type == "identifier"}
        self._f_dummies = names
        if st is None:
            return  # no statement node: no dummy arguments to declare
        for n in names:
            self.add_decl(
                Decl(
                    n,
                    self.src.node_span(st),
                    "param",
                    scope_start=node.start_byte,
                    scope_end=node.end_byte,
                    decl_byte=node.start_byte,
                )
            )

    def f_declaration(self, node: Node, storage: str = "local") -> list[Decl]:
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
            const = None
            if init is not None and is_param_const:
                init_aff = self.affine(init, set())
                if init_aff is not None and init_aff.is_const:
                    const = init_aff.const
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

    # -- statements -----------------------------------------------------------------------
    def walk_stmts(self, node: Node) -> None:
        """Walk statements below node (not expressions), creating loops and accesses."""
        for child in node.named_children:
            self.stmt(child)

    def stmt(self, node: Node) -> None:
        t = node.type
        if self.fortran:
            if t == "variable_declaration":
                if self.func is not None:
                    for d in self.f_declaration(node):
                        if d.name in self.func.decls and self.func.decls[d.name].storage == "param":
                            d.storage = "param"
                        d.scope_start, d.scope_end = self.func.node.start_byte, self.func.node.end_byte
                        self.add_decl(d)
                        self.func.decls[d.name] = d
                return
            if t in (
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
                "parameter_statement",
            ):
                if t == "parameter_statement":
                    self.f_parameter_stmt(node)
                return
            if t in F_UNIT_TYPES:
                self.function(node)
                return
            if t in ("internal_procedures", "contains_statement"):
                for c in node.named_children:
                    if c.type in F_UNIT_TYPES:
                        self.function(c)
                return
            if t == "do_loop":
                self.f_loop(node)
                return
            if t == "assignment_statement":
                self.f_assignment(node)
                return
            if t == "pointer_association_statement":
                kids = node.named_children
                if (
                    len(kids) >= 2
                    and kids[0].type == "identifier"
                    and kids[-1].type == "identifier"
                    and self.func
                ):
                    self.func.aliases[self.name(kids[0])] = (self.name(kids[-1]), Affine())
                return
            if t == "subroutine_call":
                self.f_call(node, node)
                return
            if t in (
                "if_statement",
                "elseif_clause",
                "else_clause",
                "block_construct",
                "select_case_statement",
                "case_statement",
                "where_statement",
                "associate_statement",
                "labeled_statement",
            ):
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
                return
            if t in ("parenthesized_expression",):
                self.expr(node, node.parent)
                return
            if t in ("print_statement", "write_statement"):
                for c in node.named_children:
                    if c.type == "output_item_list":
                        for item in c.named_children:
                            self.expr(item, node)  # the output items are read
                return
            for c in node.named_children:
                self.stmt(c)
            return
        # C family
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

    def f_parameter_stmt(self, node: Node) -> None:
        if self.func is None:
            return
        for c in node.named_children:
            kids = c.named_children
            if len(kids) >= 2:
                a = self.affine(kids[-1], set())
                nm = self.name(kids[0])
                if a is not None and a.is_const:
                    d = self.func.decls.get(nm)
                    if d is not None:
                        d.const = a.const

    # -- loops ----------------------------------------------------------------------------
    def new_loop(self, node: Node, kind: str, kw: Node | None) -> Loop:
        lp = Loop(
            node,
            kind,
            self.src.node_span(node),
            self.src.node_span(kw if kw is not None else node),
            func=self.func,
        )
        lp.parent = self.loop_stack[-1] if self.loop_stack else None
        if lp.parent is not None:
            lp.parent.children.append(lp)
        self.loops.append(lp)
        if self.func is not None:
            self.func.loops.append(lp)
        return lp

    def c_loop(self, node: Node) -> None:
        kw = node.children[0] if node.children else None
        kind = {
            "for_statement": "for",
            "while_statement": "while",
            "do_statement": "do while",
            "for_range_loop": "for",
        }[node.type]
        lp = self.new_loop(node, kind, kw)
        body = node.child_by_field_name("body")
        lp.body_start = body.start_byte if body is not None else node.end_byte
        lp.body_end = body.end_byte if body is not None else node.end_byte
        if node.type == "for_statement":
            self.c_for_header(lp, node)
        self.loop_stack.append(lp)
        try:
            for i, c in enumerate(node.children):
                fn = node.field_name_for_child(i)
                if fn == "body":
                    self.stmt(c)
                elif fn in ("initializer", "condition", "update"):
                    if c.type == "declaration":
                        self.c_declaration(c, scope=node)
                    else:
                        self.expr(c, node)
                elif (
                    fn is None and c.is_named and c.type not in ("comment",) and node.type == "for_statement"
                ):
                    # tree-sitter-c sometimes puts a declaration initializer without a field name
                    if c.type == "declaration":
                        self.c_declaration(c, scope=node)
        finally:
            self.loop_stack.pop()

    def c_for_header(self, lp: Loop, node: Node) -> None:
        init = node.child_by_field_name("initializer")
        if init is None:
            init = next((c for c in node.named_children if c.type == "declaration"), None)
        cond = node.child_by_field_name("condition")
        upd = node.child_by_field_name("update")
        idx = None
        lower = None
        if init is not None:
            if init.type == "assignment_expression" and self.op_text(init) == "=":
                left = init.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    idx = self.text(left)
                    lower = self.affine(init.child_by_field_name("right"), self.loop_indices())
            elif init.type == "declaration":
                d = init.child_by_field_name("declarator")
                if d is not None and d.type == "init_declarator":
                    nm = d.child_by_field_name("declarator")
                    if nm is not None and nm.type == "identifier":
                        idx = self.text(nm)
                        lower = self.affine(d.child_by_field_name("value"), self.loop_indices())
                        lp.index_declared_in_header = True
        if idx is None:
            return
        step = None
        if upd is not None:
            ut = self.text(upd).replace(" ", "")
            if ut in (f"{idx}++", f"++{idx}"):
                step = 1
            elif ut in (f"{idx}--", f"--{idx}"):
                step = -1
            else:
                m = re.fullmatch(rf"{re.escape(idx)}(\+=|-=)(\d+)", ut) or re.fullmatch(
                    rf"{re.escape(idx)}=({re.escape(idx)}[+-])(\d+)", ut
                )
                if m:
                    k = int(m.group(2))
                    step = -k if "-" in m.group(1) else k
        upper = None
        if cond is not None and cond.type == "binary_expression":
            op = self.op_text(cond)
            left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
            if left is not None and self.text(left) == idx and right is not None:
                b = self.affine(right, self.loop_indices())
                if b is not None:
                    upper = {"<": b - Affine(const=1), "<=": b, ">": b + Affine(const=1), ">=": b}.get(op)
            elif right is not None and self.text(right) == idx and left is not None:
                b = self.affine(left, self.loop_indices())
                if b is not None:
                    upper = {">": b - Affine(const=1), ">=": b, "<": b + Affine(const=1), "<=": b}.get(op)
        lp.index, lp.lower, lp.upper, lp.step = idx, lower, upper, step
        inds = self.loop_indices()
        if upper is None and cond is not None and cond.type == "binary_expression":
            op = self.op_text(cond)
            left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
            if left is not None and self.text(left) == idx and op in ("<", "<="):
                shift = Affine(const=1 if op == "<" else 0)
                caps = [self.affine(x, inds) for x in self.min_operands(right)]
                lp.upper_caps = tuple(c - shift for c in caps if c is not None)
        if lower is None and init is not None:
            lo_node = (
                init.child_by_field_name("right")
                if init.type == "assignment_expression"
                else (init.child_by_field_name("declarator") or init).child_by_field_name("value")
            )
            lp.lower_poly = self.poly(lo_node, inds)
        if upper is None and cond is not None and cond.type == "binary_expression":
            op = self.op_text(cond)
            left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
            if left is not None and self.text(left) == idx and op in ("<", "<="):
                bp = self.poly(right, inds)
                if bp is not None:
                    lp.upper_poly = bp - Poly.of_affine(Affine(const=1)) if op == "<" else bp

    def f_loop(self, node: Node) -> None:
        st = next((c for c in node.named_children if c.type == "do_statement"), None)
        kind = "do"
        kw = st.children[0] if st is not None and st.children else None
        ctl = None
        if st is not None:
            for c in st.named_children:
                if c.type == "loop_control_expression":
                    ctl = c
                elif c.type == "concurrent_statement":
                    kind = "do concurrent"
                    hdr = next((x for x in c.named_children if x.type == "concurrent_header"), None)
                    ctl = (
                        next((x for x in hdr.named_children if x.type == "concurrent_control"), None)
                        if hdr
                        else None
                    )
                elif c.type == "while_statement":
                    kind = "do while"
        lp = self.new_loop(node, kind, kw)
        body_nodes = [
            c for c in node.named_children if c.type not in ("do_statement", "end_do_loop_statement")
        ]
        lp.body_start = st.end_byte if st is not None else node.start_byte
        end = next((c for c in node.named_children if c.type == "end_do_loop_statement"), None)
        lp.body_end = end.start_byte if end is not None else node.end_byte
        if ctl is not None:
            kids = [c for c in ctl.named_children if c.type != "comment"]
            if kids and kids[0].type == "identifier":
                lp.index = self.name(kids[0])
                vals = kids[1:]
                if ctl.type == "concurrent_control":
                    ini, fin = ctl.child_by_field_name("initial"), ctl.child_by_field_name("final")
                    stp = ctl.child_by_field_name("step")
                    vals = [v for v in (ini, fin, stp) if v is not None]
                if len(vals) >= 2:
                    lp.lower = self.affine(vals[0], self.loop_indices())
                    lp.upper = self.affine(vals[1], self.loop_indices())
                    if lp.upper is None:
                        caps = [self.affine(x, self.loop_indices()) for x in self.min_operands(vals[1])]
                        lp.upper_caps = tuple(c for c in caps if c is not None)
                    lp.step = 1
                    if len(vals) >= 3:
                        s = self.affine(vals[2], set())
                        lp.step = s.const if s is not None and s.is_const and s.const != 0 else None
                    if lp.step is not None and lp.step < 0:
                        pass
                for v in vals:
                    self.expr(v, st)
        elif st is not None:
            for c in st.named_children:
                if c.type == "while_statement":
                    for x in c.named_children:
                        self.expr(x, st)
        self.loop_stack.append(lp)
        try:
            for c in body_nodes:
                self.stmt(c)
        finally:
            self.loop_stack.pop()

    def min_operands(self, node: Node | None, depth: int = 0) -> list[Node]:
        """Operands of a minimum (``x < y ? x : y``, ``min(x, y)``, ``merge(x, y, x < y)``), flattened; [] if none."""
        while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        if node is None or depth > 8:
            return []
        pair: list[Node] = []
        if node.type == "conditional_expression":
            c = node.child_by_field_name("condition")
            a, b = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
            while c is not None and c.type == "parenthesized_expression" and c.named_child_count == 1:
                c = c.named_children[0]
            if c is not None and a is not None and b is not None and c.type == "binary_expression":
                op, lhs, rhs = self.op_text(c), c.child_by_field_name("left"), c.child_by_field_name("right")
                if lhs is not None and rhs is not None:
                    lt, rt, at, bt = (_squash(self.text(x)) for x in (lhs, rhs, a, b))
                    if (op in ("<", "<=") and (lt, rt) == (at, bt)) or (
                        op in (">", ">=") and (lt, rt) == (bt, at)
                    ):
                        pair = [a, b]
        elif node.type == "call_expression" and self.fortran:
            fn = node.named_children[0] if node.named_children else None
            args = next((x for x in node.named_children if x.type == "argument_list"), None)
            name = self.text(fn).lower() if fn is not None else ""
            kids = [x for x in args.named_children if x.type != "comment"] if args is not None else []
            if name == "min" and len(kids) >= 2:
                pair = kids
            elif name == "merge" and len(kids) == 3 and kids[2].type == "relational_expression":
                c = kids[2]
                op = self.op_text(c).lower()
                lhs, rhs = c.child_by_field_name("left"), c.child_by_field_name("right")
                if lhs is not None and rhs is not None:
                    lt, rt, at, bt = (_squash(self.text(x)) for x in (lhs, rhs, kids[0], kids[1]))
                    if (op in ("<", "<=", ".lt.", ".le.") and (lt, rt) == (at, bt)) or (
                        op in (">", ">=", ".gt.", ".ge.") and (lt, rt) == (bt, at)
                    ):
                        pair = kids[:2]
        if not pair:
            return [node] if depth else []
        out: list[Node] = []
        for x in pair:
            out.extend(self.min_operands(x, depth + 1))
        return out

    # -- expressions and accesses ---------------------------------------------------------
    def index_node(self, sub: Node) -> Node | None:
        idx = sub.child_by_field_name("index")
        if idx is None:
            idx = sub.child_by_field_name("indices")
            if idx is not None and idx.named_children:
                idx = idx.named_children[0]
        return idx

    def loop_indices(self) -> set[str]:
        return {lp.index for lp in self.loop_stack if lp.index}

    def affine(self, node: Node | None, indices: set[str] | None) -> Affine | None:
        """Affine form of an expression; loop indices stay variables, other names become symbols."""
        if node is None:
            return None
        t = node.type
        if t == "number_literal":
            txt = self.text(node).rstrip("uUlL")
            try:
                return Affine(const=int(txt.split("_")[0], 0))
            except ValueError:
                return None
        if t == "identifier":
            nm = self.name(node)
            if indices is not None and nm in indices:
                return Affine.var(nm)
            d = None
            if self.func is not None:
                d = self.func.decls.get(nm)
            d = d or self.globals.get(nm)
            if d is not None and d.const is not None:
                return Affine(const=d.const)
            if nm in self.macros:
                return Affine(const=self.macros[nm])
            return Affine.var(nm)
        if t in ("parenthesized_expression",):
            kids = node.named_children
            return self.affine(kids[0], indices) if len(kids) == 1 else None
        if t == "call_expression" and _is_thread_num_call(self.text(node)):
            return Affine.var(THREAD_NUM_SYMBOL)
        if t in ("unary_expression",):
            op = node.child_by_field_name("operator")
            arg = node.child_by_field_name("argument") or (
                node.named_children[-1] if node.named_children else None
            )
            a = self.affine(arg, indices)
            if a is None:
                return None
            o = self.text(op) if op is not None else self.text(node)[:1]
            return -a if o == "-" else a if o == "+" else None
        if t in ("binary_expression", "math_expression"):
            op = node.child_by_field_name("operator")
            o = self.text(op) if op is not None else ""
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            la, ra = self.affine(left, indices), self.affine(right, indices)
            if o in ("+", "-"):
                if la is None or ra is None:
                    return self.atom(node, indices)
                return la + ra if o == "+" else la - ra
            if o == "*":
                if la is not None and ra is not None:
                    if la.is_const:
                        return ra.scale(la.const)
                    if ra.is_const:
                        return la.scale(ra.const)
                return self.atom(node, indices)
            if o in ("/", "%", "<<", ">>"):
                if la is not None and ra is not None and la.is_const and ra.is_const and ra.const != 0:
                    v = {
                        "/": int(la.const / ra.const),
                        "%": la.const % ra.const,
                        "<<": la.const << max(ra.const, 0),
                        ">>": la.const >> max(ra.const, 0),
                    }[o]
                    return Affine(const=v)
                return self.atom(node, indices)
            return None
        return self.atom(node, indices)

    def atom(self, node: Node, indices: set[str] | None) -> Affine | None:
        """An opaque symbol for a loop-invariant subexpression (``n/2``); None when it involves an index."""
        if indices is None:
            return None
        for d in _descendants(node):
            if d.type == "identifier" and self.name(d) in indices:
                return None
            if d.type in (
                "subscript_expression",
                "call_expression",
                "field_expression",
                "pointer_expression",
                "assignment_expression",
                "update_expression",
            ):
                return None
        return Affine.var(
            re.sub(r"\s+", "", self.text(node)).lower()
            if self.fortran
            else re.sub(r"\s+", "", self.text(node))
        )

    def poly(self, node: Node | None, indices: set[str]) -> Poly | None:
        """Polynomial form (degree <= 2) of an expression that is not affine (``i*m + j``)."""
        if node is None:
            return None
        t = node.type
        if t in ("parenthesized_expression",):
            kids = node.named_children
            return self.poly(kids[0], indices) if len(kids) == 1 else None
        if t in ("binary_expression", "math_expression"):
            op = node.child_by_field_name("operator")
            o = self.text(op) if op is not None else ""
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if o in ("+", "-", "*"):
                lp_, rp = self.poly(left, indices), self.poly(right, indices)
                if lp_ is None or rp is None:
                    return None
                res = lp_ + rp if o == "+" else lp_ - rp if o == "-" else lp_ * rp
                return res if res.degree <= 2 else None
        if t == "unary_expression":
            arg = node.child_by_field_name("argument") or (
                node.named_children[-1] if node.named_children else None
            )
            op = node.child_by_field_name("operator")
            o = self.text(op) if op is not None else self.text(node)[:1]
            inner = self.poly(arg, indices)
            if inner is None or o not in ("-", "+"):
                return None
            return inner.scale(-1) if o == "-" else inner
        a = self.affine(node, indices)
        return Poly.of_affine(a) if a is not None else None

    def enclosing_conditional(self, node: Node) -> bool:
        """True when node sits under an if/conditional inside the innermost enclosing loop body."""
        limit = self.loop_stack[-1].node.start_byte if self.loop_stack else -1
        p = node.parent
        while p is not None and p.start_byte > limit:
            if p.type in (
                "if_statement",
                "conditional_expression",
                "case_statement",
                "elseif_clause",
                "else_clause",
                "switch_statement",
                "where_statement",
                "while_statement",
            ):
                return True
            if p.type in ("binary_expression", "logical_expression") and self.text(
                p.child_by_field_name("operator") or p
            ) in ("&&", "||", ".and.", ".or."):
                return True
            p = p.parent
        return False

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
    ) -> Access:
        self.order += 1
        # pointer aliases: p[k] with p = a + off becomes a[k + off]
        hops = 0
        while self.func is not None and base in self.func.aliases and name == base and hops < 4:
            tgt, off = self.func.aliases[base]  # followed through chains: q = p + 12 with p = a
            hops += 1
            if tgt == "?":
                break
            if subs and subs[0] is not None:
                subs = [subs[0] + off, *subs[1:]]
            name = base = tgt
        acc = Access(
            name,
            base,
            kind,
            subs,
            self.src.node_span(node),
            node,
            stmt,
            self.func,
            self.order,
            in_call=in_call,
            update_op=update_op,
            indirect=indirect,
            conditional=self.enclosing_conditional(node),
            text=self.text(node),
        )
        if kind == "W" and update_op is not None and stmt is not None:
            # the read of ``x`` in ``x = x + e`` belongs to the same update
            for prev in reversed(self.accesses[-12:]):
                if (
                    prev.stmt is not None
                    and prev.stmt.id == stmt.id
                    and prev.name == name
                    and prev.kind == "R"
                ):
                    if prev.subscripts == subs and prev.update_op is None:
                        prev.update_op = update_op
        self.accesses.append(acc)
        if self.func is not None:
            self.func.accesses.append(acc)
        for lp in self.loop_stack:
            lp.accesses.append(acc)
        return acc

    def write_access(self, node: Node, name: str, stmt: Node | None) -> None:
        self.add_access(node, name, name, "W", [], stmt)

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

    # C ---------------------------------------------------------------------------------
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
                txt = re.sub(r"\s+", "", self.text(n))
                txt = re.sub(r"\[[^\]]*\]", "[]", txt)
                return txt, self.text(base), inner + idx
            return None
        if n.type == "pointer_expression" and self.text(n).lstrip().startswith("*"):
            arg = n.child_by_field_name("argument")
            if arg is not None and arg.type == "identifier":
                nm = self.text(arg)
                return nm, nm, [None]  # *p == p[0]
        return None

    def c_access(
        self, node: Node, stmt: Node | None, kind: str, update_op: str | None, in_call: str | None
    ) -> bool:
        lv = self.c_lvalue(node)
        if lv is None:
            return False
        name, base, idx = lv
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
                d.type in ("subscript_expression", "call_expression") for d in _descendants(i)
            ):
                indirect = True
            subs.append(a)
            polys.append(self.poly(i, inds) if a is None else None)
        if self.func is not None and base in self.func.aliases and name == base and polys and polys[0]:
            tgt, off = self.func.aliases[base]
            polys[0] = polys[0] + Poly.of_affine(off) if tgt != "?" else None
        if kind in ("R", "RW"):
            self.add_access(
                node, name, base, "R", subs, stmt, indirect, in_call, update_op if kind == "RW" else None
            ).polys = polys
        if kind in ("W", "RW"):
            self.add_access(node, name, base, "W", subs, stmt, indirect, in_call, update_op).polys = polys
        for i in idx:
            if i is not None:
                self.c_expr(i, stmt, "R", None, None)
        # a pointer dereference reads the pointer; a field access of a pointer reads it too
        if node.type == "field_expression" and "->" in self.text(node):
            pass
        return True

    def c_expr(
        self, node: Node, stmt: Node | None, kind: str, update_op: str | None, in_call: str | None
    ) -> None:
        t = node.type
        while t == "parenthesized_expression" and kind != "R" and node.named_child_count == 1:
            node = node.named_children[0]  # ``(*p)++``: the write goes to what the parentheses hold
            t = node.type
        if t in ("identifier", "subscript_expression", "field_expression") or (
            t == "pointer_expression" and self.text(node).lstrip().startswith("*")
        ):
            if t == "identifier" and self.text(node) in self.macros:
                return
            if self.c_access(node, stmt, kind, update_op, in_call):
                return
        if t == "assignment_expression":
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
            return
        if t == "update_expression":
            arg = node.child_by_field_name("argument")
            op = self.text(node.child_by_field_name("operator") or node)
            if arg is not None:
                self.c_expr(arg, stmt, "RW", "+" if "+" in op else "-", None)
            return
        if t == "call_expression":
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
            return
        if t in (
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
        ):
            return
        if t == "pointer_expression":  # &x outside a call: address taken, not an access by itself
            arg = node.child_by_field_name("argument")
            if arg is not None and arg.type == "subscript_expression":
                lv = self.c_lvalue(arg)
                for i in lv[2] if lv else []:
                    if i is not None:
                        self.c_expr(i, stmt, "R", None, None)
            return
        if t == "field_identifier":
            return
        if t == "compound_statement" or t.endswith("_statement") or t == "declaration":
            self.stmt(node)
            return
        for c in node.named_children:
            self.c_expr(c, stmt, "R", None, in_call)

    def self_update(self, left: Node, right: Node) -> str | None:
        """``x = x op e`` (or ``x = e op x`` for commutative ops) -> op."""
        lt = re.sub(r"\s+", "", self.text(left)).lower()
        r = right
        while r.type == "parenthesized_expression" and len(r.named_children) == 1:
            r = r.named_children[0]
        if r.type in ("binary_expression", "math_expression"):
            op = self.text(r.child_by_field_name("operator") or r)
            a, b = r.child_by_field_name("left"), r.child_by_field_name("right")
            at = re.sub(r"\s+", "", self.text(a)).lower() if a is not None else ""
            bt = re.sub(r"\s+", "", self.text(b)).lower() if b is not None else ""
            op = op.lower()
            if at == lt and not _mentions(b, lt, self):
                return op
            if (
                bt == lt
                and op in ("+", "*", "&", "|", "^", "&&", "||", ".and.", ".or.")
                and not _mentions(a, lt, self)
            ):
                return op
            # x = x + a + b  (left-assoc: ((x + a) + b))
            if a is not None and op in ("+", "-") and a.type in ("binary_expression", "math_expression"):
                inner = self.self_update(left, a)
                if inner in ("+", "-") and not _mentions(b, lt, self):
                    return "+"
        if r.type == "call_expression" and not self.fortran:
            fn = r.child_by_field_name("function")
            fname = self.text(fn) if fn is not None else ""
            args = r.child_by_field_name("arguments")
            if fname in ("fmax", "fmaxf", "max", "MAX", "fmin", "fminf", "min", "MIN") and args is not None:
                ats = [re.sub(r"\s+", "", self.text(x)) for x in args.named_children]
                if lt in ats:
                    return "max" if "max" in fname.lower() else "min"
        if r.type == "call_expression" and self.fortran:
            fn = r.named_children[0] if r.named_children else None
            fname = self.name(fn) if fn is not None else ""
            args = r.named_children[1] if len(r.named_children) > 1 else None
            if fname in ("max", "min") and args is not None:
                ats = [re.sub(r"\s+", "", self.text(x)).lower() for x in args.named_children]
                if lt in ats:
                    return fname
        return None

    # Fortran -----------------------------------------------------------------------------
    def f_is_array(self, name: str) -> bool:
        d = (self.func.decls.get(name) if self.func is not None else None) or self.globals.get(name)
        if d is not None:
            return d.is_array or d.is_pointer or (d.storage == "param" and name not in F_INTRINSICS)
        return False

    def f_known_var(self, name: str) -> bool:
        return (
            (self.func is not None and name in self.func.decls) or name in self.globals
        ) and name not in F_INTRINSICS

    def f_assignment(self, node: Node) -> None:
        left = node.child_by_field_name("left") or (node.named_children[0] if node.named_children else None)
        right = node.child_by_field_name("right") or (
            node.named_children[-1] if len(node.named_children) > 1 else None
        )
        if right is not None:
            self.f_expr(right, node, "R", None, None)
        if left is not None and right is not None:
            upd = self.self_update(left, right)
            self.f_expr(left, node, "W", upd, None)
        if left is not None and right is not None and self.func is not None and left.type == "identifier":
            # thread ids: tid = omp_get_thread_num()
            pass

    def f_lvalue(self, node: Node) -> tuple[str, str, list[Node]] | None:
        if node.type == "identifier":
            nm = self.name(node)
            return nm, nm, []
        if node.type == "derived_type_member_expression":
            base = node.named_children[0] if node.named_children else None
            while base is not None and base.type in ("derived_type_member_expression", "call_expression"):
                base = base.named_children[0] if base.named_children else None
            if base is not None and base.type == "identifier":
                return (
                    re.sub(r"\([^)]*\)", "", re.sub(r"\s+", "", self.text(node))).lower(),
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

    def f_access(
        self, node: Node, stmt: Node | None, kind: str, update_op: str | None, in_call: str | None
    ) -> bool:
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
        subs: list[Affine | None] = []
        polys: list[Poly | None] = []
        indirect = False
        inds = self.loop_indices()
        for i in idx or []:
            if i.type in ("array_slice", "slice", "extent_specifier") or ":" in self.text(i):
                subs.append(None)
                polys.append(None)
                continue
            if i.type == "keyword_argument":
                subs.append(None)
                polys.append(None)
                continue
            a = self.affine(i, inds)
            polys.append(self.poly(i, inds) if a is None else None)
            if a is None and any(
                d.type == "call_expression"
                and d.named_children
                and self.f_is_array(self.name(d.named_children[0]))
                for d in _descendants(i)
            ):
                indirect = True
            subs.append(a)
        if kind in ("R", "RW"):
            self.add_access(
                node, name, base, "R", subs, stmt, indirect, in_call, update_op if kind == "RW" else None
            ).polys = polys
        if kind in ("W", "RW"):
            self.add_access(node, name, base, "W", subs, stmt, indirect, in_call, update_op).polys = polys
        for i in idx or []:
            self.f_expr(i, stmt, "R", None, None)
        return True

    def f_expr(
        self, node: Node, stmt: Node | None, kind: str, update_op: str | None, in_call: str | None
    ) -> None:
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
        for c in node.named_children:
            self.f_expr(c, stmt, "R", None, in_call)

    def f_call(self, node: Node, stmt: Node) -> None:
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
        intents = self._intents.get(fname) if hasattr(self, "_intents") else None
        if intents is None:
            intents = self.f_intents_of(fname)
        for k, a in enumerate(args.named_children):
            intent = intents[k] if intents is not None and k < len(intents) else None
            kind = "W" if intent in ("out",) else "RW" if intent in ("inout",) else "R"
            if intent is None and intents is not None:
                kind = "RW"  # visible definition with no intent: assume it may write
            self.f_expr(a, stmt, kind, None, fname)

    def f_intents_of(self, fname: str) -> list[str | None] | None:
        """Intents of a subroutine defined in this file (None when not visible)."""
        cache = self.src.cache.setdefault("_f_intents", {})
        if fname in cache:
            return cache[fname]
        res = None
        root = self.src.tree.root_node
        for n in _descendants(root):
            if n.type == "subroutine":
                st = n.named_children[0] if n.named_children else None
                nm = st.child_by_field_name("name") if st is not None else None
                if st is None or nm is None or self.name(nm) != fname:
                    continue
                params = st.child_by_field_name("parameters")
                names = (
                    [self.name(p) for p in params.named_children if p.type == "identifier"] if params else []
                )
                intents: dict[str, str] = {}
                for c in n.named_children:
                    if c.type == "variable_declaration":
                        for d in self.f_declaration(c):
                            if d.intent:
                                intents[d.name] = d.intent
                res = [intents.get(p) for p in names]
                break
        cache[fname] = res
        return res

    def find_thread_ids(self, f: Function) -> None:
        """Variables assigned once from omp_get_thread_num() in the function (and the call itself)."""
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


_GUARD_EQ = re.compile(r"^\(*\s*([A-Za-z_]\w*)\s*(?:==|\.eq\.)\s*([-+]?\d+)\s*\)*$", re.I)
_GUARD_EQ_REV = re.compile(r"^\(*\s*([-+]?\d+)\s*(?:==|\.eq\.)\s*([A-Za-z_]\w*)\s*\)*$", re.I)


def index_guard(access: Access, index: str, stop: int = -1) -> int | None:
    """The constant ``c`` when ``access`` only runs under ``if (index == c)`` (else None).

    Looks at the ``if`` statements enclosing the access (below byte ``stop``, e.g. the loop's start):
    the access must be in the *then* branch and the condition must be ``index == c`` or a
    conjunction (``&&`` / ``.and.``) containing it. Case-insensitive for Fortran."""
    node = access.node
    p = node.parent
    while p is not None and p.start_byte > stop:
        if p.type == "if_statement":
            cond = p.child_by_field_name("condition")
            if cond is None:
                cond = next((c for c in p.named_children if c.type == "parenthesized_expression"), None)
            alt = p.child_by_field_name("alternative")
            in_else = any(
                c.start_byte <= node.start_byte < c.end_byte
                for c in p.named_children
                if c.type in ("else_clause", "elseif_clause") or (alt is not None and c.id == alt.id)
            )
            if cond is not None and not in_else and not (cond.start_byte <= node.start_byte < cond.end_byte):
                text = cond.text.decode("utf-8", "replace") if cond.text else ""
                text = text.strip()
                while text.startswith("(") and text.endswith(")") and text.count("(") == text.count(")"):
                    inner = text[1:-1]
                    if inner.count("(") != inner.count(")"):
                        break
                    text = inner.strip()
                for part in re.split(r"&&|\.and\.", text, flags=re.I):
                    m = _GUARD_EQ.match(part.strip())
                    if m and m.group(1).lower() == index.lower():
                        return int(m.group(2))
                    m = _GUARD_EQ_REV.match(part.strip())
                    if m and m.group(2).lower() == index.lower():
                        return int(m.group(1))
        p = p.parent
    return None


#: The symbol an ``omp_get_thread_num()`` call stands for inside an affine subscript (``a[omp_get_thread_num()]``).
THREAD_NUM_SYMBOL = "omp_get_thread_num()"


def _squash(text: str) -> str:
    """Text without blanks or enclosing parentheses (to compare the operands of a min expression)."""
    t = re.sub(r"\s+", "", text)
    while t.startswith("(") and t.endswith(")"):
        t = t[1:-1]
    return t.lower()


def _is_thread_num_call(text: str) -> bool:
    return re.fullmatch(r"(?i)\s*omp_get_thread_num\s*\(\s*\)\s*", text) is not None


def _mentions(node: Node | None, name: str, b: _Builder) -> bool:
    if node is None:
        return False
    for d in _descendants(node):
        if d.type in ("identifier", "subscript_expression", "call_expression", "field_expression"):
            if re.sub(r"\s+", "", b.text(d)).lower() == name:
                return True
    return False


def _descendants(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.named_children))


# --------------------------------------------------------------------------------------------
# Binding directives to code


LOOP_WORDS = {"for", "do", "simd", "taskloop", "distribute", "loop"}
#: Constructs that need a matching ``!$omp end`` in Fortran (block constructs).
F_BLOCK = {
    "parallel",
    "single",
    "master",
    "masked",
    "critical",
    "task",
    "taskgroup",
    "sections",
    "parallel sections",
    "ordered",
    "target",
    "target data",
    "teams",
    "target teams",
    "workshare",
    "parallel workshare",
    "atomic",
    "section",
    "scope",
    "target parallel",
    "target teams parallel",
    "parallel master",
    "parallel masked",
}
STANDALONE = {
    "barrier",
    "taskwait",
    "taskyield",
    "flush",
    "threadprivate",
    "target update",
    "target enter data",
    "target exit data",
    "cancel",
    "cancellation point",
    "declare target",
    "end declare target",
    "scan",
    "depobj",
    "declare simd",
    "declare reduction",
    "requires",
    "error",
    "nothing",
    "declare variant",
    "allocate",
}


def is_loop_construct(name: str) -> bool:
    """True for directives that apply to a loop nest (``parallel for``, ``do simd``, ``taskloop``...)."""
    words = name.split()
    return bool(words) and words[-1] in LOOP_WORDS or name.endswith("do simd") or name.endswith("for simd")


def _line_starts(src: SourceFile) -> list[int]:
    return src._line_byte_starts  # noqa: SLF001 - shared helper of SourceFile


def _statement_after_line(src: SourceFile, line: int) -> Node | None:
    """The statement starting on the first code line after ``line`` (comments and directives skipped)."""
    lines = src.lines
    starts = _line_starts(src)
    fortran = src.language == "fortran"
    for ln in range(line + 1, min(len(lines), line + 200)):
        s = lines[ln].strip()
        if not s:
            continue
        low = s.lower()
        if fortran and (s.startswith("!") or (src.fixed_form and low[:1] in ("c", "*"))):
            continue
        if not fortran and (s.startswith("//") or s.startswith("/*") or s.startswith("#")):
            continue
        col = len(lines[ln]) - len(lines[ln].lstrip())
        byte = starts[ln] + len(lines[ln][:col].encode("utf-8"))
        node = src.tree.root_node.descendant_for_byte_range(byte, byte)
        if node is None:
            return None
        while (
            node.parent is not None
            and node.parent.start_byte == node.start_byte
            and node.parent.type
            not in (
                F_UNIT_TYPES | {"translation_unit", "module", "internal_procedures", "function_definition"}
            )
        ):
            node = node.parent
        # skip leaf labels: climb to the statement
        return node
    return None


def _bind_constructs(
    src: SourceFile, dirs: list[directives_mod.Directive], loops: list[Loop]
) -> list[Construct]:
    """Create Constructs: each directive with the byte extent of the code it applies to."""
    starts = _line_starts(src)
    fortran = src.language == "fortran"
    nlines = len(starts)

    def line_byte(ln: int) -> int:
        return starts[ln] if ln < nlines else len(src.data)

    loop_by_node = {lp.node.id: lp for lp in loops}
    out: list[Construct] = []
    pending: list[Construct] = []  # Fortran block constructs awaiting their end
    for k, d in enumerate(dirs):
        name = d.name
        if not name:
            continue
        dspan = d.span
        c = Construct(d, name, 0, 0, dspan)
        c.span_byte = line_byte(d.first_line)
        if fortran and d.is_end:
            base = name[4:]
            for j in range(len(pending) - 1, -1, -1):
                if (
                    pending[j].name == base
                    or (base == "sections" and pending[j].name == "sections")
                    or (pending[j].name.replace(" ", "") == base.replace(" ", ""))
                ):
                    pc = pending.pop(j)
                    if not pc.loops:
                        pc.end = line_byte(d.first_line)
                    pc.end_directive = d
                    # close inner sections too
                    break
            else:
                # end of a loop construct (end do / end parallel do): attach to the last loop construct
                for prev in reversed(out):
                    if prev.loops and prev.name == base and prev.end_directive is None:
                        prev.end_directive = d
                        break
            continue
        if (
            name in STANDALONE
            or (name == "ordered" and d.clause("depend") is not None)
            or name.startswith("declare")
        ):
            c.start = c.end = line_byte(d.last_line + 1)
            out.append(c)
            continue
        if is_loop_construct(name):
            st = _statement_after_line(src, d.last_line)
            lp = loop_by_node.get(st.id) if st is not None else None
            if lp is None and st is not None:
                # the statement may wrap the loop (labelled do etc.)
                for cand in loops:
                    if cand.node.start_byte == st.start_byte:
                        lp = cand
                        break
            if lp is None:
                continue
            c.start, c.end, c.loop, c.stmt = lp.node.start_byte, lp.node.end_byte, lp, lp.node
            n = 1
            # collapse(n), and ordered(n) (doacross): the n outermost loops are associated with the construct
            for word in ("collapse", "ordered"):
                col = d.clause(word)
                if col is not None and col.args:
                    try:
                        n = max(n, int(col.args.strip()))
                    except ValueError:
                        pass
            cur: Loop | None = lp
            while cur is not None and len(c.loops) < n:
                c.loops.append(cur)
                cur = cur.children[0] if len(cur.children) >= 1 else None
            if lp.construct is None:
                lp.construct = c
            out.append(c)
            continue
        if (
            fortran
            and (name in F_BLOCK or name.split()[0] in ("parallel", "target", "teams", "critical", "task"))
            and not (name == "atomic" and not _has_end_atomic(dirs, k))
        ):
            if name == "section":
                # a section ends at the next section / end sections
                for pc in reversed(pending):
                    if pc.name == "section":
                        pc.end = line_byte(d.first_line)
                        pending.remove(pc)
                        break
            c.start = line_byte(d.last_line + 1)
            c.end = len(src.data)
            pending.append(c)
            if name == "section":
                pass
            out.append(c)
            continue
        if fortran and name == "end sections":
            continue
        st = _statement_after_line(src, d.last_line)
        if st is None:
            continue
        c.start, c.end, c.stmt = st.start_byte, st.end_byte, st
        if not fortran and name == "sections":
            pass
        out.append(c)
    # Fortran: sections still pending when their "end sections" closed the enclosing sections
    for pc in pending:
        if pc.name == "section":
            enc = [
                o for o in out if o.name in ("sections", "parallel sections") and o.start <= pc.start < o.end
            ]
            if enc:
                pc.end = min(e.end for e in enc)
    for c in out:
        if c.end < c.start:
            c.end = c.start
    # tree of constructs
    out.sort(key=lambda c: (c.start, -(c.end - c.start)))
    for i, c in enumerate(out):
        best = None
        for o in out:
            if o is c or o.standalone:
                continue
            if o.start <= c.start and c.end <= o.end and (o.end - o.start) >= (c.end - c.start):
                if (o.end - o.start) == (c.end - c.start) and out.index(o) > i:
                    continue
                if best is None or (o.end - o.start) <= (best.end - best.start):
                    best = o  # on equal extents the later directive is the inner one
        if c.standalone:
            best = None
            for o in out:
                if not o.standalone and o.start <= c.start < o.end:
                    if best is None or (o.end - o.start) <= (best.end - best.start):
                        best = o
        c.parent = best
        if best is not None:
            best.children.append(c)
    return out


def _has_end_atomic(dirs: list[directives_mod.Directive], k: int) -> bool:
    for d in dirs[k + 1 : k + 3]:
        if d.name == "end atomic":
            return True
        if d.name != "end atomic":
            return False
    return False
