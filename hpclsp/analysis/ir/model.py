"""The IR's objects: declarations, accesses, loops, OpenMP constructs, functions and the file.

Plain data bound to tree-sitter nodes; ``build.py`` fills them in, the analyses only read them.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from typing import TYPE_CHECKING

from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.ir.affine import Poly
from hpclsp.analysis.openmp import model as directives_mod
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.treeutil import then_conditions
from hpclsp.analysis.values.affine import Affine

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


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
    #: the file whose ``node_span`` of ``node`` gives ``span`` when it was built as ``PENDING_SPAN``
    src: SourceFile | None = dataclasses.field(default=None, repr=False, compare=False)

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


#: The ``span`` an access is built with when its ``src`` computes it on first read
PENDING_SPAN = Span(Pos(-1, -1), Pos(-1, -1))


class _NodeSpan:
    """``Access.span`` behind a descriptor: an access built with ``PENDING_SPAN`` and its ``src``
    computes the span of its node on first read. Few accesses are ever asked for their span (the
    reported ones), and the three position objects per access cost the walk and the collector."""

    def __get__(self, obj: Access | None, owner: type | None = None) -> Span:
        if obj is None:
            return PENDING_SPAN
        span: Span = getattr(obj, "_span")  # noqa: B009 - an attribute only this descriptor declares
        if span is PENDING_SPAN and obj.src is not None:
            span = obj.src.node_span(obj.node)
            setattr(obj, "_span", span)  # noqa: B010
        return span

    def __set__(self, obj: Access, value: Span) -> None:
        setattr(obj, "_span", value)  # noqa: B010


# after ``dataclass`` made ``span`` an ``__init__`` parameter: its assignment goes through the descriptor
setattr(Access, "span", _NodeSpan())  # noqa: B010 - on purpose: mypy keeps the field's declared type


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

    def break_cycles(self) -> None:
        """Break the IR's reference cycles (parents and children, back-references to functions,
        loops and constructs, the source's cache holding the IR) once its analysis is done, so that
        reference counting frees it when it is dropped instead of the cyclic garbage collector,
        which would otherwise scan it again and again. Only for an IR nobody reads afterwards; the
        accesses a caller kept (in races) keep their own fields."""
        for f in self.functions:
            f.loops, f.accesses, f.constructs = [], [], []
        for lp in self.loops:
            lp.parent, lp.construct, lp.func = None, None, None
            lp.children, lp.accesses = [], []
            _drop_memos(lp)
        for c in self.constructs:
            c.parent, c.loop = None, None
            c.children, c.loops = [], []
            _drop_memos(c)
        _drop_memos(self)
        self.functions, self.loops, self.accesses, self.constructs = [], [], [], []
        self.source.cache.clear()

    def function_at(self, byte: int) -> Function | None:
        """The function containing a byte offset (the outermost one, for nested Fortran units)."""
        outer = self._outermost()
        if outer is None:
            return next((f for f in self.functions if f.node.start_byte <= byte < f.node.end_byte), None)
        k = bisect.bisect_right(outer[0], byte) - 1
        if k >= 0 and byte < outer[1][k].node.end_byte:
            return outer[1][k]
        return None

    def _outermost(self) -> tuple[list[int], list[Function]] | None:
        """The functions not nested in another, with their starts (built once); None when the
        functions are not in document order (then the first one containing a byte is searched)."""
        got = self.__dict__.get("_outer_index")
        if got is None or got[1] != len(self.functions):
            starts: list[int] = []
            outer: list[Function] = []
            ordered = True
            for f in self.functions:
                if outer and f.node.start_byte < outer[-1].node.start_byte:
                    ordered = False
                    break
                if not outer or f.node.start_byte >= outer[-1].node.end_byte:
                    starts.append(f.node.start_byte)
                    outer.append(f)
            got = ((starts, outer) if ordered else None, len(self.functions))
            self.__dict__["_outer_index"] = got
        return got[0]

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


_GUARD_EQ = re.compile(r"^\(*\s*([A-Za-z_]\w*)\s*(?:==|\.eq\.)\s*([-+]?\d+)\s*\)*$", re.I)
_GUARD_EQ_REV = re.compile(r"^\(*\s*([-+]?\d+)\s*(?:==|\.eq\.)\s*([A-Za-z_]\w*)\s*\)*$", re.I)


def index_guard(access: Access, index: str, stop: int = -1) -> int | None:
    """The constant ``c`` when ``access`` only runs under ``if (index == c)`` (else None).

    Looks at the ``if`` statements enclosing the access (below byte ``stop``, e.g. the loop's start):
    the access must be in the *then* branch and the condition must be ``index == c`` or a
    conjunction (``&&`` / ``.and.``) containing it. Case-insensitive for Fortran."""
    for _, cond in then_conditions(access.node, stop):
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
    return None


def _drop_memos(obj: object) -> None:
    """Forget the results an analysis memoised on an IR object (``__dict__`` entries named ``_*``,
    such as a loop's map of the loops by index, which holds the loop itself, or a construct's
    data-sharing facts, which refer back to the construct)."""
    memo = obj.__dict__
    for k in [k for k in memo if k.startswith("_")]:
        del memo[k]
