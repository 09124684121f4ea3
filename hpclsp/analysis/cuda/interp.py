"""Executes one CUDA thread of a kernel over concrete thread and launch values.

Integers (indices, loop counters, guards) are computed exactly; memory contents and floating-point
data are ``UNK``. Pointers are ``Ptr`` values (an array identity, a byte offset, the pointee size),
so ``&s[i]``, ``p + k`` and casts keep precise addresses. Every load and store of shared or global
memory is handed to a ``Recorder`` with the thread's barrier epochs.

When a condition cannot be computed, both arms run, their accesses tagged with the arm taken; a
barrier in such code makes the kernel undecidable (``GiveUp``), as does exhausting the step budget.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from hpclsp.analysis.cuda.program import INTEGER_TYPES, N, Program, base_type, call_name, specifiers, walk


class GiveUp(Exception):
    """The kernel cannot be decided (barrier under an unknown condition, budget exhausted, ...)."""


class Infeasible(Exception):
    """This thread violates a stated assumption (``__requires``, ``__assume``): not a real execution."""


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNK"


UNK: Any = _Unknown()


class Ptr:
    """A pointer: array identity, memory space, byte offset, pointee size and type, inner dimensions."""

    __slots__ = ("base", "space", "off", "esize", "dims", "size", "volatile", "elem")

    def __init__(
        self,
        base: str,
        space: str,  # "shared" | "global" | "local" | "const"
        off: int,
        esize: int,
        dims: tuple[int, ...] = (),
        size: int | None = None,  # bytes of the whole array when declared with constant extents
        volatile: bool = False,
        elem: str = "",  # pointee type name
    ) -> None:
        self.base, self.space, self.off, self.esize = base, space, off, esize
        self.dims, self.size, self.volatile, self.elem = dims, size, volatile, elem

    def _key(self) -> tuple[Any, ...]:
        return (self.base, self.off, self.esize, self.dims)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ptr) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def moved(self, delta: int, dims: tuple[int, ...] | None = None) -> Ptr:
        """The pointer ``delta`` bytes further (optionally with fewer inner dimensions)."""
        return Ptr(
            self.base,
            self.space,
            self.off + delta,
            self.esize,
            self.dims if dims is None else dims,
            self.size,
            self.volatile,
            self.elem,
        )

    def retyped(self, esize: int, elem: str, volatile: bool = False) -> Ptr:
        """The same address seen as a pointer to another type (a cast)."""
        return Ptr(self.base, self.space, self.off, esize, (), self.size, self.volatile or volatile, elem)


@dataclasses.dataclass(frozen=True)
class Mem:
    """The unknown content of one memory location (equal tokens: the same value, if never written)."""

    base: str
    off: int


@dataclasses.dataclass(frozen=True)
class Cell:
    """A scalar variable in shared or global memory (reads and writes are accesses)."""

    ptr: Ptr


@dataclasses.dataclass(frozen=True)
class Group:
    """A cooperative group: ``block``, ``grid`` or ``warp`` (tiles and coalesced groups)."""

    kind: str


@dataclasses.dataclass(frozen=True)
class Agg:
    """A struct-typed parameter whose fields may be pointers to global memory."""

    path: str


class Recorder(Protocol):
    """Receives the memory accesses and barriers of the threads being executed."""

    def access(self, th: Thread, ptr: Ptr, size: int, kind: str, node: N, value: Any) -> None: ...

    def tick(self) -> None: ...


BREAK, CONTINUE, RETURN = 1, 2, 3
#: Offset of an access whose element is chosen by data (``bins[data[i]]++``).
ANY_ELEMENT = -1
LOOP_CAP = 8  # iterations of a loop without barriers (enough for every pattern of a few threads)
LOOP_CAP_BARRIER = 5
ATOMICS = frozenset(
    "atomicAdd atomicSub atomicExch atomicMin atomicMax atomicInc atomicDec atomicCAS atomicAnd "
    "atomicOr atomicXor atomicAdd_block atomicAdd_system".split()
)
ANNOTATIONS = frozenset(
    "__assert __assume __requires __ensures __invariant __global_invariant __function_wide_invariant "
    "__function_wide_requires __read_implies __write_implies __no_read __no_write __reads_from "
    "__writes_to __global_requires __global_ensures __requires_fresh_array printf assert".split()
)
ASSUMPTIONS = frozenset({"__requires", "__assume", "__axiom", "__global_requires"})
CURAND_INIT = frozenset({"curand_init"})
INT_FUNCS: dict[str, Any] = {
    "min": min,
    "max": max,
    "umin": min,
    "umax": max,
    "abs": abs,
    "__mul24": lambda a, b: a * b,
    "__umul24": lambda a, b: a * b,
}


@dataclasses.dataclass
class Thread:
    """The identity and barrier state of one simulated thread."""

    tid: tuple[int, int, int]
    bid: tuple[int, int, int]
    bdim: tuple[int, int, int]
    gdim: tuple[int, int, int]
    lin: int  # linear id inside the block
    block: int  # linear block id
    epochs: list[int] = dataclasses.field(default_factory=lambda: [0, 0, 0])  # grid, block, warp
    trace: list[int] = dataclasses.field(default_factory=list)  # block/grid barrier node ids
    grid_trace: list[int] = dataclasses.field(default_factory=list)
    #: Undecidable branches this thread is inside: (condition id, arm). Accesses made on such a path
    #: may or may not happen; two of them are compatible unless they took different arms of one branch.
    path: list[tuple[int, int]] = dataclasses.field(default_factory=list)
    exited_maybe: bool = False

    @property
    def warp(self) -> int:
        """Warp index inside the block."""
        return self.lin // 32


class Interp:
    """Runs kernels and device functions of a ``Program`` for one thread at a time."""

    def __init__(self, prog: Program, rec: Recorder, params: dict[str, int]) -> None:
        self.prog = prog
        self.rec = rec
        self.params = params  # value of integer kernel arguments and template parameters
        self.bcache: dict[int, bool] = {}
        self.th: Thread | None = None
        self.ret: Any = UNK
        self.depth = 0
        self.steps = 0
        self._ev = self._dispatch()
        self._rmw = False
        #: Names read by each undecidable condition met (keyed like ``Thread.path``).
        self.conds: dict[int, set[str]] = {}
        self.globals: dict[str, Any] = {}
        self.barrier_nodes: dict[int, N] = {}
        for d in prog.globals:
            self._declare(d, self.globals, file_scope=True)

    # -- entry -------------------------------------------------------------------------------------
    def run(self, th: Thread, kernel: N) -> None:
        """Execute a kernel for one thread."""
        self.th = th
        env: dict[str, Any] = {}
        for name in self.prog.template_params.get(kernel.id, []):
            env[name] = self.params.get("<template>", UNK)
        for name, kind, size, ty in params_of(self.prog, kernel):
            if kind == "ptr":
                env[name] = Ptr(name, "global", 0, size or 4, elem=ty)
            elif kind == "int":
                env[name] = self.params.get(f"<int:{name}>", self.params.get("<int>", UNK))
            elif kind == "agg":
                env[name] = Agg(name)
            elif kind == "group":
                env[name] = Group(ty)
            else:
                env[name] = UNK
        for ax in self.prog.axioms:
            self.eval(ax, env)
        body = kernel.f.get("body")
        if body is None:
            return
        for st in body.kids:  # `__requires(n == 128)`: the argument value the verifier assumed
            call = st.kids[0] if st.type == "expression_statement" and st.kids else None
            if call is None or call.type != "call_expression" or call_name(call) != "__requires":
                continue
            arg = call.f["arguments"].kids[0] if "arguments" in call.f and call.f["arguments"].kids else None
            if arg is not None and arg.type == "binary_expression" and arg.f["operator"].text == "==":
                left, right = arg.f.get("left"), arg.f.get("right")
                if left is not None and right is not None and left.type == "identifier" and left.text in env:
                    v = self.eval(right, env)
                    if isinstance(v, int) and isinstance(env[left.text], int):
                        env[left.text] = v
        self.exec(body, env)

    # -- statements --------------------------------------------------------------------------------
    def exec(self, n: N, env: dict[str, Any]) -> int | None:
        """Execute a statement; returns BREAK/CONTINUE/RETURN or None."""
        self.steps += 1
        if not self.steps & 255:
            self.rec.tick()
        t = n.type
        if t == "compound_statement":
            for k in n.kids:
                s = self.exec(k, env)
                if s:
                    return s
            return None
        if t == "expression_statement":
            if n.kids:
                self.eval(n.kids[0], env)
            return None
        if t == "declaration":
            self._declare(n, env)
            return None
        if t == "if_statement":
            return self._if(n, env)
        if t in ("for_statement", "while_statement", "do_statement"):
            return self._loop(n, env)
        if t == "return_statement":
            self.ret = self.eval(n.kids[0], env) if n.kids else UNK
            return RETURN
        if t == "break_statement":
            return BREAK
        if t == "continue_statement":
            return CONTINUE
        if t == "switch_statement":
            return self._switch(n, env)
        if t in ("labeled_statement", "attributed_statement"):
            return self.exec(n.kids[-1], env) if n.kids else None
        if t in ("goto_statement", "for_range_loop", "try_statement", "throw_statement", "ERROR"):
            raise GiveUp(t)
        return None  # comments, preprocessor lines, type definitions, empty statements

    def _if(self, n: N, env: dict[str, Any]) -> int | None:
        cond = n.f.get("condition")
        c = self.truth(self.eval(_cond(cond), env)) if cond is not None else UNK
        cons, alt = n.f.get("consequence"), n.f.get("alternative")
        if alt is not None and alt.type == "else_clause":
            alt = alt.kids[-1] if alt.kids else None
        if c is not UNK:
            branch = cons if c else alt
            return self.exec(branch, env) if branch is not None else None
        if self.prog.contains_barrier(n, self.bcache):
            raise GiveUp("barrier under an undecidable condition")
        self._note_cond(n.id, cond)
        return self._both(env, n.id, cons, alt)

    def _both(self, env: dict[str, Any], key: int, *arms: N | None) -> int | None:
        """Run every arm of an undecidable branch on its own path; merge the environments."""
        th = self.th
        assert th is not None
        envs = []
        left_early = False
        for i, arm in enumerate(arms):
            e = dict(env)
            th.path.append((key, i))
            if arm is not None and self.exec(arm, e):
                left_early = True
            th.path.remove((key, i))
            envs.append(e)
        for k in set().union(*envs):
            vals = [e.get(k, UNK) for e in envs]
            env[k] = vals[0] if all(v == vals[0] for v in vals) else UNK
        if left_early:  # this thread may have left the loop/function: what follows may not run
            th.path.append((key, -1))
            th.exited_maybe = True
        return None

    def _note_cond(self, key: int, cond: N | None) -> None:
        """Remember the names an undecidable condition reads (to judge accesses made under it)."""
        if key not in self.conds:
            self.conds[key] = (
                {x.text for x in walk(cond) if x.type == "identifier"} if cond is not None else set()
            )

    def _loop(self, n: N, env: dict[str, Any]) -> int | None:
        th = self.th
        assert th is not None
        t = n.type
        body = n.f.get("body")
        cond = n.f.get("condition")
        cond = _cond(cond) if cond is not None else None
        init, update = n.f.get("initializer"), n.f.get("update")
        if init is not None:
            if init.type == "declaration":
                self._declare(init, env)
            else:
                self.eval(init, env)
        has_barrier = self.prog.contains_barrier(n, self.bcache)
        iters = 0
        unsure = 0
        first = t == "do_statement"
        while True:
            if not first:
                c = self.truth(self.eval(cond, env)) if cond is not None else 1
                if c is UNK:
                    if has_barrier:
                        raise GiveUp("barrier in a loop with an undecidable condition")
                    if unsure == 0:
                        th.path.append((n.id, 0))
                        self._note_cond(n.id, cond)
                    unsure += 1
                    if unsure > 2:
                        break
                elif not c:
                    break
            first = False
            iters += 1
            if iters > (LOOP_CAP_BARRIER if has_barrier else LOOP_CAP):
                for x in _assigned(n):
                    if not has_barrier and x == _counter(update):
                        continue
                    env[x] = UNK
                if not has_barrier and self._tail(n, env, cond, update, body) == RETURN:
                    return RETURN
                break
            s = self.exec(body, env) if body is not None else None
            if s == BREAK:
                break
            if s == RETURN:
                if unsure:
                    th.path.remove((n.id, 0))
                return RETURN
            if update is not None:
                self.eval(update, env)
        if unsure:
            th.path.remove((n.id, 0))
            for x in _assigned(n):
                env[x] = UNK
        return None

    def _tail(
        self, n: N, env: dict[str, Any], cond: N | None, update: N | None, body: N | None
    ) -> int | None:
        """Run the last two iterations of a truncated counted loop (``for (i = a; i < b; i += c)``).

        The first iterations and the last ones are where threads meet their neighbours' elements.
        """
        v = _counter(update)
        step = self._step(update, env) if v is not None else None
        cur = env.get(v) if v is not None else None
        if v is None or not isinstance(step, int) or step <= 0 or not isinstance(cur, int) or body is None:
            if v is not None:
                env[v] = UNK
            return None
        if cond is None or cond.type != "binary_expression" or v in _assigned(body):
            env[v] = UNK
            return None
        left, op, right = cond.f.get("left"), cond.f.get("operator"), cond.f.get("right")
        bound = self.eval(right, env) if right is not None else UNK
        if (
            left is None
            or left.text != v
            or op is None
            or op.text not in ("<", "<=", "!=")
            or not isinstance(bound, int)
        ):
            env[v] = UNK
            return None
        last = bound - (0 if op.text == "<=" else 1)
        last = cur + ((last - cur) // step) * step
        for value in (last - step, last):
            if value >= cur:
                env[v] = value
                s = self.exec(body, env)
                if s in (BREAK, RETURN):
                    env[v] = UNK
                    return s
        env[v] = UNK
        return None

    def _step(self, update: N | None, env: dict[str, Any]) -> Any:
        if update is None:
            return None
        if update.type == "update_expression":
            return 1 if "++" in update.text else None
        if update.type == "assignment_expression" and update.f.get("operator") is not None:
            right = update.f.get("right")
            if update.f["operator"].text == "+=" and right is not None:
                return self.eval(right, env)
        return None

    def _switch(self, n: N, env: dict[str, Any]) -> int | None:
        cond = n.f.get("condition")
        v = self.eval(_cond(cond), env) if cond is not None else UNK
        body = n.f.get("body")
        cases = [k for k in body.kids if k.type == "case_statement"] if body is not None else []
        if v is UNK or not isinstance(v, int):
            if self.prog.contains_barrier(n, self.bcache):
                raise GiveUp("barrier in an undecidable switch")
            self._note_cond(n.id, cond)
            return self._both(env, n.id, *[_case_body(c) for c in cases])
        start = None
        for i, c in enumerate(cases):
            val = c.f.get("value")
            if val is not None and self.eval(val, env) == v:
                start = i
                break
        if start is None:
            start = next((i for i, c in enumerate(cases) if c.f.get("value") is None), None)
        if start is None:
            return None
        for c in cases[start:]:
            for st in c.kids[1:] if c.f.get("value") is not None else c.kids:
                s = self.exec(st, env)
                if s == BREAK:
                    return None
                if s:
                    return s
        return None

    def _declare(self, n: N, env: dict[str, Any], file_scope: bool = False) -> None:
        spec = specifiers(n)
        shared = "__shared__" in spec
        space = (
            "shared"
            if shared
            else "global"
            if "__device__" in spec
            else "const"
            if "__constant__" in spec
            else None
        )
        if file_scope and space is None and "const" not in spec and "constexpr" not in spec:
            return
        ty = n.f.get("type")
        tname = base_type(ty)
        esize = self.prog.type_size(ty) or 4
        vol = "volatile" in spec
        for d in n.kids:
            if d.type not in ("identifier", "init_declarator", "array_declarator", "pointer_declarator"):
                continue
            value = d.f.get("value") if d.type == "init_declarator" else None
            decl = d.f.get("declarator") if d.type == "init_declarator" else d
            dims: list[int | None] = []
            ptr = False
            while decl is not None and decl.type in (
                "array_declarator",
                "pointer_declarator",
                "reference_declarator",
            ):
                if decl.type == "array_declarator":
                    sz = decl.f.get("size")
                    dims.insert(0, _as_int(self.eval(sz, env)) if sz is not None else None)
                elif decl.type == "pointer_declarator":
                    ptr = True
                decl = decl.f.get("declarator") or (decl.kids[-1] if decl.kids else None)
            if decl is None or decl.type != "identifier":
                continue
            name = decl.text
            if dims and not ptr:
                inner = tuple(x or 0 for x in dims[1:])
                total = None if any(x is None for x in dims) else esize * _prod(dims)  # type: ignore[arg-type]
                sp = space or "local"
                base = f"{name}@{n.id}"
                env[name] = Ptr(base, sp, 0, esize, inner, total, vol, tname)
            elif space in ("shared", "global") and not ptr:
                env[name] = Cell(Ptr(f"{name}@{n.id}", space, 0, esize, (), esize, vol, tname))
            elif value is not None:
                v = self.eval(value, env) if value.type != "initializer_list" else UNK
                if isinstance(v, Ptr) and vol and not v.volatile:
                    v = v.retyped(v.esize, v.elem, True) if not v.dims else v
                if tname not in INTEGER_TYPES and isinstance(v, (int, float)) and not ptr:
                    v = UNK if tname not in ("float", "double") else float(v)
                env[name] = v
            else:
                env[name] = UNK

    # -- expressions -------------------------------------------------------------------------------
    def truth(self, v: Any) -> Any:
        """1/0 for a known scalar or pointer, UNK otherwise."""
        if isinstance(v, (int, float)):
            return 1 if v else 0
        if isinstance(v, Ptr):
            return 1
        return UNK

    def eval(self, n: N, env: dict[str, Any]) -> Any:
        """The value of an expression (recording the memory accesses it performs)."""
        self.steps += 1
        if not self.steps & 255:
            self.rec.tick()
        f = self._ev.get(n.type)
        return f(n, env) if f is not None else self._ev_other(n, env)

    def _dispatch(self) -> dict[str, Any]:
        return {
            "number_literal": self._ev_number,
            "identifier": self._name,
            "parenthesized_expression": lambda n, env: self.eval(n.kids[-1], env) if n.kids else UNK,
            "binary_expression": self._binary,
            "field_expression": self._field,
            "subscript_expression": lambda n, env: self._load(self.lvalue(n, env), n, env),
            "assignment_expression": self._assign,
            "update_expression": self._ev_update,
            "unary_expression": self._ev_unary,
            "pointer_expression": self._ev_pointer,
            "call_expression": self._call,
            "conditional_expression": self._ev_conditional,
            "cast_expression": lambda n, env: self._cast(
                n.f.get("type"), self.eval(n.f["value"], env) if "value" in n.f else UNK
            ),
            "comma_expression": self._ev_comma,
            "sizeof_expression": self._ev_sizeof,
            "true": lambda n, env: 1,
            "false": lambda n, env: 0,
            "null": lambda n, env: 0,
            "nullptr": lambda n, env: 0,
            "char_literal": lambda n, env: UNK,
        }

    def _ev_number(self, n: N, env: dict[str, Any]) -> Any:
        v = _NUMBERS.get(n.text, _MISSING)
        if v is _MISSING:
            v = _NUMBERS[n.text] = _number(n.text)
        return v

    def _ev_update(self, n: N, env: dict[str, Any]) -> Any:
        arg = n.f.get("argument")
        if arg is None:
            return UNK
        old = self.eval(arg, env)
        new = _arith("+" if "++" in n.text else "-", old, 1)
        self._store(arg, new, env, rmw=True)
        return new if n.text.lstrip().startswith(("++", "--")) else old

    def _ev_unary(self, n: N, env: dict[str, Any]) -> Any:
        v = self.eval(n.f["argument"], env) if "argument" in n.f else UNK
        op = n.f["operator"].text if "operator" in n.f else ""
        if not isinstance(v, (int, float)):
            return UNK
        if op == "-":
            return -v
        if op == "!":
            return 0 if v else 1
        if op == "~" and isinstance(v, int):
            return ~v
        return v

    def _ev_pointer(self, n: N, env: dict[str, Any]) -> Any:
        op = n.f["operator"].text if "operator" in n.f else ""
        arg = n.f.get("argument")
        if arg is None:
            return UNK
        if op == "&":
            return self.address(arg, env)
        p = self.eval(arg, env)
        return self._load(p, n, env) if isinstance(p, Ptr) else UNK

    def _ev_conditional(self, n: N, env: dict[str, Any]) -> Any:
        c = self.truth(self.eval(n.f["condition"], env)) if "condition" in n.f else UNK
        a, b = n.f.get("consequence"), n.f.get("alternative")
        if c is not UNK:
            arm = a if c else b
            return self.eval(arm, env) if arm is not None else UNK
        th = self.th
        assert th is not None
        th.path.append((n.id, 0))
        self._note_cond(n.id, n.f.get("condition"))
        va = self.eval(a, env) if a is not None else UNK
        th.path[-1] = (n.id, 1)
        vb = self.eval(b, env) if b is not None else UNK
        th.path.pop()
        return va if va == vb else UNK

    def _ev_comma(self, n: N, env: dict[str, Any]) -> Any:
        left = n.f.get("left")
        if left is not None:
            self.eval(left, env)
        right = n.f.get("right")
        return self.eval(right, env) if right is not None else UNK

    def _ev_sizeof(self, n: N, env: dict[str, Any]) -> Any:
        ty = n.f.get("type")
        if ty is not None:
            return self.prog.type_size(ty.f.get("type") or ty) or UNK
        return UNK

    def _ev_other(self, n: N, env: dict[str, Any]) -> Any:
        for k in n.kids:  # anything else: evaluate the parts for their accesses
            if k.type.endswith("expression"):
                self.eval(k, env)
        return UNK

    def _name(self, n: N, env: dict[str, Any]) -> Any:
        name = n.text
        v = env.get(name, self.globals.get(name, _MISSING))
        if v is _MISSING:
            if name == "warpSize":
                return 32
            if name in self.params:
                return self.params[name]
            m = self.prog.macro(name)
            if m is not None and self.depth < 20:
                self.depth += 1
                try:
                    return self.eval(m, env)
                finally:
                    self.depth -= 1
            return UNK
        if isinstance(v, Cell):
            return self._load(v.ptr, n, env)
        return v

    def _field(self, n: N, env: dict[str, Any]) -> Any:
        arg, fld = n.f.get("argument"), n.f.get("field")
        if arg is None or fld is None:
            return UNK
        th = self.th
        assert th is not None
        if arg.type == "identifier" and arg.text in ("threadIdx", "blockIdx", "blockDim", "gridDim"):
            vec = {"threadIdx": th.tid, "blockIdx": th.bid, "blockDim": th.bdim, "gridDim": th.gdim}[arg.text]
            i = "xyz".find(fld.text)
            return vec[i] if i >= 0 else UNK
        base = self.eval(arg, env) if arg.type != "subscript_expression" else self.lvalue(arg, env)
        if isinstance(base, Agg):
            return Agg(f"{base.path}.{fld.text}")
        if isinstance(base, Ptr) and arg.type == "subscript_expression":
            return self._load(base, n, env)
        return UNK

    def _binary(self, n: N, env: dict[str, Any]) -> Any:
        op = n.f["operator"].text if "operator" in n.f else ""
        a = self.eval(n.f["left"], env) if "left" in n.f else UNK
        if op == "&&" and a is not UNK and not self.truth(a):
            return 0
        if op == "||" and a is not UNK and self.truth(a):
            return 1
        b = self.eval(n.f["right"], env) if "right" in n.f else UNK
        if op in ("&&", "||"):
            tb = self.truth(b)
            if op == "&&":
                return 0 if tb == 0 else UNK if a is UNK or tb is UNK else 1
            return 1 if tb == 1 else UNK if a is UNK or tb is UNK else 0
        if isinstance(a, Ptr) or isinstance(b, Ptr):
            return _ptr_arith(op, a, b)
        return _arith(op, a, b)

    def _cast(self, ty: N | None, v: Any) -> Any:
        if ty is None:
            return v
        inner = ty.f.get("type")
        is_ptr = "*" in ty.text
        if isinstance(v, Ptr):
            if is_ptr:
                size = self.prog.type_size(inner) or v.esize
                return v.retyped(size, base_type(inner), "volatile" in ty.text)
            return UNK
        if is_ptr or not isinstance(v, (int, float)):
            return UNK
        name = base_type(inner)
        if name in ("float", "double"):
            return float(v)
        if name in INTEGER_TYPES:
            return int(v)
        return UNK

    # -- memory ------------------------------------------------------------------------------------
    def address(self, n: N, env: dict[str, Any]) -> Any:
        """The pointer an lvalue designates (``&x``)."""
        if n.type == "identifier":
            v = env.get(n.text, self.globals.get(n.text))
            if isinstance(v, Cell):
                return v.ptr
            return UNK
        if n.type in (
            "subscript_expression",
            "parenthesized_expression",
            "pointer_expression",
            "field_expression",
        ):
            if n.type == "parenthesized_expression" and n.kids:
                return self.address(n.kids[-1], env)
            if n.type == "pointer_expression" and "argument" in n.f and n.f["operator"].text == "*":
                return self.eval(n.f["argument"], env)
            if n.type == "field_expression":
                arg = n.f.get("argument")
                return (
                    self.lvalue(arg, env) if arg is not None and arg.type == "subscript_expression" else UNK
                )
            return self.lvalue(n, env)
        return UNK

    def lvalue(self, n: N, env: dict[str, Any]) -> Any:
        """The element pointer of ``a[i][j]`` (a ``Ptr`` with the remaining dimensions), or UNK."""
        arg, idx = n.f.get("argument"), n.f.get("indices") or n.f.get("index")
        if arg is None or idx is None:
            return UNK
        base = self.lvalue(arg, env) if arg.type == "subscript_expression" else self.eval(arg, env)
        i = self.eval(idx.kids[0] if idx.type == "subscript_argument_list" and idx.kids else idx, env)
        if isinstance(base, Agg):
            par = n.node.parent
            if (
                par is not None
                and par.type == "subscript_expression"
                and par.child_by_field_name("argument") == n.node
            ):
                return Agg(f"{base.path}[{i}]")
            base = Ptr(base.path, "global", 0, 4)
        if (
            isinstance(base, Ptr)
            and isinstance(i, Mem)
            and self._rmw
            and base.space == "shared"
            and not base.dims
        ):
            # a read-modify-write at an index read from memory (a histogram bin): any element
            return Ptr(base.base, base.space, ANY_ELEMENT, base.esize, (), None, base.volatile, base.elem)
        if not isinstance(base, Ptr) or not isinstance(i, int):
            return UNK
        if base.dims:
            row = _prod(base.dims) * base.esize
            return base.moved(i * row, base.dims[1:])
        return base.moved(i * base.esize)

    def _load(self, p: Any, n: N, env: dict[str, Any]) -> Any:
        if not isinstance(p, Ptr) or p.dims:
            return UNK if not isinstance(p, Ptr) else p
        th = self.th
        assert th is not None
        self.rec.access(th, p, p.esize, "R", n, None)
        return Mem(p.base, p.off)

    def _assign(self, n: N, env: dict[str, Any]) -> Any:
        op = n.f["operator"].text if "operator" in n.f else "="
        left, right = n.f.get("left"), n.f.get("right")
        if left is None or right is None:
            return UNK
        v = self.eval(right, env) if right.type != "initializer_list" else UNK
        if op != "=":
            old = self.eval(left, env)
            v = _ptr_arith(op[:-1], old, v) if isinstance(old, Ptr) else _arith(op[:-1], old, v)
        self._store(left, v, env, rmw=op != "=")
        return v

    def _store(self, left: N, v: Any, env: dict[str, Any], rmw: bool = False) -> None:
        th = self.th
        assert th is not None
        if left.type == "identifier":
            cur = env.get(left.text, self.globals.get(left.text, _MISSING))
            if isinstance(cur, Cell):
                self.rec.access(th, cur.ptr, cur.ptr.esize, "W", left, v)
            elif cur is _MISSING or left.text in env:
                env[left.text] = v
            return
        if left.type == "parenthesized_expression" and left.kids:
            self._store(left.kids[-1], v, env, rmw)
            return
        self._rmw = rmw
        try:
            p = self.address(left, env)
        finally:
            self._rmw = False
        if isinstance(p, Ptr) and not p.dims:
            self.rec.access(th, p, p.esize, "W", left, v)

    def _call(self, n: N, env: dict[str, Any]) -> Any:  # noqa: C901 - one dispatch over callees
        name = call_name(n)
        args_node = n.f.get("arguments")
        args = args_node.kids if args_node is not None else []
        th = self.th
        assert th is not None
        if name in ASSUMPTIONS and args:
            if self.truth(self.eval(args[0], env)) == 0:
                raise Infeasible(name)
            return UNK
        if name in ANNOTATIONS:
            return UNK
        if name in ("__syncthreads", "__syncthreads_count", "__syncthreads_and", "__syncthreads_or"):
            for a in args:
                self.eval(a, env)
            self.barrier("block", n)
            return UNK
        if name == "__syncwarp":
            self.barrier("warp", n)
            return UNK
        fn = n.f.get("function")
        if name in ("sync", "synchronize"):
            g: Any = UNK
            if fn is not None and fn.type == "field_expression" and "argument" in fn.f:
                g = self.eval(fn.f["argument"], env)
            elif args:
                g = self.eval(args[0], env)
            self.barrier(g.kind if isinstance(g, Group) else "block", n)
            return UNK
        if name in ("this_thread_block",):
            return Group("block")
        if name in ("this_grid",):
            return Group("grid")
        if name in ("tiled_partition", "coalesced_threads", "this_thread"):
            return Group("warp")
        vals = [self.eval(a, env) for a in args]
        if name in ATOMICS and vals and isinstance(vals[0], Ptr):
            self.rec.access(th, vals[0], vals[0].esize, "A", n, None)
            return UNK
        if (
            name in ("memcpy", "__builtin_memcpy", "memset", "__builtin_memset", "cudaMemcpyAsync")
            and len(vals) >= 3
        ):
            ln = vals[2]
            if isinstance(ln, int) and 0 < ln <= 4096:
                if isinstance(vals[0], Ptr):
                    self.rec.access(th, vals[0], ln, "W", n, UNK)
                if "memcpy" in name and isinstance(vals[1], Ptr):
                    self.rec.access(th, vals[1], ln, "R", n, None)
            return UNK
        if name.startswith("curand"):
            st = vals[-1] if name in CURAND_INIT else (vals[0] if vals else UNK)
            if isinstance(st, Ptr):
                if "mtgp32" in st.elem.lower() and name not in CURAND_INIT:
                    # an MTGP32 state is shared by the threads of one block by design
                    self.rec.access(th, st, st.esize, "B", n, None)
                    return UNK
                if name not in CURAND_INIT:
                    self.rec.access(th, st, st.esize, "R", n, None)
                self.rec.access(th, st, st.esize, "W", n, UNK)
            return UNK
        if name == "__ldg" and vals and isinstance(vals[0], Ptr):
            return self._load(vals[0], n, env)
        if name in INT_FUNCS and len(vals) == 2 - (name == "abs") and all(isinstance(v, int) for v in vals):
            return INT_FUNCS[name](*vals)
        fns = self.prog.functions.get(name)
        if fns and fn is not None and fn.type in ("identifier", "qualified_identifier", "template_function"):
            target = next((f for f in fns if len(params_of(self.prog, f)) == len(vals)), None)
            if target is not None:
                return self._invoke(target, vals)
        return UNK

    def _invoke(self, fn: N, vals: list[Any]) -> Any:
        if self.depth > 12:
            raise GiveUp("call depth")
        env: dict[str, Any] = {}
        for name in self.prog.template_params.get(fn.id, []):
            env[name] = self.params.get("<template>", UNK)
        for (name, kind, _size, _ty), v in zip(params_of(self.prog, fn), vals, strict=False):
            env[name] = v if kind != "int" or isinstance(v, int) or v is UNK else UNK
        body = fn.f.get("body")
        if body is None:
            return UNK
        self.depth += 1
        try:
            self.ret = UNK
            s = self.exec(body, env)
            return self.ret if s == RETURN else UNK
        finally:
            self.depth -= 1

    def barrier(self, kind: str, n: N) -> None:
        """Advance the thread's epochs past a block, grid or warp barrier."""
        th = self.th
        assert th is not None
        if th.path or th.exited_maybe:
            raise GiveUp("barrier reached on an undecidable path")
        ep = th.epochs
        self.barrier_nodes[n.id] = n
        if kind == "grid":
            ep[0] += 1
            ep[1] += 1
            ep[2] += 1
            th.grid_trace.append(n.id)
            th.trace.append(n.id)
        elif kind == "block":
            ep[1] += 1
            ep[2] += 1
            th.trace.append(n.id)
        else:
            ep[2] += 1


_MISSING: Any = object()
_NUMBERS: dict[str, Any] = {}
_PARAM_CACHE: dict[int, list[tuple[str, str, int | None, str]]] = {}


def params_of(prog: Program, fn: N) -> list[tuple[str, str, int | None, str]]:
    """(name, kind, pointee size, type) of a function's parameters; kind: ptr | int | agg | group | other."""
    key = id(prog) * 1_000_003 + fn.id
    got = _PARAM_CACHE.get(key)
    if got is not None:
        return got
    out: list[tuple[str, str, int | None, str]] = []
    d = fn.f.get("declarator")
    while d is not None and d.type != "function_declarator":
        d = d.f.get("declarator")
    pl = d.f.get("parameters") if d is not None else None
    for p in pl.kids if pl is not None else []:
        if p.type != "parameter_declaration":
            continue
        ty = p.f.get("type")
        decl = p.f.get("declarator")
        is_ptr = False
        while decl is not None and decl.type in (
            "pointer_declarator",
            "reference_declarator",
            "array_declarator",
        ):
            is_ptr = is_ptr or decl.type in ("pointer_declarator", "array_declarator")
            decl = decl.f.get("declarator") or (decl.kids[-1] if decl.kids else None)
        if decl is None or decl.type != "identifier":
            out.append(("", "other", None, ""))
            continue
        tname = base_type(ty)
        if is_ptr:
            out.append((decl.text, "ptr", prog.type_size(ty), tname))
        elif tname in INTEGER_TYPES:
            out.append((decl.text, "int", None, tname))
        elif tname in ("thread_block", "grid_group", "thread_block_tile", "coalesced_group"):
            out.append(
                (decl.text, "group", None, {"grid_group": "grid", "thread_block": "block"}.get(tname, "warp"))
            )
        elif (
            ty is not None
            and ty.type in ("type_identifier", "struct_specifier")
            and tname not in ("float", "double")
        ):
            out.append((decl.text, "agg", None, tname))
        else:
            out.append((decl.text, "other", None, tname))
    if len(_PARAM_CACHE) > 4096:
        _PARAM_CACHE.clear()
    _PARAM_CACHE[key] = out
    return out


def _counter(update: N | None) -> str | None:
    """The variable a loop update steps (``i++``, ``i += c``), or None."""
    if update is None:
        return None
    target = update.f.get("argument") if update.type == "update_expression" else update.f.get("left")
    if update.type in ("update_expression", "assignment_expression") and target is not None:
        return target.text if target.type == "identifier" else None
    return None


def _cond(n: N) -> N:
    if n.type == "condition_clause":
        return n.f.get("value") or (n.kids[-1] if n.kids else n)
    return n


def _case_body(c: N) -> N:
    return c  # a case_statement executes its statements; its value is a literal


def _assigned(n: N) -> set[str]:
    out = set()
    for x in walk(n):
        if x.type in ("assignment_expression", "update_expression"):
            target = x.f.get("left") or x.f.get("argument")
            if target is not None and target.type == "identifier":
                out.add(target.text)
        elif x.type == "init_declarator":
            d = x.f.get("declarator")
            if d is not None and d.type == "identifier":
                out.add(d.text)
    return out


def _number(text: str) -> Any:
    t = text.strip().replace("'", "")
    low = t.lower()
    if low.startswith("0x"):
        try:
            return int(low.rstrip("ul"), 16)
        except ValueError:
            return UNK
    if any(c in low for c in ".e") or low.endswith("f"):
        try:
            return float(low.rstrip("fl"))
        except ValueError:
            return UNK
    try:
        s = low.rstrip("ul")
        return int(s, 8) if len(s) > 1 and s.startswith("0") and s.isdigit() else int(s, 0)
    except ValueError:
        return UNK


def _as_int(v: Any) -> int | None:
    return v if isinstance(v, int) else None


def _prod(xs: Any) -> int:
    out = 1
    for x in xs:
        out *= x
    return out


def _arith(op: str, a: Any, b: Any) -> Any:  # noqa: C901 - C operators
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return UNK
    if op in ("==", "!=", "<", "<=", ">", ">="):
        return int({"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if isinstance(a, float) or isinstance(b, float):
        return a / b if op == "/" and b else UNK
    if op in ("/", "%"):
        if b == 0:
            return UNK
        q = abs(a) // abs(b)
        q = q if (a >= 0) == (b > 0) else -q
        return q if op == "/" else a - q * b
    if op == "<<":
        return a << b if 0 <= b < 64 else UNK
    if op == ">>":
        return a >> b if 0 <= b < 64 else UNK
    if op == "&":
        return a & b
    if op == "|":
        return a | b
    if op == "^":
        return a ^ b
    return UNK


def _ptr_arith(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Ptr) and isinstance(b, int) and op in ("+", "-"):
        step = a.esize * (_prod(a.dims) if a.dims else 1)
        return a.moved((b if op == "+" else -b) * step)
    if isinstance(b, Ptr) and isinstance(a, int) and op == "+":
        return _ptr_arith("+", b, a)
    if isinstance(a, Ptr) and isinstance(b, Ptr) and op in ("==", "!="):
        return int((a == b) == (op == "=="))
    return UNK
