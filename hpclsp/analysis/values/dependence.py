"""Forward data flow over a function's graph: the affine form of each variable and what it depends on.

Sources of dependence: the MPI rank and communicator size (out-arguments of ``MPI_Comm_rank`` /
``MPI_Comm_size``), the OpenMP thread id and team size (``omp_get_thread_num()``,
``omp_get_num_threads()``) and the CUDA built-ins ``threadIdx``, ``blockIdx``, ``blockDim``,
``gridDim``. An assignment gives its target the dependences of its right-hand side (data
dependence). Control dependence is applied where it becomes visible: at the merge point of a
branch (its immediate post-dominator), a variable assigned between the branch and the merge that
may arrive with different values depends on the branch condition. Code after
``if (rank == 0) return;`` is therefore not rank-dependent by itself (only the ranks that reach it
observe its values), while ``if (rank == 0) x = 1;`` makes ``x`` rank-dependent after the ``if``.
Array elements and fields are weak updates of their base variable. Results are per program point: a query
about an expression looks at the state before the statement (or condition) holding it.

A call of a function of the same file is read through that function's summary (``values.summaries``):
its return value and what it stores through its pointer, reference or dummy arguments, exactly where
the built-in MPI and OpenMP calls are read through the tables below.
"""

from __future__ import annotations

import heapq

from hpclsp.analysis import cfg
from hpclsp.analysis.cfg.graph import CFG, COND, STMT, Node
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.values import consts
from hpclsp.analysis.values.affine import (
    NPROCS,
    NTHREADS,
    RANK,
    TID,
    UNKNOWN_VALUE,
    Affine,
    Value,
    join_states,
)
from hpclsp.analysis.values.summaries import RET, FileSummaries, Summary, call_args, callee, summarize

#: The sides of ``a == b`` and the operands of ``a && b``: checkers ask them here, next to the
#: questions they lead to.
equality_operands = consts.equality_operands
conjuncts = consts.conjuncts
#: Dependence sources.
RANK_DEP, SIZE_DEP, THREAD_DEP, TEAM_DEP = "rank", "size", "thread", "team"
CUDA_DEPS = {"threadIdx": "threadIdx", "blockIdx": "blockIdx", "blockDim": "blockDim", "gridDim": "gridDim"}
#: Sources that differ between the threads of one team / block.
THREAD_VARYING = frozenset({THREAD_DEP, "threadIdx", "blockIdx"})

_CALL_VALUES = {
    "omp_get_thread_num": Value(Affine.var(TID), frozenset({THREAD_DEP})),
    "omp_get_num_threads": Value(Affine.var(NTHREADS), frozenset({TEAM_DEP})),
}
_OUT_ARGS = {
    "mpi_comm_rank": Value(Affine.var(RANK), frozenset({RANK_DEP})),
    "mpi_comm_size": Value(Affine.var(NPROCS), frozenset({SIZE_DEP})),
}
#: Lower-case words without which a function has no dependence source.
_KEYWORDS = (*_CALL_VALUES, *_OUT_ARGS, *(k.lower() for k in CUDA_DEPS))
_ASSIGN_C = frozenset({"assignment_expression", "update_expression", "init_declarator"})
_ASSIGN_F = frozenset({"assignment_statement"})
_CALLS = frozenset({"call_expression", "subroutine_call"})
_RETURN = "return_statement"
#: Node visits per graph node before the solver gives up (partial facts).
_WORK_PER_NODE = 12

State = dict[str, Value]


class FunctionValues:
    """The data-flow facts of one function graph, with the questions checkers ask of them."""

    def __init__(self, source: SourceFile, graph: CFG) -> None:
        self.source = source
        self.graph = graph
        self.fortran = source.language == "fortran"
        self._by_ast = {n.ast.id: n.id for n in graph.nodes if n.ast is not None and n.kind in (STMT, COND)}
        #: Per graph node, the syntax that changes variables (assignments, out-argument calls, loop headers).
        self._effects: dict[int, list[Node]] = {}
        self._sources: frozenset[str] | None = None
        self._closes: dict[int, list[tuple[int, frozenset[str]]]] = {}
        self._states: dict[int, State] | None = None
        self.complete = True
        self.summaries = _summaries(source)
        self._comms: tuple[list[Node], list[Node]] = ([], [])

    @property
    def sources(self) -> frozenset[str]:
        """The dependence sources the function mentions at all (its calls and built-ins)."""
        if self._sources is None:
            with self.summaries.solving(self.graph.name):
                self._sources = self._scan()
        return self._sources

    @property
    def rank_comms(self) -> tuple[list[Node], list[Node]]:
        """The communicators of the rank queries the function makes itself, and through its callees."""
        _ = self.sources
        return self._comms

    @property
    def states(self) -> dict[int, State]:
        """The variables' values before each graph node (solved on first use)."""
        if self._states is None:
            with self.summaries.solving(self.graph.name):
                self._sources = self._scan()
                self._states = {}
                self._closes = self._merges()
                self._solve(self._states)
        return self._states

    # -- queries ---------------------------------------------------------------------------------
    def value(self, node: Node) -> Value:
        """The abstract value of an expression, in the state before the statement holding it."""
        state = self.state_before(node)
        return self.eval(node, state) if self.complete else UNKNOWN_VALUE

    def state_before(self, node: Node) -> State:
        """The variables' values before the graph node (statement or condition) holding ``node``."""
        p: Node | None = node
        while p is not None:
            i = self._by_ast.get(p.id)
            if i is not None:
                return self.states.get(i, {})
            p = p.parent
        return {}

    # -- solving ---------------------------------------------------------------------------------
    def _scan(self) -> frozenset[str]:
        """Collect each node's effects; returns the dependence sources met on the way."""
        self._effects = {}
        self._comms = ([], [])
        found: set[str] = set()
        assigns = _ASSIGN_F if self.fortran else _ASSIGN_C
        for n in self.graph.nodes:
            if n.ast is None or n.kind not in (STMT, COND):
                continue
            effects: list[Node] = []
            stack = [n.ast]
            while stack:
                x = stack.pop()
                t = x.type
                if t in assigns or (t == "do_statement" and self.fortran) or t == _RETURN:
                    effects.append(x)
                elif t in _CALLS:
                    self._scan_call(x, found, effects)
                elif t == "identifier" and not self.fortran:
                    dep = CUDA_DEPS.get(self.source.node_text(x))
                    if dep is not None:
                        found.add(dep)
                if t not in ("lambda_expression", "function_definition"):
                    stack.extend(reversed(x.named_children))
            if effects:
                self._effects[n.id] = effects
        return frozenset(found)

    def _scan_call(self, x: Node, found: set[str], effects: list[Node]) -> None:
        """The sources a call brings in; a call that stores through its arguments is an effect."""
        name = callee(x, self.source) or ""
        low = name.lower()
        known = _CALL_VALUES.get(low) or _OUT_ARGS.get(low.removeprefix("p"))
        if known is not None:
            found |= known.deps
            if low.removeprefix("p") in _OUT_ARGS:
                effects.append(x)
                args = call_args(x)
                if low.removeprefix("p") == "mpi_comm_rank" and args:
                    self._comms[0].append(args[0])
            return
        summary = self._summary(name)
        if summary is not None:
            found |= summary.deps
            if summary.outs:
                effects.append(x)
            self._comms[1].extend(summary.comm_args(call_args(x)))

    def _summary(self, name: str) -> Summary | None:
        """The summary of a function of this file (None for any other name)."""
        return self.summaries.get(name) if name else None

    def _merges(self) -> dict[int, list[tuple[int, frozenset[str]]]]:
        """For each merge node, the branches it closes (its immediate post-dominator) and the
        variables assigned between the branch and the merge."""
        g = self.graph
        ipdom = g.postdominators()
        assigned: dict[int, frozenset[str]] = {}
        out: dict[int, list[tuple[int, frozenset[str]]]] = {}
        for c in g.nodes:
            merge = ipdom.get(c.id)
            if c.kind != COND or merge is None:
                continue
            written: set[str] = set()
            for r in g.reachable(c.id, [merge]):
                if r != merge:
                    if r not in assigned:
                        assigned[r] = self._assigned(r)
                    written |= assigned[r]
            if written:
                out.setdefault(merge, []).append((c.id, frozenset(written)))
        return out

    def _assigned(self, n: int) -> frozenset[str]:
        """Variables a statement may assign."""
        out: set[str] = set()
        for x in self._effects.get(n, ()):
            target: Node | None
            if x.type == _RETURN:
                out.add(RET)
                continue
            if x.type in _CALLS:
                out.update(name for _, t in self._call_targets(x) if (name := self._target(t)[1]) is not None)
                continue
            if x.type == "init_declarator":
                target = x.child_by_field_name("declarator")
            elif x.type == "update_expression":
                target = x.child_by_field_name("argument")
            elif x.type == "do_statement":
                ctl = x.named_children[0] if x.named_children else None
                ok = ctl is not None and ctl.type == "loop_control_expression" and ctl.named_children
                target = ctl.named_children[0] if ok and ctl is not None else None
            else:
                target = x.child_by_field_name("left")
            name = self._target(target)[1] if target is not None else None
            if name is not None:
                out.add(name)
        return frozenset(out)

    def _solve(self, states: dict[int, State]) -> None:
        """Worklist iteration in reverse postorder, bounded by a work budget: past it the facts are
        partial, and every query answers "unknown" (``complete`` is False)."""
        g = self.graph
        order = g.reverse_postorder()
        index = {n: i for i, n in enumerate(order)}
        gate_at = {c: m for m, lst in self._closes.items() for c, _ in lst}
        out: dict[int, State] = {}
        heap = list(range(len(order)))
        queued = set(order)
        budget = _WORK_PER_NODE * len(order) + 64
        while heap and budget > 0:
            budget -= 1
            n = order[heapq.heappop(heap)]
            queued.discard(n)
            preds = [out[p] for p in g.nodes[n].pred if p in out]
            prev = states.get(n) if len(g.nodes[n].pred) > 1 else None
            # at a join, meeting the node's previous state too keeps the iteration monotone (a
            # variable widened to its atom here stays widened)
            state = join_states(preds if prev is None else [*preds, prev], n) if n != g.entry else {}
            if n in self._closes and len(preds) > 1:
                state = self._gate(state, preds, self._closes[n], states)
            if n in gate_at and states.get(n) != state:
                self._push(heap, queued, index, gate_at[n])
            states[n] = state
            new = self._transfer(n, state)
            if out.get(n) != new:
                out[n] = new
                for s in g.nodes[n].succ:
                    self._push(heap, queued, index, s)
        self.complete = not heap

    @staticmethod
    def _push(heap: list[int], queued: set[int], index: dict[int, int], n: int) -> None:
        if n in index and n not in queued:
            queued.add(n)
            heapq.heappush(heap, index[n])

    def _gate(
        self,
        state: State,
        preds: list[State],
        closes: list[tuple[int, frozenset[str]]],
        states: dict[int, State],
    ) -> State:
        """At a merge: a variable assigned under a branch, reaching the merge with values that may
        differ, depends on the branch condition (control dependence)."""
        state = dict(state)
        for c, written in closes:
            cn = self.graph.nodes[c]
            if cn.ast is None:
                continue
            deps = self.eval(cn.ast, states.get(c, {})).deps
            if not deps:
                continue
            for v in written:
                vals = {s.get(v, Value(Affine.var(v))) for s in preds}
                if len(vals) == 1 and next(iter(vals)).affine is not None:
                    continue
                state[v] = state.get(v, Value(Affine.var(v))).with_deps(deps)
        return state

    def _transfer(self, n: int, state: State) -> State:
        effects = self._effects.get(n)
        if not effects:
            return state
        new = dict(state)
        for x in effects:
            if x.type == "do_statement":
                self._do_header(x, new)
            elif x.type in _CALLS:
                self._call(x, new)
            elif x.type == _RETURN:
                kids = [c for c in x.named_children if c.type != "comment"]
                new[RET] = self.eval(kids[0], new) if kids else UNKNOWN_VALUE
            else:
                self._assign(x, new)
        return new

    def _do_header(self, head: Node, state: State) -> None:
        ctl = head.named_children[0] if head.named_children else None
        if ctl is None or ctl.type != "loop_control_expression" or not ctl.named_children:
            return
        parts = ctl.named_children
        name = self._name(parts[0])
        if name is not None:
            deps = frozenset().union(*(self.eval(p, state).deps for p in parts[1:]))
            state[name] = Value(Affine.var(name), deps)

    def _assign(self, x: Node, state: State) -> None:
        if x.type == "init_declarator":
            target, rhs = x.child_by_field_name("declarator"), x.child_by_field_name("value")
        elif x.type == "update_expression":
            target, rhs = x.child_by_field_name("argument"), None
        else:
            target, rhs = x.child_by_field_name("left"), x.child_by_field_name("right")
        if target is None:
            return
        strong, name = self._target(target)
        if name is None:
            return
        if x.type == "update_expression":
            old = state.get(name, Value(Affine.var(name)))
            step = Affine(const=1 if "++" in self.source.node_text(x) else -1)
            val = Value(old.affine + step if old.affine is not None else None, old.deps)
        else:
            val = self.eval(rhs, state) if rhs is not None else UNKNOWN_VALUE
            op = x.child_by_field_name("operator")
            if op is not None and self.source.node_text(op) != "=":
                old = state.get(name, Value(Affine.var(name)))
                val = Value(None, old.deps | val.deps)
        if not strong:
            old = state.get(name, Value(Affine.var(name)))
            val = Value(None, old.deps | val.deps)
        state[name] = val

    def _target(self, node: Node) -> tuple[bool, str | None]:
        """(strong update?, variable) for an assignment target: ``x`` is strong, ``a[i]``, ``s.f``, ``*p`` weak."""
        strong = True
        while node.type not in ("identifier", "name"):
            strong = False
            nxt = (
                node.child_by_field_name("argument")
                or node.child_by_field_name("declarator")
                or node.child_by_field_name("value")
                or (node.named_children[0] if node.named_children else None)
            )
            if nxt is None:
                return False, None
            if node.type == "init_declarator" or node.type == "parenthesized_expression":
                strong = True
            node = nxt
        if node.parent is not None and node.parent.type in ("pointer_declarator", "array_declarator"):
            strong = node.parent.type == "pointer_declarator"
        return strong, self._name(node)

    def _call_targets(self, x: Node) -> list[tuple[Value, Node]]:
        """(value stored, argument) for each argument a call stores through: the rank/size of the MPI
        queries, the out-parameters of a summarised function of this file."""
        name = callee(x, self.source) or ""
        args = call_args(x)
        out = _OUT_ARGS.get(name.lower().removeprefix("p"))
        if out is not None:
            return [(out, args[1])] if len(args) > 1 else []
        summary = self._summary(name)
        if summary is None:
            return []
        return [(v, args[i]) for i, v in summary.outs if i < len(args) and args[i].type != "keyword_argument"]

    def _call(self, x: Node, state: State) -> None:
        for out, arg in self._call_targets(x):
            strong, name = self._target(arg)
            if name is None:
                continue
            direct = strong or (
                arg.type == "pointer_expression" and arg.named_children[-1].type == "identifier"
            )
            if direct and out.affine is not None:
                state[name] = out
            else:  # a value stored on some paths only, or into one element: the old value may remain
                old = state.get(name, Value(Affine.var(name)))
                state[name] = Value(None, old.deps | out.deps)

    def _name(self, node: Node) -> str | None:
        if node.type not in ("identifier", "name"):
            return None
        text = self.source.node_text(node)
        return text.lower() if self.fortran else text

    # -- expressions -----------------------------------------------------------------------------
    def eval(self, node: Node | None, state: State) -> Value:
        """The value of an expression in ``state``."""
        if node is None:
            return UNKNOWN_VALUE
        t = node.type
        if t in ("identifier", "name"):
            name = self._name(node) or ""
            return state.get(name, Value(Affine.var(name)))
        if t == "number_literal":
            v = consts.parse_number(self.source.node_text(node))
            return Value(Affine(const=v)) if consts.is_int(v) else UNKNOWN_VALUE
        if t in ("parenthesized_expression", "cast_expression"):
            kids = [c for c in node.named_children if c.type not in ("comment", "type_descriptor")]
            return self.eval(kids[-1], state) if kids else UNKNOWN_VALUE
        if t in _CALLS:
            return self._call_value(node, state)
        if t == "field_expression":
            base = node.child_by_field_name("argument")
            field = node.child_by_field_name("field")
            if base is not None and field is not None and base.type == "identifier":
                dep = CUDA_DEPS.get(self.source.node_text(base))
                if dep is not None:
                    return Value(Affine.var(self.source.node_text(node).replace(" ", "")), frozenset({dep}))
        if t in ("binary_expression", "math_expression"):
            return self._binary(node, state)
        if t == "unary_expression":
            arg = node.child_by_field_name("argument")
            v = self.eval(arg, state)
            op = node.child_by_field_name("operator")
            if op is not None and self.source.node_text(op) == "-" and v.affine is not None:
                return Value(-v.affine, v.deps)
            return Value(v.affine if op is not None and self.source.node_text(op) == "+" else None, v.deps)
        return Value(None, self._deps_within(node, state))

    def _binary(self, node: Node, state: State) -> Value:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        op_node = node.child_by_field_name("operator")
        op = self.source.node_text(op_node) if op_node is not None else ""
        a, b = self.eval(left, state), self.eval(right, state)
        deps = a.deps | b.deps
        fa, fb = a.affine, b.affine
        if fa is None or fb is None:
            return Value(None, deps)
        if op == "+":
            return Value(fa + fb, deps)
        if op == "-":
            return Value(fa - fb, deps)
        if op == "*" and (fa.is_const or fb.is_const):
            return Value(fb.scale(fa.const) if fa.is_const else fa.scale(fb.const), deps)
        if fa.is_const and fb.is_const:
            v = consts.binary(op, fa.const, fb.const)
            if consts.is_int(v):
                return Value(Affine(const=v), deps)
        return Value(None, deps)

    def _call_value(self, node: Node, state: State) -> Value:
        name = callee(node, self.source) or ""
        known = _CALL_VALUES.get(name.lower())
        if known is not None:
            return known
        summary = self._summary(name)
        within = self._deps_within(node, state)
        if summary is None:
            return Value(None, within)
        ret = summary.ret
        return ret if ret.affine is not None else Value(None, ret.deps | within)

    def _deps_within(self, node: Node, state: State) -> frozenset[str]:
        deps: frozenset[str] = frozenset()
        for c in node.named_children:
            deps |= self.eval(c, state).deps
        return deps


def _summaries(source: SourceFile) -> FileSummaries:
    """The file's function summaries (one table per source)."""
    got: FileSummaries | None = source.cache.get("values.summaries")
    if got is None:
        got = source.cache["values.summaries"] = FileSummaries(
            source, _KEYWORDS, lambda fn: _summarize(source, fn)
        )
    return got


def _calls_candidate(source: SourceFile, fn: Node) -> bool:
    """Whether a function calls one of the file's summary candidates (it may reach a source through
    its calls)."""
    fortran = source.language == "fortran"
    name = cfg.build_fortran.unit_name(fn) if fortran else cfg.build_c.function_name(fn)
    summaries = _summaries(source)
    return name is not None and name in summaries.callers and summaries.definitions.get(name) == fn


def _summarize(source: SourceFile, fn: Node) -> Summary | None:
    """The summary of one function definition (None when its facts are partial)."""
    fv = function_values(source, fn.start_byte)
    if fv is None:
        return None
    exit_state = fv.states.get(fv.graph.exit, {})
    if not fv.complete:
        return None
    own, called = fv.rank_comms
    return summarize(source, fn, exit_state, own + called)


# -- the questions checkers ask ----------------------------------------------------------------


def function_values(source: SourceFile, byte: int) -> FunctionValues | None:
    """The facts of the function holding ``byte`` (solved once per function and source)."""
    g = cfg.graph_at(source, byte)
    if g is None:
        return None
    cache: dict[int, FunctionValues] = source.cache.setdefault("values.dependence", {})
    got = cache.get(id(g))
    if got is None:
        got = cache[id(g)] = FunctionValues(source, g)
    return got


def sources_of(source: SourceFile, fn: Node) -> frozenset[str]:
    """The dependence sources function ``fn`` mentions (no graph is built when its text names none)."""
    cache: dict[int, frozenset[str]] = source.cache.setdefault("values.sources", {})
    got = cache.get(fn.start_byte)
    if got is None:
        text = source.node_text(fn).lower()
        named = any(k in text for k in _KEYWORDS) or _calls_candidate(source, fn)
        fv = function_values(source, fn.start_byte) if named else None
        got = cache[fn.start_byte] = fv.sources if fv is not None else frozenset()
    return got


def dependences(source: SourceFile, node: Node) -> frozenset[str]:
    """The sources an expression's value depends on (empty outside functions)."""
    fv = function_values(source, node.start_byte)
    return fv.value(node).deps if fv is not None else frozenset()


def is_rank_dependent(source: SourceFile, node: Node) -> bool:
    """Whether the value of ``node`` may differ between MPI ranks."""
    return RANK_DEP in dependences(source, node)


def is_thread_dependent(source: SourceFile, node: Node) -> bool:
    """Whether the value of ``node`` may differ between the threads of a team or a CUDA grid."""
    return bool(dependences(source, node) & THREAD_VARYING)


def affine_in(source: SourceFile, node: Node, names: frozenset[str] | set[str]) -> Affine | None:
    """The affine form of ``node`` in the current values of ``names`` (variables, or ``TID``,
    ``RANK``...), or None when it involves anything else."""
    fv = function_values(source, node.start_byte)
    if fv is None:
        return None
    form = fv.value(node).affine
    if form is None:
        return None
    state = fv.state_before(node)
    # the atom each name currently stands for (a variable unchanged since a join or the entry)
    current: dict[str, str] = {}
    for name in names:
        cur = state.get(name, Value(Affine.var(name))).affine
        if cur is not None and cur.const == 0 and len(cur.coeffs) == 1 and cur.coeffs[0][1] == 1:
            current[cur.coeffs[0][0]] = name
    if not form.vars <= current.keys():
        return None
    return Affine(tuple(sorted((current[a], c) for a, c in form.coeffs)), form.const)


def constant(source: SourceFile, node: Node) -> int | None:
    """The integer value of ``node`` when it is the same on every path (else None)."""
    form = affine_in(source, node, frozenset())
    return form.const if form is not None else None


def is_thread_id(source: SourceFile, node: Node) -> bool:
    """Whether ``node`` evaluates to exactly the OpenMP thread id (``omp_get_thread_num()``)."""
    return affine_in(source, node, {TID}) == Affine.var(TID)


def thread_id_tests(source: SourceFile, cond: Node) -> list[tuple[Node, int]]:
    """``(tid, c)`` per operand ``tid == c`` (either way) of a condition's ``&&`` chain, ``c`` a constant and
    ``tid`` (unparenthesized) exactly the thread id there: the then-branch runs on thread ``c`` only."""
    out = []
    for part in conjuncts(source, cond):
        sides = equality_operands(source, part)
        for a, b in (sides, sides[::-1]) if sides is not None else ():
            if (c := constant(source, b)) is not None and is_thread_id(source, a):
                out.append((consts.unparenthesized(a) or a, c))
                break
    return out


def called_rank_communicators(source: SourceFile, fn: Node) -> list[Node]:
    """The communicators whose rank function ``fn`` asks for through the functions of this file it
    calls, as its calls name them (the caller's argument where the callee takes the communicator as
    a parameter, the callee's own expression otherwise). Empty when it calls none that asks."""
    if not _calls_candidate(source, fn):
        return []
    fv = function_values(source, fn.start_byte)
    if fv is None or fv.graph.ast.start_byte != fn.start_byte:
        return []
    return fv.rank_comms[1]
