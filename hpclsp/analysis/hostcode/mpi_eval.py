"""The per-rank MPI program evaluator: runs ``main`` of a C/C++ file once per rank, abstractly.

For a process count and a rank, ``RankEvaluator`` walks ``main`` and the functions of the same file it
calls, with ``MPI_Comm_rank``/``MPI_Comm_size`` giving concrete values and ``values.consts`` folding
every expression. Branches whose condition is decided are followed; a loop runs up to a cap. When
something cannot be decided (a condition on input data, a call to a function the file does not
define, a loop past its cap) and the undecided part contains MPI calls, the trace stops there and is
marked incomplete: nothing after that point is reported. An undecided part without MPI calls is
skipped and the variables it assigns become unknown. The program is assumed to be launched without
command-line arguments (``argc == 1``), as MPI test harnesses run it.

MPI calls are handed to ``mpi_calls.MpiSemantics``, which records events and their effects; a call
hidden behind a statement macro (``mpi_hidden``) is one too, its unreadable arguments unknown.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from hpclsp.analysis.hostcode import mpi_calls
from hpclsp.analysis.hostcode.mpi_hidden import READABLE, broken_call, hidden_call, hidden_statement
from hpclsp.analysis.hostcode.mpi_memory import Memory
from hpclsp.analysis.hostcode.mpi_trace import Node, Obj, Ptr, Trace
from hpclsp.analysis.source import object_macros
from hpclsp.analysis.treeutil import F_UNITS, preorder, walk
from hpclsp.analysis.values import consts
from hpclsp.analysis.values.consts import UNKNOWN

#: Iterations of one loop that contains MPI calls before the trace stops.
LOOP_CAP = 512
#: Iterations of a loop without MPI calls before it is skipped (its variables become unknown).
PURE_LOOP_CAP = 64
#: Nested calls of local functions.
MAX_DEPTH = 8
#: Statements evaluated for one rank.
MAX_STEPS = 60000
#: Fortran constructs a program unit may be nested in.
_UNIT_CONTAINERS = F_UNITS | {"translation_unit", "module", "internal_procedures"}

#: Library functions with no effect the evaluator needs beyond evaluating their arguments.
PURE_CALLS = frozenset(
    """printf fprintf sprintf snprintf puts putchar fputs fflush perror assert sleep usleep
    sqrt fabs pow exp log sin cos floor ceil rand srand time clock strlen strcmp strncmp atoi atof
    memcmp getpid gethostname fmax fmin labs llabs""".split()
)
#: Library functions that write through their first pointer argument.
WRITERS = frozenset(
    {"memset", "memcpy", "memmove", "strcpy", "strncpy", "strcat", "sprintf", "snprintf", "sscanf"}
)


class Stop(Exception):
    """The rest of the rank's run cannot be followed."""


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Exit(Exception):
    pass


class Program:
    """The file-level facts shared by every rank's run: functions, globals' declarations, macros."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.text = source.node_text
        self.functions: dict[str, Node] = {}
        #: Object-like macros, name -> body text as written (``source.object_macros``; none in Fortran).
        self.defines: Mapping[str, str] = {}
        self.global_decls: list[Node] = []
        self.define_nodes: dict[str, Node] = {}
        self.define_text: dict[int, str] = {}
        self._mpi_cache: dict[int, bool] = {}
        self.typedefs: dict[str, str] = {}
        self.fortran = source.language == "fortran"
        if self.fortran:
            self._fortran_units(source.tree.root_node)
        else:
            self.defines = object_macros(source)
            for node in source.tree.root_node.named_children:
                self._top(node)

    def _fortran_units(self, root: Node) -> None:
        """Fortran: the main program and every subroutine and function (names lower-case)."""
        for n in preorder(root, _unit_children):
            if n.type == "program":
                self.functions.setdefault("main", n)
            elif n.type in ("subroutine", "function"):
                head = n.named_children[0] if n.named_children else None
                name = head.child_by_field_name("name") if head is not None else None
                if name is not None:
                    self.functions.setdefault(self.text(name).lower(), n)

    def _top(self, node: Node, ns: str = "") -> None:
        if node.type == "function_definition":
            name = _declarator_name(node.child_by_field_name("declarator"), self.text)
            if name:
                self.functions[name] = node
                if ns:
                    self.functions[f"{ns}::{name}"] = node
        elif node.type == "namespace_definition":
            nn = node.child_by_field_name("name")
            inner = (
                f"{ns}::{self.text(nn)}"
                if ns and nn is not None
                else (self.text(nn) if nn is not None else ns)
            )
            body = node.child_by_field_name("body")
            for c in body.named_children if body is not None else []:
                self._top(c, inner)
        elif node.type == "declaration":
            self.global_decls.append(node)
        elif node.type == "type_definition":
            ty = node.child_by_field_name("type")
            for d in node.children_by_field_name("declarator"):
                if d.type == "type_identifier" and ty is not None:
                    self.typedefs[self.text(d)] = self.text(ty)
        elif node.type in ("preproc_ifdef", "preproc_if", "linkage_specification", "declaration_list"):
            for c in node.named_children:
                self._top(c, ns)

    def resolve_type(self, name: str) -> str:
        """A C type with typedef names and object-like type macros (``#define INT_T long``) expanded."""
        for _ in range(8):
            nxt = self.typedefs.get(name)
            if nxt is None:
                macro = self.defines.get(name, "").strip()
                if not macro or macro[0].isdigit() or "(" in macro:
                    return name
                nxt = macro
            name = consts.normalize_c_type(nxt)
        return name

    def has_effects(self, node: Node, depth: int = 0) -> bool:
        """True when a subtree calls MPI, an unknown function, or a local function that does."""
        key = node.id
        if key in self._mpi_cache:
            return self._mpi_cache[key]
        self._mpi_cache[key] = True  # recursion guard
        res = False
        for n in walk(node):
            if self.fortran:
                res = self._fortran_effect(n, depth)
            elif n.type == "call_expression":
                fn = n.child_by_field_name("function")
                name = self.text(fn) if fn is not None else ""
                name = name[5:] if name.startswith("std::") else name
                if name.upper().startswith(("MPI_", "PMPI_")):
                    res = True
                elif name in self.functions:
                    res = depth < MAX_DEPTH and self.has_effects(self.functions[name], depth + 1)
                elif name not in PURE_CALLS and name not in WRITERS and name not in mpi_calls.ALLOCATORS:
                    res = True
            elif n.type in ("return_statement", "goto_statement", "break_statement", "continue_statement"):
                res = True
            elif n.type == "function_declarator":
                res = hidden_call(self.text, n) is not None
            elif n.type == "ERROR":
                res = broken_call(self.text, n)
            if res:
                break
        self._mpi_cache[key] = res
        return res

    def _fortran_effect(self, n: Node, depth: int) -> bool:
        if n.type in ("subroutine_call", "call_expression"):
            fn = n.child_by_field_name("subroutine") if n.type == "subroutine_call" else n.named_children[0]
            name = self.text(fn).lower() if fn is not None else ""
            if name.startswith(("mpi_", "pmpi_")):
                return True
            if name in self.functions:
                return depth >= MAX_DEPTH or self.has_effects(self.functions[name], depth + 1)
            return (
                n.type == "subroutine_call"
            )  # an unknown subroutine; unknown names in expressions are arrays
        if n.type == "keyword_statement":
            return self.text(n).strip().lower() != "continue"
        return n.type in ("stop_statement", "goto_statement")


def _unit_children(n: Node) -> list[Node]:
    """The children in which a Fortran unit may be nested (statements are not searched)."""
    return n.named_children if n.type in _UNIT_CONTAINERS else []


def _declarator_name(d: Node | None, text: Any) -> str | None:
    while d is not None and d.type not in ("identifier", "field_identifier"):
        if d.type == "qualified_identifier":
            return text(d)
        d = d.child_by_field_name("declarator")
    return text(d) if d is not None else None


class RankEvaluator(Memory, consts.Evaluator):
    """Runs one rank of the program for one process count, filling a ``Trace``."""

    def __init__(
        self,
        program: Program,
        rank: int,
        nprocs: int,
        deadline: float,
        split_oracle: dict[int, dict[int, tuple[int, int]]] | None = None,
    ) -> None:
        super().__init__(program.text)
        self.program = program
        #: Every rank's (color, key) at each world split, from a first pass (see ``mpi_run``).
        self.split_oracle = split_oracle or {}
        self.trace = Trace(rank, nprocs)
        self.deadline = deadline
        self.steps = 0
        self.stack: list[Node] = []
        self.scopes: list[dict[str, Obj]] = [{}]
        self.mpi = mpi_calls.MpiSemantics(self)
        self.long_loops: set[int] = set()

    # -- running ------------------------------------------------------------------------------
    def run(self) -> Trace:
        """Evaluate ``main``; the trace says how far it got."""
        main = self.program.functions.get("main")
        if main is None:
            self.trace.stopped = "no main"
            return self.trace
        try:
            for d in self.program.global_decls:
                self.declare(d, static=True)
            self.scopes.append({})
            self.exec_main(main)
            self.trace.complete = True
        except _Return:
            self.trace.complete = True
        except _Exit:
            self.trace.complete = self.trace.finalized
        except Stop as s:
            self.trace.stopped = str(s)
        except RecursionError:
            self.trace.stopped = "nested too deeply"
        self.mpi.finish()
        return self.trace

    def exec_main(self, main: Node) -> None:
        """Run the body of ``main`` (C: with ``argc == 1``)."""
        self._bind_main_params(main)
        self.exec(main.child_by_field_name("body"))

    def _bind_main_params(self, main: Node) -> None:
        fd = main.child_by_field_name("declarator")
        params = fd.child_by_field_name("parameters") if fd is not None else None
        names = [
            _declarator_name(p.child_by_field_name("declarator"), self.text)
            for p in (params.named_children if params is not None else [])
            if p.type == "parameter_declaration"
        ]
        for i, name in enumerate(names):
            if name:
                v = 1 if i == 0 else UNKNOWN
                self.scopes[-1][name] = Obj(name, "int" if i == 0 else None, 8, 8, {0: v})

    def tick(self) -> None:
        """Count one step against the budgets."""
        self.steps += 1
        if self.steps > MAX_STEPS or (self.steps % 512 == 0 and time.perf_counter() > self.deadline):
            raise Stop("evaluation budget exhausted")

    # -- statements ---------------------------------------------------------------------------
    def exec(self, node: Node | None) -> None:
        """Execute one statement."""
        if node is None:
            return
        self.tick()
        fn = getattr(self, "_s_" + node.type, None)
        if fn is not None:
            fn(node)
        elif node.type.endswith("expression"):
            self.eval(node)
        elif node.type not in (
            "comment",
            "type_definition",
            "struct_specifier",
            "enum_specifier",
            "preproc_def",
        ):
            if self.program.has_effects(node):
                raise Stop(f"unsupported construct {node.type}")

    def _s_compound_statement(self, node: Node) -> None:
        self.scopes.append({})
        try:
            kids = node.named_children
            i = 0
            while i < len(kids):
                k = kids[i]
                if k.type == "preproc_call" and self._parallel_pragma(k) and i + 1 < len(kids):
                    self.undecided(kids[i + 1], "OpenMP region")
                    i += 2
                    continue
                self.exec(k)
                i += 1
        finally:
            self.scopes.pop()

    def _parallel_pragma(self, node: Node) -> bool:
        t = self.text(node).lower()
        return (
            t.startswith("#pragma")
            and " omp" in t
            and any(
                w in t for w in ("parallel", "task", "sections", "single", "master", "masked", "critical")
            )
        )

    def _s_preproc_call(self, node: Node) -> None:
        return None

    def _preproc_cond(self, node: Node) -> None:
        if self.program.has_effects(node):
            raise Stop("conditional compilation around MPI calls")
        self.havoc_assigned(node)

    _s_preproc_ifdef = _preproc_cond
    _s_preproc_if = _preproc_cond

    def _s_expression_statement(self, node: Node) -> None:
        for c in node.named_children:
            self.eval(c)

    def _s_declaration(self, node: Node) -> None:
        if not self._hidden_statement(node):
            self.declare(node)

    def _s_ERROR(self, node: Node) -> None:
        if not self._hidden_statement(node) and self.program.has_effects(node):
            raise Stop("unsupported construct ERROR")

    def _hidden_statement(self, node: Node) -> bool:
        """Execute a statement of MPI calls hidden behind statement macros (``mpi_hidden``): False when
        the statement is not one; stop when it holds other things too, or when a macro of this file
        itself names MPI (the macro's own effects are not run)."""
        calls = hidden_statement(self.text, node)
        if calls is None:
            if any(hidden_call(self.text, n) is not None for n in walk(node)):
                raise Stop("an MPI call hidden behind a statement macro")
            return False
        for decl, name, args in calls:
            if decl.prev_named_sibling is not None:
                self._statement_macro(self.text(decl.prev_named_sibling))
            known = [a if a is not None and a.type in READABLE else None for a in args]
            vals = [UNKNOWN if a is None else self._argument_value(a) for a in known]
            self.mpi.call(name, decl, [a for a in known if a is not None], vals)
            self._forget_lost_arguments(decl, known)
        return True

    def _statement_macro(self, name: str) -> None:
        """A statement macro before a hidden call: the variables its body (when this file defines it)
        names are forgotten; one that names MPI stops the trace (its calls are not run)."""
        body = self.program.defines.get(name, "")
        if "MPI_" in body.upper():
            raise Stop("a statement macro with MPI calls")
        for word in set(re.findall(r"[A-Za-z_]\w*", body)):
            obj = self.find(word)
            if obj is not None:
                self.havoc_obj(obj)

    def _argument_value(self, node: Node) -> Any:
        """The value of an argument node (a name the parser took for a type is a name)."""
        return self.lookup(self.text(node), node) if node.type == "type_identifier" else self.eval(node)

    def _forget_lost_arguments(self, decl: Node, known: list[Node | None]) -> None:
        """Forget the variables named in the arguments of a hidden call that could not be read: the call
        may have written them (``&x``) or what they point at."""
        kept = {a.id for a in known if a is not None}
        for n in walk(decl.child_by_field_name("parameters") or decl):
            if n.type in ("identifier", "type_identifier") and n.id not in kept:
                obj = self.find(self.text(n))
                if obj is not None:
                    self.havoc_obj(obj)

    def _s_init_statement(self, node: Node) -> None:
        for c in node.named_children:
            self.exec(c)

    def _e_qualified_identifier(self, node: Node) -> Any:
        """``ns::name``: the name (namespaces are not modelled separately)."""
        name = node.child_by_field_name("name")
        return self.eval(name) if name is not None else UNKNOWN

    def _s_return_statement(self, node: Node) -> None:
        kids = node.named_children
        raise _Return(self.eval(kids[0]) if kids else None)

    def _s_break_statement(self, node: Node) -> None:
        raise _Break()

    def _s_continue_statement(self, node: Node) -> None:
        raise _Continue()

    def _s_goto_statement(self, node: Node) -> None:
        raise Stop("goto")

    def _s_labeled_statement(self, node: Node) -> None:
        for c in node.named_children[1:]:
            self.exec(c)

    def _s_if_statement(self, node: Node) -> None:
        t = consts.truth(self.eval(node.child_by_field_name("condition")))
        cons, alt = node.child_by_field_name("consequence"), node.child_by_field_name("alternative")
        if alt is not None and alt.type == "else_clause":
            alt = alt.named_children[0] if alt.named_children else None
        if t is True:
            self.exec(cons)
        elif t is False:
            self.exec(alt)
        else:
            self.undecided(cons, "condition not decided")
            if alt is not None:
                self.undecided(alt, "condition not decided")

    def undecided(self, node: Node | None, why: str) -> None:
        """A part that may or may not run: stop when it has MPI effects, else forget what it assigns."""
        if node is None:
            return
        if self.program.has_effects(node):
            raise Stop(why)
        self.havoc_assigned(node)

    def loop_goes_on(self, cond: Node, loop: Node) -> bool:
        """Whether a loop's condition holds; an undecided one is reported and ends the loop."""
        t = consts.truth(self.eval(cond))
        if t is None:
            self.undecided(loop, "loop condition not decided")
        return t is True

    def _loop(self, node: Node, cond: Node | None, body: Node | None, update: Node | None, do: bool) -> None:
        effects = self.program.has_effects(node)
        cap = LOOP_CAP if effects else PURE_LOOP_CAP
        if not effects and node.id in self.long_loops:
            self.havoc_assigned(node)  # it ran past the cap before: do not unroll it again
            return
        n = 0
        while True:
            if not (do and n == 0) and cond is not None and not self.loop_goes_on(cond, node):
                return
            n += 1
            if n > cap:
                if effects:
                    raise Stop("loop unrolling cap")
                self.long_loops.add(node.id)
                self.havoc_assigned(node)
                return
            try:
                self.exec(body)
            except _Break:
                return
            except _Continue:
                pass
            if update is not None:
                self.eval(update)

    def _s_for_statement(self, node: Node) -> None:
        self.scopes.append({})
        try:
            init = node.child_by_field_name("initializer")
            if init is not None:
                self.exec(init) if init.type == "declaration" else self.eval(init)
            self._loop(
                node,
                node.child_by_field_name("condition"),
                node.child_by_field_name("body"),
                node.child_by_field_name("update"),
                False,
            )
        finally:
            self.scopes.pop()

    def _s_while_statement(self, node: Node) -> None:
        self._loop(node, node.child_by_field_name("condition"), node.child_by_field_name("body"), None, False)

    def _s_do_statement(self, node: Node) -> None:
        self._loop(node, node.child_by_field_name("condition"), node.child_by_field_name("body"), None, True)

    def _s_switch_statement(self, node: Node) -> None:
        v = self.eval(node.child_by_field_name("condition"))
        body = node.child_by_field_name("body")
        if body is None:
            return
        if not consts.is_known(v):
            self.undecided(body, "switch not decided")
            return
        cases = [c for c in body.named_children if c.type == "case_statement"]
        start = None
        for i, c in enumerate(cases):
            val = c.child_by_field_name("value")
            if val is None:
                start = i if start is None else start
                continue
            cv = self.eval(val)
            if not consts.is_known(cv):
                self.undecided(body, "case not decided")
                return
            if cv == v:
                start = i
                break
        if start is None:
            return
        try:
            for c in cases[start:]:
                stmts = (
                    c.named_children[1:] if c.child_by_field_name("value") is not None else c.named_children
                )
                for s in stmts:
                    self.exec(s)
        except _Break:
            pass

    def _e_condition_clause(self, node: Node) -> Any:
        """C++ conditions: ``(init; value)``."""
        init = node.child_by_field_name("initializer")
        if init is not None:
            self.exec(init) if init.type.endswith(("declaration", "statement")) else self.eval(init)
        value = node.child_by_field_name("value")
        if value is not None and value.type.endswith("declaration"):
            return UNKNOWN
        return self.eval(value)

    def _e_binary_expression(self, node: Node) -> Any:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        opn = node.child_by_field_name("operator")
        op = self.text(opn) if opn is not None else ""
        a = self.eval(left)
        if op in ("&&", "||"):
            ta = consts.truth(a)
            if ta is False and op == "&&":
                return 0
            if ta is True and op == "||":
                return 1
        b = self.eval(right)
        if isinstance(a, Ptr) or isinstance(b, Ptr):
            return _pointer_binary(op, a, b)
        return consts.binary(op, a, b)


def _pointer_binary(op: str, a: Any, b: Any) -> Any:
    """Pointer arithmetic and comparisons."""
    if isinstance(a, Ptr) and consts.is_int(b) and op in ("+", "-"):
        return Ptr(a.obj, a.offset + (b if op == "+" else -b) * a.stride, a.level)
    if isinstance(b, Ptr) and consts.is_int(a) and op == "+":
        return Ptr(b.obj, b.offset + a * b.stride, b.level)
    if op in ("==", "!="):
        if isinstance(a, Ptr) and isinstance(b, Ptr):
            same = a.obj is b.obj and a.offset == b.offset
            return int(same == (op == "=="))
        other = b if isinstance(a, Ptr) else a
        if other == 0 and consts.is_int(other):
            return int(op == "!=")
    return UNKNOWN


def run_rank(
    program: Program,
    rank: int,
    nprocs: int,
    deadline: float,
    split_oracle: dict[int, dict[int, tuple[int, int]]] | None = None,
) -> Trace:
    """The trace of one rank with ``nprocs`` processes."""
    if program.fortran:
        from hpclsp.analysis.hostcode.mpi_fortran import FortranRankEvaluator

        return FortranRankEvaluator(program, rank, nprocs, deadline, split_oracle).run()
    return RankEvaluator(program, rank, nprocs, deadline, split_oracle).run()
