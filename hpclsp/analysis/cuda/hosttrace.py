"""The ordered device operations ``main`` performs, for the lifecycle checks of host code.

``main``'s statements are read in order; a call of a same-file host function without arguments is
read in place (a few levels deep, no recursion). The trace keeps allocations, copies, memsets,
launches, synchronisations, frees and the host's element reads and writes of pointers. It ends
(with a ``stop`` operation) at a ``goto``. Calls it cannot see into (same-file functions with
arguments, external functions, methods, runtime calls it does not model) and every call under a
branch or loop become ``opaque`` operations: what they receive is unknown afterwards, and so is
every file-scope pointer; they may synchronise. What the trace states positively (an allocation,
a copy, a launch) therefore happens on every path through ``main`` that gets that far. Pointer names are keyed by scope: ``fn.name`` for a local, ``name`` for a global.
"""

from __future__ import annotations

import dataclasses

from hpclsp.analysis.cuda.hostmem import ALLOC_KINDS, is_host_unit, size_eval
from hpclsp.analysis.hostcode.model import Model, Unit
from hpclsp.analysis.treeutil import Node, walk
from hpclsp.analysis.values import consts
from hpclsp.analysis.values.summaries import call_args

MAX_DEPTH = 4
#: Runtime calls that block the host until the device (or a stream, an event) has finished.
HOST_WAITS = frozenset(
    {
        "cudaDeviceSynchronize",
        "cudaThreadSynchronize",
        "cudaStreamSynchronize",
        "cudaEventSynchronize",
        "cudaDeviceReset",
    }
)
#: Calls the trace takes as synchronisation: the waits, and those ordering streams or observing completion.
SYNCS = HOST_WAITS | {"cudaStreamWaitEvent", "cudaStreamQuery", "cudaEventQuery"}
#: The runtime's error-reporting calls (their result is the check, not something to check).
ERROR_QUERIES = frozenset(
    {"cudaGetLastError", "cudaPeekAtLastError", "cudaGetErrorString", "cudaGetErrorName"}
)
#: Host C library calls that neither touch memory nor synchronise with the device.
HOST_PURE = frozenset(
    {
        "printf",
        "fprintf",
        "puts",
        "putchar",
        "exit",
        "abort",
        "assert",
        "rand",
        "srand",
        "time",
        "clock",
        "sqrt",
        "sqrtf",
        "fabs",
        "fabsf",
        "exp",
        "expf",
        "abs",
        "min",
        "max",
        "fmin",
        "fmax",
        "atoi",
        "atof",
        "strtol",
    }
)
#: Host C library calls on host memory (they do not synchronise with the device either).
HOST_MEMORY = frozenset({"malloc", "calloc", "realloc", "free", "memset", "memcpy"})
#: Calls with no effect on memory or ordering that the trace may pass over.
INERT = (
    HOST_PURE
    | ERROR_QUERIES
    | {"cudaGetDeviceCount", "cudaGetDeviceProperties", "cudaSetDevice", "cudaGetDevice"}
)
#: Runtime calls that change nothing but what they are given (events, device settings, symbols, 2D/3D copies).
CUDA_LOCAL = frozenset(
    {
        "cudaEventCreate",
        "cudaEventCreateWithFlags",
        "cudaEventRecord",
        "cudaEventElapsedTime",
        "cudaEventDestroy",
        "cudaMemGetInfo",
        "cudaDeviceSetLimit",
        "cudaDeviceGetAttribute",
        "cudaFuncSetAttribute",
        "cudaFuncGetAttributes",
        "cudaGetSymbolAddress",
        "cudaMemcpyToSymbol",
        "cudaMemcpyFromSymbol",
        "cudaMemcpy2D",
        "cudaMemcpy3D",
        "cudaMallocPitch",
        "cudaHostRegister",
        "cudaHostUnregister",
        "cudaPointerGetAttributes",
    }
)
_DEVICE_OPS = frozenset(
    {"cudaMemcpy", "cudaMemcpyAsync", "cudaMemset", "cudaMemsetAsync", "cudaFree", "cudaFreeHost"}
    | {"cudaStreamCreate", "cudaStreamCreateWithFlags", "cudaStreamDestroy"}
    | set(ALLOC_KINDS)
    | SYNCS
)
_EVENTS = frozenset({"call_expression", "identifier", "assignment_expression", "init_declarator"})
_CONTROL = frozenset(
    {"if_statement", "for_statement", "while_statement", "do_statement", "switch_statement", "for_range_loop"}
)


@dataclasses.dataclass
class Op:
    """One host operation: ``kind`` is alloc, copy, set, launch, sync, free, read, write, assign,
    touch, may (a device operation that may happen: its pointers unknown, may synchronise), opaque
    or stop; ``bufs`` the pointer keys involved (for a copy: destination, source)."""

    kind: str
    node: Node
    bufs: list[str | None] = dataclasses.field(default_factory=list)
    size: int | None = None
    detail: str = ""  # the memory kind of an alloc, the cudaMemcpyKind of a copy, the kernel of a launch
    is_async: bool = False
    stream: str = ""
    unit: Unit | None = None


def main_trace(m: Model) -> list[Op]:
    """The operations of ``main`` in order (cached); the last is ``stop`` when the trace is cut short."""
    cached = m.source.cache.get("cuda.main_trace")
    if cached is not None:
        return cached
    main = next((u for u in m.units if u.is_main), None)
    ops: list[Op] = []
    if main is not None:
        _Tracer(m, ops).unit(main, (main.name,))
    m.source.cache["cuda.main_trace"] = ops
    return ops


class _Tracer:
    def __init__(self, m: Model, ops: list[Op]) -> None:
        self.m = m
        self.ops = ops
        self.fns = {u.name: u for u in m.units if is_host_unit(u)}
        self.kernels = {u.name for u in m.units if "__global__" in u.qualifiers}

    def stopped(self) -> bool:
        return bool(self.ops) and self.ops[-1].kind == "stop"

    def stop(self, node: Node) -> bool:
        self.ops.append(Op("stop", node))
        return False

    def unit(self, u: Unit, stack: tuple[str, ...]) -> bool:
        """Trace one function body; False once the trace has ended."""
        for st in u.body.named_children:
            if st.type == "return_statement":
                return self.statement(u, st, stack)
            if not self.statement(u, st, stack):
                return False
        return True

    def key(self, u: Unit, name: str | None) -> str | None:
        if name is None:
            return None
        return f"{u.name}.{name}" if name in u.decls else name

    def statement(self, u: Unit, st: Node, stack: tuple[str, ...]) -> bool:
        if st.type == "compound_statement":
            return all(self.statement(u, s, stack) for s in st.named_children)
        if st.type in ("goto_statement", "labeled_statement"):
            return self.stop(st)
        if st.type in _CONTROL:
            return self.control(u, st)
        # arguments are evaluated before the call they are passed to: children before parents
        events = sorted((n for n in walk(st) if n.type in _EVENTS), key=lambda n: (n.end_byte, -n.start_byte))
        for n in events:
            if self.stopped():
                return False
            if n.type == "call_expression":
                if not self.call(u, n, stack):
                    return False
            elif n.type in ("assignment_expression", "init_declarator"):
                self.assignment(u, n)
            else:
                self.element(u, n)
        return not self.stopped()

    def control(self, u: Unit, st: Node) -> bool:
        """A branch or loop: what it may do. Host element accesses and assignments as they are; every
        other call as opaque (what it receives is unknown afterwards, it may synchronise)."""
        for n in walk(st):
            if n.type == "call_expression":
                cat = self.category(n, ())
                if cat == "host":
                    self.touch_addresses(u, n, call_args(n), every=True)
                elif cat != "inert":
                    # a device operation changes only what it is given; other calls anything
                    self.opaque(u, n, call_args(n), "may" if cat in ("device", "cuda") else "opaque")
            if n.type == "goto_statement":
                return self.stop(n)
            if n.type in ("assignment_expression", "init_declarator"):
                self.assignment(u, n)
            elif n.type == "identifier":
                self.element(u, n)
        return True

    def inert(self, call: Node) -> bool:
        """Calls without effect on device memory or ordering: see INERT, the file's function-like
        macros, functional casts (``float(i)``)."""
        name = self.name(call).removeprefix("std::").split("<")[0].strip()
        fn = call.child_by_field_name("function")
        is_cast = fn is not None and fn.type == "primitive_type" or name in consts.C_SIZES
        is_cast = is_cast or name in ("static_cast", "reinterpret_cast", "const_cast", "dynamic_cast")
        return (name in INERT or name in self.m.macros or is_cast) and not _launch(call)

    def name(self, call: Node) -> str:
        fn = call.child_by_field_name("function")
        return self.m.text(fn) if fn is not None else ""

    def assignment(self, u: Unit, n: Node) -> None:
        """An assignment or initialisation: the variable assigned (or None), then the variables whose
        value escapes into it."""
        is_init = n.type == "init_declarator"
        left = n.child_by_field_name("declarator" if is_init else "left")
        right = n.child_by_field_name("value" if is_init else "right")
        while left is not None and left.type == "pointer_declarator":
            left = left.child_by_field_name("declarator")
        keys = [self.key(u, self.m.text(left)) if left is not None and left.type == "identifier" else None]
        for idn in walk(right) if right is not None else []:
            if idn.type == "identifier" and not _dereferenced(self.m, idn):
                keys.append(self.key(u, self.m.text(idn)))
        if keys != [None]:
            self.ops.append(Op("assign", n, keys, unit=u))

    def element(self, u: Unit, idn: Node) -> None:
        """Host element reads and writes ``p[i]`` / ``*p`` (not inside device-call arguments)."""
        el = self.m.element_of(idn)
        if el is None:
            return
        up = el.parent
        writes = (
            up is not None
            and up.type == "assignment_expression"
            and up.child_by_field_name("left") == el
            and self.m.text(up.child_by_field_name("operator")) == "="
        )
        self.ops.append(Op("write" if writes else "read", el, [self.key(u, self.m.text(idn))], unit=u))

    def category(self, call: Node, stack: tuple[str, ...]) -> str:
        """device, inline, host (libc memory calls), inert, cuda (other runtime calls) or opaque."""
        name = self.name(call)
        if _launch(call) is not None or name in _DEVICE_OPS:
            return "device"
        if name in self.fns and not call_args(call) and name not in stack and len(stack) < MAX_DEPTH:
            return "inline"
        if name in HOST_MEMORY:
            return "host"
        if self.inert(call):
            return "inert"
        if name in CUDA_LOCAL:
            return "cuda"
        return "opaque"

    def call(self, u: Unit, call: Node, stack: tuple[str, ...]) -> bool:
        cat = self.category(call, stack)
        args = call_args(call)
        if cat == "device":
            self.device(u, call, self.name(call), args)
        elif cat == "inline":
            return self.unit(self.fns[self.name(call)], (*stack, self.name(call)))
        elif cat == "host":
            self.touch_addresses(u, call, args, every=True)
        elif cat != "inert":
            self.opaque(u, call, args, cat)
        return True

    def opaque(self, u: Unit, call: Node, args: list[Node], cat: str) -> None:
        """A call the trace cannot see into: every pointer it is given is unknown afterwards; an unknown
        function may also synchronise, or change any file-scope pointer."""
        keys = [self.key(u, x) for a in args for x in self.names(a)]
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "field_expression":  # obj.method(...): the object too
            keys += [self.key(u, x) for x in self.names(fn)]
        self.ops.append(Op({"cuda": "touch"}.get(cat, cat), call, keys, unit=u))

    def device(self, u: Unit, call: Node, name: str, args: list[Node]) -> None:
        if _launch(call) is not None:
            self.launch(u, call, name, args)
        elif name in ALLOC_KINDS and len(args) >= 2:
            size = size_eval(self.m).int_of(args[1])
            self.ops.append(Op("alloc", call, [self.ptr(u, args[0])], size, ALLOC_KINDS[name], unit=u))
        elif name in ("cudaMemcpy", "cudaMemcpyAsync") and len(args) >= 4:
            self.copy(u, call, name, args)
        elif name in ("cudaMemset", "cudaMemsetAsync") and len(args) >= 3:
            self.ops.append(
                Op("set", call, [self.ptr(u, args[0])], size_eval(self.m).int_of(args[2]), unit=u)
            )
        elif name in SYNCS:
            self.ops.append(Op("sync", call, unit=u))
        elif name in ("cudaFree", "cudaFreeHost") and args:
            self.ops.append(Op("free", call, [self.ptr(u, args[0])], detail=name, unit=u))
        elif name in ("cudaStreamCreate", "cudaStreamCreateWithFlags", "cudaStreamDestroy") and args:
            self.ops.append(Op("stream", call, [self.ptr(u, args[0])], detail=name, unit=u))
        else:  # a device operation with unexpected arguments
            self.opaque(u, call, args, "opaque")

    def ptr(self, u: Unit, a: Node) -> str | None:
        """The pointer an argument designates; for an expression base_name cannot read (a C++ cast),
        the variable whose address it takes, else its first variable."""
        n, _k = self.m.base_name(a)
        if n is None:
            names = self.names(a)
            addr = [x for x in walk(a) if x.type == "pointer_expression" and self.m.text(x).startswith("&")]
            inner = self.names(addr[0]) if addr else []
            found = inner or names
            n = found[0] if found else None
        return self.key(u, n)

    def names(self, e: Node) -> list[str]:
        """The variables an expression mentions (not called functions, not fields)."""
        return [
            self.m.text(x)
            for x in walk(e)
            if x.type == "identifier"
            and x.parent is not None
            and not (x.parent.type == "call_expression" and x.parent.child_by_field_name("function") == x)
            and x.parent.type != "template_function"
        ]

    def touch_addresses(self, u: Unit, call: Node, args: list[Node], every: bool = False) -> None:
        """Pointers whose address the call receives (``every``: any pointer it receives) become unknown."""
        for a in args:
            n, k = self.m.base_name(a)
            if n and (k == "addr" or every):
                self.ops.append(Op("touch", call, [self.key(u, n)], unit=u))

    def launch(self, u: Unit, call: Node, name: str, args: list[Node]) -> None:
        cfg = _launch(call)
        parts = cfg.named_children if cfg is not None else []
        stream = self.stream(u, parts[3]) if len(parts) >= 4 else ""
        self.ops.append(
            Op("launch", call, self.whole(u, call, args), detail=name, is_async=True, stream=stream, unit=u)
        )

    def stream(self, u: Unit, e: Node) -> str:
        """A stream argument: the key of a stream variable, else its text."""
        text = self.m.text(e).strip()
        return (self.key(u, text) or text) if e.type == "identifier" else text

    def whole(self, u: Unit, call: Node, args: list[Node]) -> list[str | None]:
        """The pointer each argument passes whole; a pointer passed any other way is touched (unknown)."""
        out: list[str | None] = []
        for a in args:
            n, k = self.m.base_name(a)
            out.append(self.key(u, n) if k == "whole" else None)
            if k != "whole":
                hidden = [n] if n else self.names(a)
                if hidden:
                    self.ops.append(Op("touch", call, [self.key(u, x) for x in hidden], unit=u))
        return out

    def copy(self, u: Unit, call: Node, name: str, args: list[Node]) -> None:
        bufs = self.whole(u, call, args[:2])
        is_async = name == "cudaMemcpyAsync"
        stream = self.stream(u, args[4]) if is_async and len(args) >= 5 else ""
        self.ops.append(
            Op(
                "copy",
                call,
                bufs,
                size_eval(self.m).int_of(args[2]),
                self.m.text(args[3]).strip(),
                is_async,
                stream,
                u,
            )
        )


def _dereferenced(m: Model, idn: Node) -> bool:
    """The identifier's value is not what the expression takes: an element, a field or a callee."""
    if m.element_of(idn) is not None:
        return True
    par = idn.parent
    return par is not None and (
        par.type == "field_expression"
        or (par.type == "call_expression" and par.child_by_field_name("function") == idn)
    )


def _launch(call: Node) -> Node | None:
    return next((c for c in call.named_children if c.type == "kernel_call_syntax"), None)
