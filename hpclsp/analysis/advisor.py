"""Parallelization advisor: per-loop verdicts, clause synthesis, pragma text and the edits that insert it.

Built on the shared IR (``loops.build_ir``) and dependence tests (``dependence.test``); the scalar
analyses the IR does not provide (definition before use in every iteration, liveness after the
loop, reduction patterns, side effects of calls) live here.

For every loop of a file, ``advise(source)`` returns a ``LoopAdvice``: whether its iterations are
independent under the listed clauses (``parallelizable``), whether the tool would insert a pragma
there (``suggested``: the outermost profitable parallelizable loop of a nest, never inside an
existing parallel region, never a loop with a trivially small constant trip count), the pragma,
and a reason naming the dependence that prevents parallelization. Every suggestion is vetted: the
pragma is applied to the text and the race checker (``omp-race*``) runs on the result; a suggestion
that produces a race finding is withdrawn.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import TYPE_CHECKING, Any

from hpclsp.analysis import dependence
from hpclsp.analysis.findings import Edit, Pos, Span, apply_edits
from hpclsp.analysis.loops import F_INTRINSICS, Access, Affine, Decl, FileIR, Function, Loop, build_ir
from hpclsp.analysis.source import SourceFile

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node

log = logging.getLogger(__name__)

#: A loop whose constant trip count is at most this is not worth a parallel region.
SMALL_TRIP = 16
#: Fortran free-form line limit (directives longer than this are continued with ``&``).
F_FREE_LIMIT = 132
F_FIXED_LIMIT = 72

#: C library functions without side effects on shared state (math and pure helpers).
C_PURE = frozenset(
    """sqrt sqrtf sqrtl cbrt exp expf exp2 expm1 log logf log2 log10 log1p pow powf sin sinf cos cosf tan tanf
    asin acos atan atan2 sinh cosh tanh asinh acosh atanh fabs fabsf fabsl abs labs llabs floor floorf ceil ceilf
    round roundf lround trunc fmod fmodf fmax fmaxf fmin fminf fma hypot erf erfc tgamma lgamma copysign
    isnan isinf isfinite signbit nearbyint rint ldexp frexp min max MIN MAX""".split()
)
#: C calls that do I/O.
C_IO = frozenset(
    """printf fprintf sprintf snprintf puts fputs putchar fputc putc scanf fscanf sscanf fopen fclose fread fwrite
    fgets getchar getc fgetc fflush perror write read open close""".split()
)
#: C calls with hidden state (random generators, allocation, time, process control).
C_HIDDEN = frozenset(
    """rand srand random srandom drand48 lrand48 rand_r malloc calloc realloc free time clock exit abort
    strtok getenv setenv system sleep usleep""".split()
)
#: Fortran statements that do I/O.
F_IO_NODES = frozenset(
    {
        "print_statement",
        "write_statement",
        "read_statement",
        "open_statement",
        "close_statement",
        "inquire_statement",
        "backspace_statement",
        "rewind_statement",
        "flush_statement",
    }
)
#: Fortran intrinsics with side effects.
F_IMPURE_INTRINSICS = frozenset(
    {
        "random_number",
        "random_seed",
        "cpu_time",
        "system_clock",
        "date_and_time",
        "execute_command_line",
        "get_command_argument",
    }
)

C_CONDITIONAL_NODES = frozenset(
    {
        "if_statement",
        "conditional_expression",
        "switch_statement",
        "case_statement",
        "for_statement",
        "while_statement",
        "do_statement",
        "for_range_loop",
        "else_clause",
    }
)
F_CONDITIONAL_NODES = frozenset(
    {
        "if_statement",
        "elseif_clause",
        "else_clause",
        "do_loop",
        "where_statement",
        "select_case_statement",
        "case_statement",
        "block_construct",
    }
)

#: Reduction operators as written in an update, mapped to the OpenMP reduction identifier.
C_REDUCTION_OPS = {
    "+": "+",
    "-": "+",
    "*": "*",
    "&": "&",
    "|": "|",
    "^": "^",
    "&&": "&&",
    "||": "||",
    "max": "max",
    "min": "min",
}
F_REDUCTION_OPS = {
    "+": "+",
    "-": "+",
    "*": "*",
    ".and.": ".and.",
    ".or.": ".or.",
    ".eqv.": ".eqv.",
    ".neqv.": ".neqv.",
    "max": "max",
    "min": "min",
    "iand": "iand",
    "ior": "ior",
    "ieor": "ieor",
}


@dataclasses.dataclass
class Blocker:
    """Why a loop cannot be parallelized: a message and (when known) the two conflicting accesses."""

    message: str
    first: Span | None = None
    second: Span | None = None
    first_text: str = ""
    second_text: str = ""
    first_kind: str = ""
    second_kind: str = ""


@dataclasses.dataclass
class LoopAdvice:
    """The advisor's verdict on one loop."""

    loop: Loop
    path: str
    language: str
    parallelizable: bool = False
    suggested: bool = False
    inside_parallel_region: bool = False
    small: bool = False
    simd: bool = False
    pragma: str | None = None
    end_pragma: str | None = None
    private: list[str] = dataclasses.field(default_factory=list)
    firstprivate: list[str] = dataclasses.field(default_factory=list)
    lastprivate: list[str] = dataclasses.field(default_factory=list)
    reduction: list[str] = dataclasses.field(default_factory=list)
    collapse: int | None = None
    schedule: str | None = None
    schedule_reason: str = ""
    reason: str = ""
    blockers: list[Blocker] = dataclasses.field(default_factory=list)
    #: Loops folded into this one by collapse (inner loops of a perfect nest).
    collapsed: list[Loop] = dataclasses.field(default_factory=list)
    #: The suggested loop this one sits in (for inner loops), if any.
    outer: LoopAdvice | None = None
    #: Explanation of the clauses (one phrase per clause).
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def span(self) -> Span:
        """The loop statement's span."""
        return self.loop.span

    @property
    def keyword_span(self) -> Span:
        """The span of the loop keyword (``for``/``do``/``while``)."""
        return self.loop.keyword_span

    @property
    def title(self) -> str:
        """The code action title."""
        return f"Parallelize loop: {self.pragma}"

    def clause_tokens(self) -> set[str]:
        """Normalised clause set (``private:t``, ``reduction:+:s``, ``collapse:2``, ``schedule:dynamic``, ``simd``)."""
        out = {f"private:{v}" for v in self.private} | {f"lastprivate:{v}" for v in self.lastprivate}
        out |= {f"firstprivate:{v}" for v in self.firstprivate}
        out |= {f"reduction:{r}" for r in self.reduction}
        if self.collapse:
            out.add(f"collapse:{self.collapse}")
        if self.schedule:
            out.add(f"schedule:{self.schedule}")
        if self.simd:
            out.add("simd")
        return out

    def to_json(self, path: str | None = None) -> dict[str, Any]:
        """The SPEC §3 ``suggest --format json`` object (1-based lines and columns)."""
        return {
            "path": path or self.path,
            "line": self.span.start.line + 1,
            "column": self.span.start.col + 1,
            "end_line": self.span.end.line + 1,
            "language": self.language,
            "parallelizable": self.parallelizable,
            "suggested": self.suggested,
            "inside_parallel_region": self.inside_parallel_region,
            "pragma": self.pragma,
            "private": list(self.private),
            "firstprivate": list(self.firstprivate),
            "lastprivate": list(self.lastprivate),
            "reduction": list(self.reduction),
            "collapse": self.collapse,
            "schedule": self.schedule,
            "simd": self.simd,
            "reason": self.reason,
        }


# ---------------------------------------------------------------------------------------------
# Pragma text


def pragma_text(
    language: str,
    *,
    simd: bool = False,
    private: list[str] | tuple[str, ...] = (),
    lastprivate: list[str] | tuple[str, ...] = (),
    reduction: list[str] | tuple[str, ...] = (),
    collapse: int | None = None,
    schedule: str | None = None,
) -> str:
    """The directive text (C ``#pragma omp parallel for ...`` / Fortran ``!$omp parallel do ...``)."""
    fortran = language == "fortran"
    head = (
        ("!$omp simd" if simd else "!$omp parallel do")
        if fortran
        else ("#pragma omp simd" if simd else "#pragma omp parallel for")
    )
    parts = [head]
    if collapse and collapse > 1:
        parts.append(f"collapse({collapse})")
    if schedule:
        parts.append(f"schedule({schedule})")
    if private:
        parts.append(f"private({', '.join(private)})")
    if lastprivate:
        parts.append(f"lastprivate({', '.join(lastprivate)})")
    by_op: dict[str, list[str]] = {}
    for r in reduction:
        op, _, var = r.rpartition(":")
        by_op.setdefault(op, []).append(var)
    for op, vars_ in by_op.items():
        parts.append(f"reduction({op}:{', '.join(vars_)})")
    return " ".join(parts)


def end_pragma_text(language: str, simd: bool = False) -> str | None:
    """The Fortran end directive (None for C)."""
    if language != "fortran":
        return None
    return "!$omp end simd" if simd else "!$omp end parallel do"


# ---------------------------------------------------------------------------------------------
# Tree helpers


def _ancestors_until(node: Node, stop: Node) -> list[Node]:
    """Ancestors of node (excluding node) up to but excluding stop."""
    out = []
    p = node.parent
    while p is not None and p.id != stop.id:
        out.append(p)
        p = p.parent
    return out


def _lca(a: Node, b: Node) -> Node | None:
    ids = set()
    p: Node | None = a
    while p is not None:
        ids.add(p.id)
        p = p.parent
    q: Node | None = b
    while q is not None:
        if q.id in ids:
            return q
        q = q.parent
    return None


def _walk(node: Node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _unparen(s: str) -> str:
    """Drop parentheses that enclose the whole expression."""
    while s.startswith("(") and s.endswith(")"):
        depth = 0
        for k, ch in enumerate(s):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and k < len(s) - 1:
                return s
        s = s[1:-1]
    return s


# ---------------------------------------------------------------------------------------------
# The analysis


class _Advisor:
    """Computes the advice for every loop of one file."""

    def __init__(self, source: SourceFile) -> None:
        self.src = source
        self.fortran = source.language == "fortran"
        self.ir: FileIR = build_ir(source)
        self.cond_nodes = F_CONDITIONAL_NODES if self.fortran else C_CONDITIONAL_NODES
        self.red_ops = F_REDUCTION_OPS if self.fortran else C_REDUCTION_OPS
        self._purity: dict[str, str | None] = {}
        self.access_nodes = {a.node.id for a in self.ir.accesses}
        self._regions: list[tuple[int, int]] | None = None
        self._func_defs: dict[str, Function] = {}
        for f in self.ir.functions:
            self._func_defs.setdefault(f.name.lower() if self.fortran else f.name, f)

    def text(self, node: Node) -> str:
        return self.src.node_text(node)

    # -- per loop ---------------------------------------------------------------------------
    def body_accesses(self, lp: Loop) -> list[Access]:
        """Accesses inside the loop body (header accesses excluded)."""
        return [a for a in lp.accesses if lp.body_start <= a.node.start_byte < lp.body_end]

    def decl(self, name: str, byte: int, func: Function | None) -> Decl | None:
        """The declaration of a name seen from a byte in func (innermost function first, then the IR's lookup)."""
        if func is not None:
            best = None
            for d in func.all_decls.get(name, []):
                if d.scope_start <= byte < d.scope_end and (
                    best is None or d.scope_start >= best.scope_start
                ):
                    best = d
            if best is not None:
                return best
            if name in func.decls:
                return func.decls[name]
        return self.ir.decl(name, byte)

    def func_at(self, byte: int) -> Function | None:
        """The innermost function (internal procedures included) containing a byte."""
        best = None
        for f in self.ir.functions:
            if f.node.start_byte <= byte < f.node.end_byte and (
                best is None or f.node.start_byte >= best.node.start_byte
            ):
                best = f
        return best

    def is_array(self, a: Access) -> bool:
        if a.subscripts:
            return True
        d = self.decl(a.base, a.node.start_byte, a.func)
        return bool(d is not None and (d.is_array or (d.is_pointer and not self.fortran)))

    def decl_inside(self, name: str, lp: Loop, byte: int) -> bool:
        """True when name is declared in a C block inside the loop (hence private to each iteration)."""
        if self.fortran:
            return False
        d = self.decl(name, byte, lp.func)
        return (
            d is not None
            and d.storage not in ("static", "global", "param")
            and d.scope_start >= lp.node.start_byte
            and (d.scope_end <= lp.node.end_byte)
            and not (d.scope_start == lp.node.start_byte and name == lp.index)
        )

    def canonical(self, lp: Loop) -> str | None:
        """None when the loop is a counted loop OpenMP can distribute, else the reason."""
        if lp.kind == "while":
            return "while loop: the trip count is not known on entry"
        if lp.kind == "do while":
            return (
                "do while: the trip count is not known on entry"
                if self.fortran
                else "do-while loop: the trip count is not known on entry"
            )
        if lp.kind == "do concurrent":
            return None if lp.index else "do concurrent with several indices is not analysed"
        if lp.index is None:
            if lp.kind == "for" and not self.fortran:
                hdr = self.text(lp.node)[:80]
                if "->" in hdr or "next" in hdr:
                    return "pointer chasing: not a counted loop"
                return "not a counted loop (no integer index with a simple bound)"
            return "do loop without a loop control: exits by a condition"
        if lp.lower is None or lp.upper is None:
            why = self._bounds_problem(lp)
            if why:
                return why
        if lp.step is None:
            return "the loop step is not a constant"
        return None

    def _bounds_problem(self, lp: Loop) -> str | None:
        """Bounds that are not affine are fine when they cannot change during the loop."""
        if self.fortran:
            return None  # Fortran evaluates the bounds once, on entry
        cond = lp.node.child_by_field_name("condition")
        if cond is None or cond.type != "binary_expression":
            return "the loop condition is not a simple bound on the index"
        op = cond.child_by_field_name("operator")
        if op is None or self.text(op) not in ("<", "<=", ">", ">=", "!="):
            return "the loop condition is not a simple bound on the index"
        left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
        if left is None or right is None:
            return "the loop condition is not a simple bound on the index"
        bound = right if self.text(left) == lp.index else left if self.text(right) == lp.index else None
        if bound is None:
            return "the loop condition is not a simple bound on the index"
        names = {self.text(n) for n in _walk(bound) if n.type == "identifier"}
        for a in self.body_accesses(lp):
            if a.kind == "W" and a.base in names:
                return f"the loop bound depends on {a.base}, which the body changes"
        for n in _walk(bound):
            if n.type == "call_expression":
                return "the loop bound calls a function"
        return None

    def escapes(self, lp: Loop) -> str | None:
        """break/return/goto/exit/stop that leave the loop early."""
        body_nodes = self._body_nodes(lp)
        for root in body_nodes:
            for n in _walk(root):
                t = n.type
                if self.fortran:
                    if t == "keyword_statement" and self.text(n).strip().lower().startswith("exit"):
                        words = self.text(n).split()
                        if len(words) > 1 or not self._inside_inner_loop(n, lp):
                            return "exit leaves the loop early"
                    elif t in (
                        "stop_statement",
                        "return_statement",
                        "goto_statement",
                        "error_stop_statement",
                    ):
                        return f"{t.split('_')[0]} leaves the loop early"
                else:
                    if t == "break_statement" and not self._inside_inner_loop(n, lp, switch=True):
                        return "break leaves the loop early"
                    if t == "return_statement":
                        return "return leaves the loop early"
                    if t == "goto_statement":
                        return "goto may leave the loop"
                    if t == "call_expression":
                        fn = n.child_by_field_name("function")
                        if fn is not None and self.text(fn) in ("exit", "abort", "longjmp"):
                            return f"{self.text(fn)} leaves the loop"
        return None

    def _body_nodes(self, lp: Loop) -> list[Node]:
        if self.fortran:
            return [
                c for c in lp.node.named_children if c.type not in ("do_statement", "end_do_loop_statement")
            ]
        body = lp.node.child_by_field_name("body")
        return [body] if body is not None else []

    def _inside_inner_loop(self, n: Node, lp: Loop, switch: bool = False) -> bool:
        kinds = (
            {"do_loop"}
            if self.fortran
            else {"for_statement", "while_statement", "do_statement", "for_range_loop"}
        )
        if switch:
            kinds = kinds | {"switch_statement"}
        return any(p.type in kinds for p in _ancestors_until(n, lp.node))

    # -- calls ------------------------------------------------------------------------------
    def call_blockers(self, lp: Loop) -> list[Blocker]:
        out: list[Blocker] = []
        seen: set[str] = set()
        for root in self._body_nodes(lp):
            for n in _walk(root):
                t = n.type
                if self.fortran and t in F_IO_NODES:
                    word = t.split("_")[0]
                    if word not in seen:
                        seen.add(word)
                        out.append(Blocker(f"{word}: I/O", self.src.node_span(n)))
                    continue
                name = self._callee(n)
                if name is None or name in seen:
                    continue
                why = self.call_problem(name)
                if why:
                    seen.add(name)
                    out.append(Blocker(why, self.src.node_span(n)))
        return out

    def _callee(self, n: Node) -> str | None:
        if self.fortran:
            if n.type == "subroutine_call":
                sub = n.child_by_field_name("subroutine")
                return self.text(sub).lower() if sub is not None else None
            if n.type == "call_expression" and n.named_children:
                head = n.named_children[0]
                if head.type != "identifier":
                    return None
                nm = self.text(head).lower()
                if n.id in self.access_nodes:
                    return None  # the IR read it as an array element
                d = self.decl(nm, n.start_byte, self.func_at(n.start_byte))
                if d is not None and (d.is_array or d.is_pointer):
                    return None  # an array element, not a call
                if d is not None and not d.is_array and nm not in self._func_defs and nm not in F_INTRINSICS:
                    return None  # character substring or the like
                return nm
            return None
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "identifier":
                return self.text(fn)
            return "(indirect call)" if fn is not None else None
        return None

    def call_problem(self, name: str) -> str | None:
        """None when a call is known to be free of side effects on shared state, else why not."""
        if self.fortran:
            if name in F_IMPURE_INTRINSICS:
                return f"calls {name}, which has side effects"
            if name in self._func_defs:
                why = self.purity(name)
                return f"calls {name}, which {why}" if why else None
            if name in F_INTRINSICS:
                return None
            return f"calls {name}, whose side effects are unknown"
        if name in C_PURE:
            return None
        if name.startswith("omp_get_") or name == "omp_in_parallel":
            return None
        if name in C_IO:
            return f"calls {name}: I/O"
        if name in C_HIDDEN:
            return f"calls {name}, which has hidden state"
        if name in self._func_defs:
            why = self.purity(name)
            return f"calls {name}, which {why}" if why else None
        return f"calls {name}, whose side effects are unknown"

    def purity(self, name: str) -> str | None:
        """None when a same-file function has no side effects on shared state, else what it does."""
        if name in self._purity:
            return self._purity[name]
        self._purity[name] = None  # recursion: assume pure while analysing
        f = self._func_defs[name]
        why = self._impurity(f)
        self._purity[name] = why
        return why

    def _impurity(self, f: Function) -> str | None:
        if self.fortran:
            st = f.node.named_children[0] if f.node.named_children else None
            head = self.text(st).lower() if st is not None else ""
            if re.search(r"\b(pure|elemental)\b", head) and "impure" not in head:
                return None
        is_sub = self.fortran and f.node.type == "subroutine"
        for n in _walk(f.node):
            if self.fortran and n.type in F_IO_NODES:
                return "performs I/O"
        for a in f.accesses:
            if a.kind != "W":
                continue
            d = f.decls.get(a.base)
            if d is None:
                if self.fortran and (a.base == f.name.lower()):
                    continue  # the function result
                return f"writes {a.base}"
            if d.storage in ("global", "static", "save"):
                return f"writes {a.base}"
            if d.storage == "param":
                if self.fortran:
                    if is_sub:
                        continue  # the IR records the write at the call site from the dummy's intent
                    return f"writes its argument {a.base}"
                if a.subscripts or d.is_pointer or d.is_array:
                    return "writes through its argument"
        for callee, _node in f.calls:
            nm = callee.lower() if self.fortran else callee
            if nm == (f.name.lower() if self.fortran else f.name):
                continue
            why = self.call_problem(nm)
            if why:
                return why.replace("calls ", "calls ", 1)
        return None

    # -- scalars ----------------------------------------------------------------------------
    def covered(self, r: Access, writes: list[Access], lp: Loop) -> bool:
        """True when some write of the same scalar always executes before r in the same iteration."""
        for w in writes:
            if w.order >= r.order or w.node.id == r.node.id:
                continue
            lca = _lca(w.node, r.node)
            if lca is None:
                continue
            if not (lp.node.start_byte <= lca.start_byte and lca.end_byte <= lp.node.end_byte):
                continue
            path = _ancestors_until(w.node, lca)
            if any(self._conditional(p) for p in path):
                continue
            if lca.id == lp.node.id and not (lp.body_start <= w.node.start_byte < lp.body_end):
                continue  # the loop's own header write (the index) is not a per-iteration definition
            return True
        return False

    def _conditional(self, n: Node) -> bool:
        if n.type in self.cond_nodes:
            return True
        if n.type in ("binary_expression", "logical_expression"):
            op = n.child_by_field_name("operator")
            txt = self.text(op).lower() if op is not None else ""
            return txt in ("&&", "||", ".and.", ".or.")
        return False

    def unconditional_in(self, w: Access, lp: Loop) -> bool:
        """True when a write executes in every iteration of lp (no branch or inner loop around it)."""
        return not any(self._conditional(p) for p in _ancestors_until(w.node, lp.node)) or all(
            not self._conditional(p) for p in _ancestors_until(w.node, lp.node)
        )

    def live_after(self, name: str, lp: Loop) -> bool:
        """True when the value a scalar has after the loop may be read later."""
        f = lp.func
        d = self.decl(name, lp.node.start_byte, f)
        if d is None or d.storage in ("global", "static", "save") or (self.fortran and d.storage == "param"):
            return True
        if self.fortran and f is not None and name == f.name.lower():
            return True
        if f is None:
            return True
        accs = [a for a in f.accesses if a.base == name and not a.subscripts]
        after_writes = [a for a in accs if a.kind == "W" and a.node.start_byte >= lp.node.end_byte]
        for r in accs:
            if r.kind != "R":
                continue
            if r.node.start_byte >= lp.node.end_byte:
                if not any(
                    w.order < r.order
                    and not any(
                        self._conditional(p) for p in _ancestors_until(w.node, _lca(w.node, r.node) or f.node)
                    )
                    for w in after_writes
                ):
                    return True
        # read again in a later iteration of an enclosing loop, before the loop
        p = lp.parent
        while p is not None:
            for r in accs:
                if r.kind == "R" and p.body_start <= r.node.start_byte < lp.node.start_byte:
                    ws = [
                        w
                        for w in accs
                        if w.kind == "W" and p.body_start <= w.node.start_byte < r.node.start_byte
                    ]
                    if not self.covered(r, ws, p):
                        return True
            p = p.parent
        return False

    def reduction_op(self, name: str, accs: list[Access]) -> tuple[str | None, Access | None]:
        """The OpenMP reduction operator when every access of a scalar is part of one reduction update."""
        ops: set[str] = set()
        update_stmts: set[int] = set()
        for a in accs:
            if a.kind == "W":
                op = a.update_op
                op_l = op.lower() if op else None
                if op_l is None:
                    op_l = self._self_update_text(a, name)
                if op_l is None:
                    pat = self._minmax_if(a, name)
                    if pat is None:
                        return None, a
                    ops.add(pat)
                    if a.stmt is not None:
                        update_stmts.add(a.stmt.id)
                    continue
                if op_l not in self.red_ops:
                    return None, a
                ops.add(self.red_ops[op_l])
                if a.stmt is not None:
                    update_stmts.add(a.stmt.id)
        if len(ops) != 1:
            return None, None
        op = ops.pop()
        # each read must be the self-operand of an update (one per statement), or the guard of a min/max if
        reads_per_stmt: dict[int, int] = {}
        for a in accs:
            if a.kind != "R":
                continue
            if a.stmt is not None and a.stmt.id in update_stmts:
                reads_per_stmt[a.stmt.id] = reads_per_stmt.get(a.stmt.id, 0) + 1
                if reads_per_stmt[a.stmt.id] > (2 if op in ("max", "min") else 1):
                    return None, a
                continue
            if op in ("max", "min") and self._minmax_guard(a, name):
                continue
            return None, a
        return op, None

    def _self_update_text(self, w: Access, name: str) -> str | None:
        """``x = x .and. e`` / ``x = e .or. x`` (logical updates) -> the operator."""
        if w.stmt is None:
            return None
        st = _norm(self.text(w.stmt)).rstrip(";")
        if self.fortran:
            st = st.lower()
        n = re.escape(name)
        m = re.fullmatch(rf"{n}=(.*)", st)
        if not m:
            return None
        rhs = _unparen(m.group(1))
        for op in (".and.", ".or.", ".eqv.", ".neqv.", "&&", "||"):
            if rhs.startswith(name + op):
                rest = rhs[len(name) + len(op) :]
            elif rhs.endswith(op + name):
                rest = rhs[: -len(op) - len(name)]
            else:
                continue
            if not re.search(rf"(?<![\w%.]){n}(?![\w(%])", rest):
                return op
        return None

    def _minmax_if(self, w: Access, name: str) -> str | None:
        """``if (e > m) m = e`` / ``m = (e > m) ? e : m`` -> max or min."""
        stmt = w.stmt
        if stmt is None:
            return None
        st = _norm(self.text(stmt))
        if self.fortran:
            st = st.lower()
        n = re.escape(name)
        m = re.fullmatch(rf"{n}=\(?\((.+?)(>=|<=|>|<)(.+?)\)\?(.+?):(.+?)\)?;?", st)
        if m:
            lhs, op, rhs, yes, no = m.groups()
            return self._minmax_from(lhs, op, rhs, yes, no, name)
        # if statement around the assignment
        p = stmt.parent
        while (
            p is not None
            and p.type in ("compound_statement", "block", "else_clause")
            and p.type != "if_statement"
        ):
            p = p.parent
        if p is None or p.type != "if_statement":
            return None
        if any(c.type in ("else_clause", "elseif_clause") for c in p.children):
            return None
        cond = p.child_by_field_name("condition")
        if cond is None:
            cond = next((c for c in p.named_children if c.type == "parenthesized_expression"), None)
        if cond is None:
            return None
        ct = _unparen(_norm(self.text(cond)))
        if self.fortran:
            ct = ct.lower()
        am = re.fullmatch(rf"{n}=(.+?);?", st)
        if not am:
            return None
        val = am.group(1)
        cm = re.fullmatch(r"(.+?)(>=|<=|>|<|\.gt\.|\.lt\.|\.ge\.|\.le\.)(.+)", ct)
        if not cm:
            return None
        lhs, op, rhs = cm.groups()
        return self._minmax_from(lhs, op, rhs, val, name, name)

    @staticmethod
    def _minmax_from(lhs: str, op: str, rhs: str, yes: str, no: str, name: str) -> str | None:
        op = {".gt.": ">", ".lt.": "<", ".ge.": ">=", ".le.": "<="}.get(op, op)
        lhs, rhs = _unparen(lhs), _unparen(rhs)
        if no != name:
            return None
        if lhs == yes and rhs == name:  # e > m ? e : m  -> max
            return "max" if op in (">", ">=") else "min"
        if rhs == yes and lhs == name:  # m < e ? e : m -> max
            return "max" if op in ("<", "<=") else "min"
        return None

    def _minmax_guard(self, r: Access, name: str) -> bool:
        """A read of m in the condition (or the ternary) of a min/max update."""
        p = r.node.parent
        while p is not None and p.type not in (
            "if_statement",
            "expression_statement",
            "assignment_statement",
        ):
            p = p.parent
        if p is None:
            return False
        if p.type == "if_statement":
            for n in _walk(p):
                if n.type in ("assignment_expression", "assignment_statement"):
                    left = n.child_by_field_name("left") or (
                        n.named_children[0] if n.named_children else None
                    )
                    if left is not None and _norm(self.text(left)).lower() == name.lower():
                        fake = dataclasses.replace(r, stmt=n if self.fortran else n.parent)
                        return self._minmax_if(fake, name) is not None
            return False
        fake = dataclasses.replace(r, stmt=p)
        return self._minmax_if(fake, name) is not None

    # -- the verdict ------------------------------------------------------------------------
    def analyze_loop(self, lp: Loop, adv: LoopAdvice) -> None:
        """Fill the verdict and clauses of lp parallelized on its own."""
        why = self.canonical(lp)
        if why:
            adv.blockers.append(Blocker(why, lp.keyword_span))
            return
        why = self.escapes(lp)
        if why:
            adv.blockers.append(Blocker(why, lp.keyword_span))
            return
        accs = self.body_accesses(lp)
        # the index and the bounds must not change inside the body
        bound_vars = (lp.lower.vars if lp.lower else set()) | (lp.upper.vars if lp.upper else set())
        for a in accs:
            if a.kind == "W" and not a.subscripts and a.base == lp.index:
                adv.blockers.append(
                    Blocker(
                        f"{lp.index} is changed inside the body", a.span, first_text=a.text, first_kind="W"
                    )
                )
                return
            if a.kind == "W" and not a.subscripts and a.base in bound_vars:
                adv.blockers.append(
                    Blocker(f"the loop bound {a.base} is changed inside the body", a.span, first_text=a.text)
                )
                return
        adv.blockers.extend(self.call_blockers(lp))
        if adv.blockers:
            return
        inner_indices: dict[str, Loop] = {}
        stack = list(lp.children)
        while stack:
            c = stack.pop()
            if c.index:
                inner_indices.setdefault(c.index, c)
            stack.extend(c.children)
        by_base: dict[str, list[Access]] = {}
        for a in accs:
            by_base.setdefault(a.base, []).append(a)
        private: set[str] = set()
        lastprivate: set[str] = set()
        reductions: dict[str, str] = {}
        variant: set[str] = set()
        for base, bl in by_base.items():
            if base == lp.index:
                continue
            arrays = [a for a in bl if self.is_array(a)]
            scalars = [a for a in bl if not self.is_array(a)]
            if scalars and not arrays:
                writes = [a for a in scalars if a.kind == "W"]
                if not writes:
                    continue
                variant.add(base)
                if base in inner_indices:
                    if self.fortran or self.decl_inside(base, lp, inner_indices[base].node.start_byte):
                        continue
                    if inner_indices[base].index_declared_in_header:
                        continue
                    private.add(base)
                    continue
                if self.decl_inside(base, lp, writes[0].node.start_byte):
                    continue
                reads = [a for a in scalars if a.kind == "R"]
                if all(self.covered(r, writes, lp) for r in reads):
                    if self.live_after(base, lp):
                        if not any(
                            self.unconditional_in(w, lp) and not self._under_cond(w, lp) for w in writes
                        ):
                            adv.blockers.append(
                                Blocker(
                                    f"`{base}` is assigned only in some iterations and used after the loop",
                                    writes[0].span,
                                    first_text=writes[0].text,
                                    first_kind="W",
                                )
                            )
                            continue
                        lastprivate.add(base)
                    else:
                        private.add(base)
                    continue
                op, bad = self.reduction_op(base, scalars)
                if op is not None:
                    reductions[base] = op
                    continue
                r = next(
                    (r for r in reads if not self.covered(r, writes, lp)), reads[0] if reads else writes[0]
                )
                w = next((w for w in writes if w is not r), writes[0])
                adv.blockers.append(
                    Blocker(
                        f"`{base}` carries a value from one iteration to the next: it is read "
                        f"(line {r.line + 1}) before it is assigned in the same iteration (line {w.line + 1})",
                        r.span,
                        w.span,
                        r.text,
                        w.text,
                        r.kind,
                        w.kind,
                    )
                )
                continue
        if adv.blockers:
            return
        defs: dict[str, Affine] = {}
        for base, bl in by_base.items():
            if base == lp.index:
                continue
            arrays = [a for a in bl if self.is_array(a)]
            if (
                not arrays
                or not any(a.kind == "W" for a in arrays)
                and not any(a.kind == "W" for a in bl if not self.is_array(a))
            ):
                continue
            if not any(a.kind == "W" for a in arrays):
                continue
            dep = self._first_dependence(lp, arrays, variant - private - lastprivate, defs)
            if dep is None:
                continue
            op = self._array_reduction(base, arrays, lp)
            if op is not None:
                reductions[base] = op
                continue
            a1, a2 = dep.a1, dep.a2
            adv.blockers.append(
                Blocker(self._dep_message(dep, lp), a1.span, a2.span, a1.text, a2.text, a1.kind, a2.kind)
            )
        if adv.blockers:
            return
        adv.parallelizable = True
        adv.private = sorted(private)
        adv.lastprivate = sorted(lastprivate)
        adv.reduction = [f"{op}:{v}" for v, op in sorted(reductions.items())]
        for v in adv.private:
            adv.notes.append(f"`{v}` is assigned before use in every iteration (private)")
        for v in adv.lastprivate:
            adv.notes.append(f"`{v}` is assigned in every iteration and used after the loop (lastprivate)")
        for v, op in sorted(reductions.items()):
            adv.notes.append(f"`{v}` accumulates with {op} (reduction)")

    def _under_cond(self, w: Access, lp: Loop) -> bool:
        return (
            any(self._conditional(p) for p in _ancestors_until(w.node, lp.node))
            and w.node.start_byte >= lp.body_start
        )

    def _first_dependence(self, lp: Loop, arrays: list[Access], variant: set[str], defs: dict[str, Affine]):
        writes = [a for a in arrays if a.kind == "W"]
        best = None
        for w in writes:
            for o in arrays:
                try:
                    dep = dependence.test(w, o, lp, variant=frozenset(variant), defs=defs)
                except Exception:  # the shared test must not take the advisor down
                    log.exception("dependence test failed")
                    dep = dependence.Dependence(
                        w, o, (None,), ("*",), False, explanation="dependence test failed"
                    )
                if dep is None:
                    if len(w.subscripts) != len(o.subscripts) or (not w.subscripts and not o.subscripts):
                        # whole-array access mixed with elements: same memory in every iteration
                        if not w.subscripts or not o.subscripts:
                            dep = dependence.Dependence(
                                w,
                                o,
                                (None,),
                                ("*",),
                                False,
                                explanation=f"`{w.text}` is the whole array in every iteration",
                            )
                if dep is not None:
                    if best is None or (dep.exact and not best.exact):
                        best = dep
                    if dep.exact:
                        return dep
        return best

    def _array_reduction(self, base: str, arrays: list[Access], lp: Loop) -> str | None:
        """``hist[idx[i]] += 1``: every access of the array is part of an update with one operator."""
        d = self.decl(base, lp.node.start_byte, lp.func)
        if d is None or not d.is_array or d.is_pointer:
            return None
        if not self.fortran and d.storage == "param":
            return None
        if self.fortran and d.storage == "param":
            return None
        if not all(a.subscripts for a in arrays):
            return None
        varying = {lp.index} | {c.index for c in self._descendants(lp) if c.index}
        if not any(s is None or (s.vars & varying) for a in arrays for s in a.subscripts):
            return None  # one element updated by every iteration: not worth an array reduction
        op, _bad = self.reduction_op(base, arrays)
        if op in ("max", "min") and not self.fortran:
            return op
        return op

    @staticmethod
    def _descendants(lp: Loop) -> list[Loop]:
        out, stack = [], list(lp.children)
        while stack:
            c = stack.pop()
            out.append(c)
            stack.extend(c.children)
        return out

    def _dep_message(self, dep: dependence.Dependence, lp: Loop) -> str:
        a1, a2 = dep.a1, dep.a2
        t1, t2 = a1.text or a1.name, a2.text or a2.name
        idx = lp.index or "i"
        d = dep.carried_distance
        if a1 is a2 or (t1 == t2 and a1.kind == a2.kind):
            if dep.indirect or not dep.exact:
                return f"`{t1}` may be written by several iterations"
            return f"`{t1}` is written by every iteration (the same element)"
        verb2 = "reads" if a2.kind == "R" else "writes"
        if d is not None and d != 0:
            rel = "a later" if d > 0 else "an earlier"
            return (
                f"`{t1}` (line {a1.line + 1}) and `{t2}` (line {a2.line + 1}) touch the same element "
                f"{abs(d)} iteration{'s' if abs(d) != 1 else ''} of `{idx}` apart: {rel} iteration {verb2} it"
            )
        if not dep.exact:
            return f"`{t1}` (line {a1.line + 1}) and `{t2}` (line {a2.line + 1}) may touch the same element in different iterations"
        return dep.explanation or f"`{t1}` and `{t2}` touch the same element in different iterations"

    # -- whole file -------------------------------------------------------------------------
    def run(self) -> list[LoopAdvice]:
        out: list[LoopAdvice] = []
        by_loop: dict[int, LoopAdvice] = {}
        for lp in self.ir.loops:
            adv = LoopAdvice(lp, self.src.path, self.src.language)
            try:
                self.analyze_loop(lp, adv)
            except RecursionError:
                adv.blockers.append(Blocker("the loop is too deeply nested to analyse"))
            except Exception as exc:  # never crash on odd input
                log.exception("advisor failed on loop at line %d", lp.span.start.line + 1)
                adv.blockers.append(Blocker(f"could not be analysed ({type(exc).__name__})"))
            if not adv.parallelizable and not adv.blockers:
                adv.blockers.append(Blocker("could not be analysed"))
            adv.small = self._small(lp)
            adv.inside_parallel_region = self._in_region(lp)
            out.append(adv)
            by_loop[id(lp)] = adv
        # suggested: outermost profitable parallelizable loop, outer before inner (document order)
        for adv in out:
            lp = adv.loop
            anc = lp.parent
            outer = None
            while anc is not None:
                a = by_loop.get(id(anc))
                if a is not None and a.suggested:
                    outer = a
                    break
                anc = anc.parent
            adv.outer = outer
            if not adv.parallelizable:
                adv.reason = adv.blockers[0].message if adv.blockers else "not parallelizable"
                continue
            if outer is not None:
                continue
            if adv.inside_parallel_region:
                adv.reason = "parallelizable, but already inside an OpenMP construct"
                adv.pragma = self._pragma(adv)
                continue
            if adv.small:
                adv.reason = (
                    f"parallelizable, but only {self._trip(lp)} iterations: not worth a parallel region"
                )
                adv.pragma = self._pragma(adv)
                continue
            adv.suggested = True
            self._collapse_and_schedule(adv, by_loop)
            adv.pragma = self._pragma(adv)
            adv.end_pragma = end_pragma_text(self.src.language)
            notes = list(adv.notes)
            if adv.collapse:
                notes.append(f"the {adv.collapse} loops form a perfect rectangular nest (collapse)")
            if adv.schedule:
                notes.append(adv.schedule_reason)
            adv.reason = "iterations are independent" + (": " + "; ".join(notes) if notes else "")
        for adv in out:
            if adv.outer is not None and adv.parallelizable:
                o = adv.outer
                if adv.loop in o.collapsed:
                    adv.reason = f"parallelizable; collapsed into the loop at line {o.span.start.line + 1}"
                    adv.private, adv.lastprivate, adv.reduction = [], [], []
                    continue
                adv.simd = self._simd_ok(adv)
                adv.pragma = self._pragma(adv)
                adv.end_pragma = end_pragma_text(self.src.language, adv.simd) if adv.simd else None
                where = f"inside the loop parallelized at line {o.span.start.line + 1}"
                adv.reason = f"vectorizable {where}" if adv.simd else f"parallelizable, but {where}"
        return out

    def _pragma(self, adv: LoopAdvice) -> str:
        return pragma_text(
            self.src.language,
            simd=adv.simd,
            private=adv.private,
            lastprivate=adv.lastprivate,
            reduction=adv.reduction,
            collapse=adv.collapse,
            schedule=adv.schedule,
        )

    def _trip(self, lp: Loop) -> int | None:
        if lp.lower is None or lp.upper is None or not lp.step:
            return None
        diff = (lp.upper - lp.lower) if lp.step > 0 else (lp.lower - lp.upper)
        if not diff.is_const:
            return None
        return max(0, diff.const // abs(lp.step) + 1)

    def _small(self, lp: Loop) -> bool:
        t = self._trip(lp)
        return t is not None and t <= SMALL_TRIP

    def _in_region(self, lp: Loop) -> bool:
        if lp.construct is not None:
            return True
        if self._regions is None:
            words = {
                "parallel",
                "for",
                "do",
                "simd",
                "taskloop",
                "target",
                "teams",
                "task",
                "distribute",
                "loop",
                "single",
                "master",
                "masked",
                "critical",
                "sections",
            }
            self._regions = [
                (c.start, c.end) for c in self.ir.constructs if not c.standalone and words & set(c.words)
            ]
        b = lp.node.start_byte
        return any(s <= b < e for s, e in self._regions)

    def _perfect_child(self, lp: Loop) -> Loop | None:
        if len(lp.children) != 1:
            return None
        child = lp.children[0]
        if self.fortran:
            fbody = [
                c
                for c in lp.node.named_children
                if c.type not in ("do_statement", "end_do_loop_statement", "comment")
            ]
            return child if len(fbody) == 1 and fbody[0].id == child.node.id else None
        body = lp.node.child_by_field_name("body")
        if body is None:
            return None
        if body.id == child.node.id:
            return child
        if body.type == "compound_statement":
            stmts = [c for c in body.named_children if c.type != "comment"]
            if len(stmts) == 1 and stmts[0].id == child.node.id:
                return child
        return None

    def _collapse_and_schedule(self, adv: LoopAdvice, by_loop: dict[int, LoopAdvice]) -> None:
        lp = adv.loop
        nest = [lp]
        cur = lp
        while True:
            child = self._perfect_child(cur)
            if child is None:
                break
            cadv = by_loop.get(id(child))
            if cadv is None or not cadv.parallelizable or child.index is None:
                break
            idx = {x.index for x in nest}
            bvars = (child.lower.vars if child.lower else set()) | (
                child.upper.vars if child.upper else set()
            )
            if bvars & idx or self._small(child) and False:
                break
            nest.append(child)
            cur = child
        if len(nest) > 1:
            adv.collapse = len(nest)
            adv.collapsed = nest[1:]
            collapsed_idx = {x.index for x in nest}
            adv.private = [v for v in adv.private if v not in collapsed_idx]
            adv.lastprivate = [v for v in adv.lastprivate if v not in collapsed_idx]
        # schedule: inner bounds that depend on the parallel indices (triangular) or on data
        par_idx = {x.index for x in nest}
        written = {a.base for a in self.body_accesses(lp) if a.kind == "W" and not a.subscripts}
        dynamic = guided = False
        stack = list(nest[-1].children)
        while stack:
            c = stack.pop()
            stack.extend(c.children)
            if c.kind in ("while", "do while"):
                dynamic = True
                continue
            if c.lower is None or c.upper is None:
                dynamic = True
                continue
            bv = c.lower.vars | c.upper.vars
            if bv & written - par_idx:
                dynamic = True
            elif bv & par_idx:
                guided = True
        if dynamic:
            adv.schedule = "dynamic"
            adv.schedule_reason = "inner trip counts depend on data (schedule(dynamic) balances the work)"
        elif guided:
            adv.schedule = "guided"
            adv.schedule_reason = (
                "inner trip counts grow or shrink with the index (triangular: schedule(guided))"
            )

    def _simd_ok(self, adv: LoopAdvice) -> bool:
        lp = adv.loop
        if lp.children or not adv.parallelizable:
            return False
        if adv.lastprivate:
            return False
        for root in self._body_nodes(lp):
            for n in _walk(root):
                name = self._callee(n)
                if name is None:
                    continue
                if self.fortran:
                    if name not in F_INTRINSICS or name in self._func_defs:
                        return False
                elif name not in C_PURE:
                    return False
        return True


# ---------------------------------------------------------------------------------------------
# Edits


def _eol_of(source: SourceFile, line: int) -> str:
    """The line terminator used by a line (falls back to the file's first one, then \\n)."""
    text = source.text
    starts = source.cache.get("_advisor_line_starts")
    if starts is None:
        starts = [0]
        for m in re.finditer("\n", text):
            starts.append(m.end())
        source.cache["_advisor_line_starts"] = starts
    if line + 1 < len(starts):
        end = starts[line + 1] - 1
        return "\r\n" if end > 0 and text[end - 1] == "\r" else "\n"
    return "\r\n" if "\r\n" in text else "\n"


def _line_text(source: SourceFile, line: int) -> str:
    lines = source.text.split("\n")
    return lines[line].rstrip("\r") if line < len(lines) else ""


def _wrap_fortran(pragma: str, indent: str, limit: int, eol: str) -> str:
    """Continue a long Fortran directive over several lines with ``&``."""
    if len(indent) + len(pragma) <= limit:
        return indent + pragma
    words = pragma.split(" ")
    lines: list[str] = []
    cur = words[0]
    for w in words[1:]:
        if len(indent) + len(cur) + 1 + len(w) + 2 > limit:
            lines.append(cur + " &")
            cur = "!$omp& " + w
        else:
            cur += " " + w
    lines.append(cur)
    return eol.join(indent + ln for ln in lines)


def suggestion_edits(source: SourceFile, adv: LoopAdvice) -> list[Edit]:
    """The edits inserting adv's pragma before the loop (and the Fortran end directive after it)."""
    if not adv.pragma:
        return []
    lp = adv.loop
    line, col = lp.span.start.line, lp.span.start.col
    text = _line_text(source, line)
    eol = _eol_of(source, line)
    fortran = source.language == "fortran"
    prefix = text[:col]
    indent = prefix if not prefix.strip() else text[: len(text) - len(text.lstrip())]
    if fortran and source.fixed_form:
        indent = ""
    limit = F_FIXED_LIMIT if source.fixed_form else F_FREE_LIMIT
    head = _wrap_fortran(adv.pragma, indent, limit, eol) if fortran else indent + adv.pragma
    edits: list[Edit] = []
    if not prefix.strip():
        edits.append(Edit(Span(Pos(line, 0), Pos(line, 0)), head + eol))
    else:
        edits.append(Edit(Span(Pos(line, col), Pos(line, col)), eol + head + eol + indent))
    end = adv.end_pragma
    if fortran and end:
        end_line = lp.span.end.line
        if lp.span.end.col == 0 and end_line > line:
            end_line -= 1
        nlines = source.text.count("\n")
        if end_line < nlines:
            edits.append(Edit(Span(Pos(end_line + 1, 0), Pos(end_line + 1, 0)), indent + end + eol))
        else:
            last = _line_text(source, end_line)
            edits.append(Edit(Span(Pos(end_line, len(last)), Pos(end_line, len(last))), eol + indent + end))
    return edits


def all_suggestion_edits(source: SourceFile, advice: list[LoopAdvice] | None = None) -> list[Edit]:
    """Edits inserting every suggested pragma; insertions at one position are merged (end directives first)."""
    advice = advise(source) if advice is None else advice
    merged: dict[Span, list[tuple[int, str]]] = {}
    for a in advice:
        if not a.suggested:
            continue
        for k, e in enumerate(suggestion_edits(source, a)):
            merged.setdefault(e.span, []).append((0 if k > 0 else 1, e.new_text))
    out = []
    for span, parts in sorted(merged.items(), key=lambda kv: (kv[0].start, kv[0].end)):
        parts.sort(key=lambda p: p[0])
        out.append(Edit(span, "".join(t for _, t in parts)))
    return out


def apply_suggestions(source: SourceFile, advice: list[LoopAdvice] | None = None) -> str:
    """The text with every suggested pragma inserted."""
    edits = all_suggestion_edits(source, advice)
    return apply_edits(source.text, edits) if edits else source.text


# ---------------------------------------------------------------------------------------------
# Vetting by the race checker


def _race_findings(source: SourceFile, text: str) -> list[Any]:
    from hpclsp.analysis import engine

    src = SourceFile(source.path, source.language, text, fixed_form=source.fixed_form)
    res = engine.analyze(src, engine.Options(select=("omp-race",), hints=False, budget=10.0))
    return [f for f in res.findings if f.code.startswith("omp-race")]


def _shift(edits: list[Edit], line: int, col: int) -> int:
    """Lines inserted before original position (line, col) by a set of insertions."""
    return sum(e.new_text.count("\n") for e in edits if (e.span.start.line, e.span.start.col) <= (line, col))


def vet(source: SourceFile, advice: list[LoopAdvice]) -> None:
    """Withdraw suggestions whose parallelized version the race checker flags.

    One race analysis of the text with every suggestion applied: suggested loops are never nested,
    and race findings only arise inside parallel constructs, so a finding inside a suggested loop's
    region (its pragma line through its end directive) is caused by that suggestion.
    """
    sugg = [a for a in advice if a.suggested]
    if not sugg:
        return
    try:
        all_edits = all_suggestion_edits(source, advice)
        combined = _race_findings(source, apply_edits(source.text, all_edits))
    except Exception:
        log.exception("race vetting failed for %s", source.path)
        return
    if not combined:
        return
    for a in sugg:
        start, end = a.span.start, a.span.end
        own = suggestion_edits(source, a)
        lo = (
            start.line + _shift(all_edits, start.line, start.col) - own[0].new_text.count("\n")
            if own
            else start.line
        )
        hi = (
            end.line
            + _shift(all_edits, end.line, end.col)
            + (own[1].new_text.count("\n") if len(own) > 1 else 0)
        )
        bad = [f for f in combined if lo <= f.span.start.line <= hi]
        if bad:
            _withdraw(
                a, advice, f"the race checker flags the parallelized loop: {bad[0].code}: {bad[0].message}"
            )


def _withdraw(a: LoopAdvice, advice: list[LoopAdvice], why: str) -> None:
    a.suggested = False
    a.parallelizable = False
    a.pragma = None
    a.end_pragma = None
    a.collapse = None
    a.schedule = None
    a.reason = why
    a.blockers.insert(0, Blocker(why, a.keyword_span))
    for o in advice:
        if o.outer is a:
            o.outer = None
            o.simd = False
            o.pragma = None
            o.reason = "parallelizable; the enclosing loop's suggestion was withdrawn"


def advise(source: SourceFile, vet_races: bool = True) -> list[LoopAdvice]:
    """Advice for every loop of a file, outer loops before inner ones (cached on the source)."""
    key = "advisor" if vet_races else "advisor-unvetted"
    cached = source.cache.get(key)
    if cached is not None:
        return cached
    try:
        advice = _Advisor(source).run()
    except RecursionError:
        log.warning("%s: too deeply nested for the advisor", source.path)
        advice = []
    if vet_races:
        vet(source, advice)
    source.cache[key] = advice
    return advice


def loop_at(advice: list[LoopAdvice], pos: Pos) -> LoopAdvice | None:
    """The innermost loop whose keyword (or header line) contains pos."""
    best = None
    for a in advice:
        ks = a.keyword_span
        if ks.contains(pos):
            best = a
    return best
