"""Executes one CUDA thread of a kernel over concrete thread and launch values.

Integers (indices, loop counters, guards) are computed exactly; memory contents and floating-point
data are ``UNK``. Pointers are ``Ptr`` values (an array identity, a byte offset, the pointee size),
so ``&s[i]``, ``p + k`` and casts keep precise addresses. Every load and store of shared or global
memory is handed to a ``Recorder`` with the thread's barrier epochs.

When a condition cannot be computed, both arms run, their accesses tagged with the arm taken; a
barrier in such code makes the kernel undecidable (``GiveUp``), as does exhausting the step budget.
"""

from __future__ import annotations

from typing import Any, Protocol

from hpclsp.analysis.cuda.program import INTEGER_TYPES, N, Program, base_type, call_name, params_of
from hpclsp.analysis.cuda.statements import RETURN, Statements
from hpclsp.analysis.cuda.values import (
    ANY_ELEMENT,
    UNK,
    Agg,
    Cell,
    GiveUp,
    Group,
    Infeasible,
    Mem,
    Ptr,
    Thread,
    arith,
    number,
    prod,
    ptr_arith,
)

__all__ = [
    "ANY_ELEMENT",
    "UNK",
    "GiveUp",
    "Infeasible",
    "Interp",
    "Mem",
    "Ptr",
    "Recorder",
    "Thread",
    "params_of",
]


class Recorder(Protocol):
    """Receives the memory accesses and barriers of the threads being executed."""

    def access(self, th: Thread, ptr: Ptr, size: int, kind: str, node: N, value: Any) -> None: ...

    def tick(self) -> None: ...


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


class Interp(Statements):
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

    # -- expressions -------------------------------------------------------------------------------
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
            v = _NUMBERS[n.text] = number(n.text)
        return v

    def _ev_update(self, n: N, env: dict[str, Any]) -> Any:
        arg = n.f.get("argument")
        if arg is None:
            return UNK
        old = self.eval(arg, env)
        new = arith("+" if "++" in n.text else "-", old, 1)
        self._store(arg, new, env, rmw=True)
        return new if n.text.lstrip().startswith(("++", "--")) else old

    def _ev_unary(self, n: N, env: dict[str, Any]) -> Any:
        v = self.eval(n.f["argument"], env) if "argument" in n.f else UNK
        op = n.op
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
        op = n.op
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
        v = env.get(name, _MISSING)
        if v is _MISSING:
            v = self.globals.get(name, _MISSING)
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
        op = n.op
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
            return ptr_arith(op, a, b)
        return arith(op, a, b)

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
            row = prod(base.dims) * base.esize
            return base.moved(i * row, base.dims[1:])
        return base.moved(i * base.esize)

    def _load(self, p: Any, n: N, env: dict[str, Any]) -> Any:
        if not isinstance(p, Ptr) or p.dims:
            return UNK if not isinstance(p, Ptr) else p
        th = self.th
        assert th is not None
        self.rec.access(th, p, p.esize, "R", n, None)
        return Mem(p.base, p.off, th.epochs[1], th.block if p.space == "shared" else -1)

    def _assign(self, n: N, env: dict[str, Any]) -> Any:
        op = n.op or "="
        left, right = n.f.get("left"), n.f.get("right")
        if left is None or right is None:
            return UNK
        v = self.eval(right, env) if right.type != "initializer_list" else UNK
        if op != "=":
            old = self.eval(left, env)
            v = ptr_arith(op[:-1], old, v) if isinstance(old, Ptr) else arith(op[:-1], old, v)
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

    def _call(self, n: N, env: dict[str, Any]) -> Any:
        name = call_name(n)
        args_node = n.f.get("arguments")
        args = args_node.kids if args_node is not None else []
        assert self.th is not None
        if name in ASSUMPTIONS and args:
            if self.truth(self.eval(args[0], env)) == 0:
                raise Infeasible(name)
            return UNK
        if name in ANNOTATIONS:
            return UNK
        fn = n.f.get("function")
        got = self._barrier_call(name, fn, args, n, env)
        if got is _MISSING:
            got = self._group_call(name, fn, env)
        if got is not _MISSING:
            return got
        vals = [self.eval(a, env) for a in args]
        got = self._memory_call(name, vals, n, env)
        if got is not _MISSING:
            return got
        if name.startswith("curand"):
            self._curand_call(name, vals, n)
            return UNK
        if name in INT_FUNCS and len(vals) == 2 - (name == "abs") and all(isinstance(v, int) for v in vals):
            return INT_FUNCS[name](*vals)
        fns = self.prog.functions.get(name)
        if fns and fn is not None and fn.type in ("identifier", "qualified_identifier", "template_function"):
            target = next((f for f in fns if len(params_of(self.prog, f)) == len(vals)), None)
            if target is not None:
                return self._invoke(target, vals)
        return UNK

    def _barrier_call(self, name: str, fn: N | None, args: list[N], n: N, env: dict[str, Any]) -> Any:
        """``__syncthreads*``, ``__syncwarp`` and cooperative-group ``sync``; ``_MISSING`` for other calls."""
        if name in ("__syncthreads", "__syncthreads_count", "__syncthreads_and", "__syncthreads_or"):
            for a in args:
                self.eval(a, env)
            self.barrier("block", n)
            return UNK
        if name == "__syncwarp":
            self.barrier("warp", n)
            return UNK
        if name in ("sync", "synchronize"):
            g: Any = UNK
            if fn is not None and fn.type == "field_expression" and "argument" in fn.f:
                g = self.eval(fn.f["argument"], env)
            elif args:
                g = self.eval(args[0], env)
            self.barrier(g.kind if isinstance(g, Group) else "block", n)
            return UNK
        return _MISSING

    def _group_call(self, name: str, fn: N | None, env: dict[str, Any]) -> Any:
        """Cooperative-group constructors and queries; ``_MISSING`` for other calls."""
        if name == "this_thread_block":
            return Group("block")
        if name == "this_grid":
            return Group("grid")
        if name in ("tiled_partition", "coalesced_threads", "this_thread"):
            tsize = _template_int(fn, self, env) if name == "tiled_partition" else None
            return Group("warp", tsize or (1 if name == "this_thread" else 0))
        if (
            name in ("thread_rank", "size", "num_threads")
            and fn is not None
            and fn.type == "field_expression"
        ):
            g = self.eval(fn.f["argument"], env) if "argument" in fn.f else UNK
            if isinstance(g, Group):
                assert self.th is not None
                return _group_query(g, name, self.th)
        return _MISSING

    def _memory_call(self, name: str, vals: list[Any], n: N, env: dict[str, Any]) -> Any:
        """Atomics, ``memcpy``/``memset`` and ``__ldg`` (recording their accesses); ``_MISSING`` otherwise."""
        th = self.th
        assert th is not None
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
        if name == "__ldg" and vals and isinstance(vals[0], Ptr):
            return self._load(vals[0], n, env)
        return _MISSING

    def _curand_call(self, name: str, vals: list[Any], n: N) -> None:
        """Record the accesses a cuRAND call makes to its generator state."""
        th = self.th
        assert th is not None
        st = vals[-1] if name in CURAND_INIT else (vals[0] if vals else UNK)
        if not isinstance(st, Ptr):
            return
        if "mtgp32" in st.elem.lower() and name not in CURAND_INIT:
            # an MTGP32 state is shared by the threads of one block by design
            self.rec.access(th, st, st.esize, "B", n, None)
            return
        if name not in CURAND_INIT:
            self.rec.access(th, st, st.esize, "R", n, None)
        self.rec.access(th, st, st.esize, "W", n, UNK)

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


def _template_int(fn: N | None, interp: Interp, env: dict[str, Any]) -> int | None:
    """The integer template argument of a call like ``tiled_partition<32>(...)``."""
    if fn is not None and fn.type == "qualified_identifier":
        fn = fn.f.get("name") or fn
    if fn is None or fn.type != "template_function":
        return None
    targs = fn.f.get("arguments")
    if targs is None or not targs.kids:
        return None
    v = interp.eval(targs.kids[0], env)
    return v if isinstance(v, int) and v > 0 else None


def _group_query(g: Group, name: str, th: Thread) -> Any:
    """``thread_rank()``/``size()`` of a cooperative group for one thread."""
    block_size = th.bdim[0] * th.bdim[1] * th.bdim[2]
    if g.kind == "block":
        return th.lin if name == "thread_rank" else block_size
    if g.kind == "grid":
        grid_blocks = th.gdim[0] * th.gdim[1] * th.gdim[2]
        return th.block * block_size + th.lin if name == "thread_rank" else block_size * grid_blocks
    if g.size and 32 % g.size == 0:
        return th.lin % g.size if name == "thread_rank" else g.size
    return UNK
