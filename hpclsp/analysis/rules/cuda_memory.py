"""CUDA device memory on the host (``cuda-*``): copy directions, copies past an allocation, pointers
used before any cudaMalloc, kernels reading device memory nothing wrote, unordered streams.

The allocation facts come from ``cuda.hostmem``; the order of operations from ``main``'s trace
(``cuda.hosttrace``, same-file helper functions without arguments read in place) and the walk over
it in ``cuda.lifecycle``.
"""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.context import Context
from hpclsp.analysis.cuda import lifecycle
from hpclsp.analysis.cuda.hostmem import ALLOC_KINDS, buffer_of, is_host_unit, size_eval
from hpclsp.analysis.findings import Edit, Finding, Fix, Related, Severity
from hpclsp.analysis.hostcode.model import Call, Model, Unit, model
from hpclsp.analysis.rules import rule
from hpclsp.analysis.treeutil import Node

FAMILY = "cuda"
LANGS = ("cuda",)
KINDS = {
    "cudaMemcpyHostToDevice": ("device", "host"),
    "cudaMemcpyDeviceToHost": ("host", "device"),
    "cudaMemcpyDeviceToDevice": ("device", "device"),
    "cudaMemcpyHostToHost": ("host", "host"),
}
_COPIES = {
    "cudaMemcpy": (0, 1),
    "cudaMemcpyAsync": (0, 1),
    "cudaMemset": (0, None),
    "cudaMemsetAsync": (0, None),
}


@rule(
    "cuda-memcpy-bounds",
    family=FAMILY,
    summary="cudaMemcpy/cudaMemset of more bytes than the buffer was allocated with.",
    what="""
Compares the constant byte count of `cudaMemcpy`, `cudaMemcpyAsync`, `cudaMemset` with the
constant size every allocation of the destination or source pointer has (`cudaMalloc`,
`cudaMallocHost`, `cudaMallocManaged`, `malloc`, `calloc`, local arrays). Pointers assigned any
other way, offset, or handed by address to other functions are not checked.
""",
    why="""
The copy reads or writes past the end of the allocation: on the device an `invalid argument`
error or a corrupted neighbouring buffer, on the host a buffer overflow.
""",
    example="""
cudaMalloc(&d_x, n * sizeof(float));
cudaMemcpy(d_x, h_x, 2 * n * sizeof(float), cudaMemcpyHostToDevice);   /* twice the allocation */
""",
    languages=LANGS,
)
def check_memcpy_bounds(ctx: Context) -> Iterator[Finding]:
    """Constant copy sizes beyond the constant allocation sizes."""
    m = model(ctx.source)
    for unit in m.units:
        if not is_host_unit(unit):
            continue
        for c in unit.calls:
            if c.name in _COPIES and len(c.args) >= 3:
                yield from _bounds(m, c)


def _bounds(m: Model, c: Call) -> Iterator[Finding]:
    size_arg = c.args[2]
    n = size_eval(m).int_of(size_arg)
    if n is None or size_arg is None:
        return
    for i, role in zip(_COPIES[c.name], ("destination", "source"), strict=False):
        a = c.args[i] if i is not None else None
        if a is None or a.type != "identifier":
            continue
        buf = buffer_of(m, c.unit, m.text(a))
        if buf is None or buf.size is None or n <= buf.size:
            continue
        yield Finding(
            "cuda-memcpy-bounds",
            f"{c.name} {'writes' if role == 'destination' else 'reads'} {n} bytes of '{m.text(a)}' ({role}), "
            f"allocated with {buf.size} bytes: {n - buf.size} bytes past its end",
            m.source.node_span(size_arg),
            related=[Related(m.source.node_span(buf.node), "allocation")],
        )
        return


@rule(
    "cuda-unallocated-device-pointer",
    family=FAMILY,
    summary="A device pointer copied to/from or dereferenced by a kernel before any cudaMalloc.",
    what="""
Follows `main` in order (reading same-file helper functions without arguments in place) and flags
a pointer that is still null — a file-scope pointer without initialiser, or an uninitialised
local of `main` — when `cudaMemcpy` uses it as device memory or a kernel launched with it
dereferences the parameter. The walk stops at the first branch or loop containing device
operations and at calls it cannot follow.
""",
    why="""
The copy or kernel writes through a null pointer: `invalid argument` or an illegal address error,
and every later result is garbage.
""",
    example="""
int *d_b;                                    /* never cudaMalloc'ed */
cudaMemcpy(d_b, b, bytes, cudaMemcpyHostToDevice);
""",
    languages=LANGS,
)
def check_unallocated(ctx: Context) -> Iterator[Finding]:
    """Device pointers used before allocation."""
    yield from _issues(ctx, "cuda-unallocated-device-pointer")


@rule(
    "cuda-uninitialized-device-read",
    family=FAMILY,
    summary="A kernel reads device memory that nothing copied or wrote since its cudaMalloc.",
    what="""
Follows `main` in order and flags a launch passing a `cudaMalloc`'ed buffer to a kernel that only
reads the parameter, when no copy into it, `cudaMemset` or earlier kernel given it came between
the allocation and the launch.
""",
    why="""
`cudaMalloc` does not initialise memory: the kernel computes on whatever the buffer held before.
Typically a forgotten (or reversed) host-to-device copy.
""",
    example="""
cudaMalloc(&d_x, bytes);
/* cudaMemcpy(d_x, x, bytes, cudaMemcpyHostToDevice); missing */
scale<<<g, b>>>(d_x, d_y);                   /* reads d_x */
""",
    languages=LANGS,
)
def check_uninitialized(ctx: Context) -> Iterator[Finding]:
    """Kernels reading never-written device buffers."""
    yield from _issues(ctx, "cuda-uninitialized-device-read")


@rule(
    "cuda-stream-race",
    family=FAMILY,
    summary="Two streams use the same buffer, one writing it, with nothing ordering them.",
    what="""
Follows `main` in order and flags an asynchronous copy or kernel launch on a stream made by
`cudaStreamCreate` that uses a buffer a still-unordered operation on another such stream writes
(or reads, when this one writes). A device/stream synchronisation, `cudaStreamWaitEvent`, a
blocking copy or work on the default stream in between orders them.
""",
    why="""
Work on different streams runs concurrently: the copy may read the buffer before the kernel has
written it (or overwrite it while the kernel reads).
""",
    example="""
scale<<<g, b, 0, s1>>>(d_y);
cudaMemcpyAsync(y, d_y, bytes, cudaMemcpyDeviceToHost, s2);   /* not ordered after the kernel */
""",
    languages=LANGS,
)
def check_stream_race(ctx: Context) -> Iterator[Finding]:
    """Unordered streams sharing a buffer."""
    yield from _issues(ctx, "cuda-stream-race")


def _issues(ctx: Context, code: str) -> Iterator[Finding]:
    m = model(ctx.source)
    for i in lifecycle.issues(m):
        if i.code == code:
            yield finding(m, i)


def finding(m: Model, i: lifecycle.Issue) -> Finding:
    """The finding for a lifecycle issue."""
    related = [Related(m.source.node_span(i.related), i.related_note)] if i.related is not None else []
    return Finding(i.code, i.message, m.source.node_span(i.node), Severity.WARNING, related=related)


# -- copy directions ---------------------------------------------------------------------------------


def _fn_name(m: Model, call: Node) -> str:
    fn = call.child_by_field_name("function")
    return m.text(fn) if fn is not None else ""


#: Every allocation call taking ``&p`` first, and the memory it returns (``hostmem.ALLOC_KINDS`` holds
#: those whose byte count is the second argument).
ALLOCATORS = {**ALLOC_KINDS, "cudaMallocPitch": "device"}


def _origin_sets(m: Model, unit: Unit) -> dict[str, set[str]]:
    """Pointer name -> the kinds of memory the unit makes it point to ('other' for anything else)."""
    seen: dict[str, set[str]] = {}
    for c in unit.calls:
        if c.name in ALLOCATORS and c.args:
            n, kind = m.base_name(c.args[0])
            if n and kind == "addr":
                kind = ALLOCATORS[c.name]
                seen.setdefault(n, set()).add("host" if kind == "pinned" else kind)
        elif not c.name.startswith("cuda"):
            for a in c.args:  # &p handed to another function may point p anywhere
                n, kind = m.base_name(a) if a is not None else (None, "")
                if n and kind == "addr":
                    seen.setdefault(n, set()).add("other")
    for lhs, rhs in m.assignments(unit):
        r = rhs
        while r.type in ("cast_expression", "parenthesized_expression"):
            r = r.child_by_field_name("value") or (r.named_children[-1] if r.named_children else r)
            if r.type not in ("cast_expression", "parenthesized_expression"):
                break
        if r.type == "call_expression" and _fn_name(m, r) in ("malloc", "calloc", "aligned_alloc"):
            seen.setdefault(lhs, set()).add("host")
        elif r.type == "new_expression":
            seen.setdefault(lhs, set()).add("host")
        else:
            seen.setdefault(lhs, set()).add("other")
    for d in unit.decls.values():
        if (
            d.is_array
            and not d.pointer
            and not d.shared
            and d.node is not None
            and "__device__" not in m.text(d.node)
        ):
            seen.setdefault(d.name, set()).add("host")
    return seen


def _single(seen: dict[str, set[str]]) -> dict[str, str]:
    return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1 and next(iter(v)) in ("host", "device")}


def _origins(m: Model, unit: Unit) -> dict[str, str]:
    """Pointer name -> 'device' | 'host' when every definition in the unit agrees; for the file's
    global pointers the unit does not define, when every definition in the file agrees."""
    local = _single(_origin_sets(m, unit))
    for name, o in _global_origins(m).items():
        if name not in local and name not in unit.decls:
            local[name] = o
    return local


def _global_origins(m: Model) -> dict[str, str]:
    """File-scope pointers every host function (that does not shadow them) makes point to one kind."""
    key = "cuda.global_origins"
    cached = m.source.cache.get(key)
    if cached is not None:
        return cached
    seen: dict[str, set[str]] = {}
    for u in [u for u in m.units if is_host_unit(u)]:
        for name, kinds in _origin_sets(m, u).items():
            if name in m.globals and name not in u.decls:
                seen.setdefault(name, set()).update(kinds)
    out = {
        k: v
        for k, v in _single(seen).items()
        if m.globals[k].pointer and not m.globals[k].initialized and "extern" not in m.text(m.globals[k].node)
    }
    m.source.cache[key] = out
    return out


@rule(
    "cuda-memcpy-direction",
    family=FAMILY,
    summary="cudaMemcpy direction contradicts where the pointers were allocated.",
    what="""
Compares the `cudaMemcpyKind` of `cudaMemcpy`/`cudaMemcpyAsync` with the known origin of the
destination and source pointers in the same function (`cudaMalloc` → device; `malloc`, `new`,
local arrays, `cudaMallocHost` → host).
""",
    why="""
A wrong direction makes the runtime dereference a device pointer on the host (or the reverse):
an `invalid argument` error at best, silent garbage or a crash at worst.
""",
    example="""
cudaMalloc(&d_x, bytes);
h_x = (float *)malloc(bytes);
cudaMemcpy(d_x, h_x, bytes, cudaMemcpyDeviceToHost);   /* should be HostToDevice */
""",
    languages=LANGS,
)
def check_memcpy_direction(ctx: Context) -> Iterator[Finding]:
    """Memcpy kinds vs pointer origins."""
    m = model(ctx.source)
    for unit in [u for u in m.units if is_host_unit(u)]:
        origins = None
        for c in unit.calls:
            if c.name not in ("cudaMemcpy", "cudaMemcpyAsync") or len(c.args) < 4:
                continue
            kind = m.text(c.args[3]).strip()
            if kind not in KINDS:
                continue
            if origins is None:
                origins = _origins(m, unit)
            want_dst, want_src = KINDS[kind]
            dn, _ = m.base_name(c.args[0])
            sn, _ = m.base_name(c.args[1])
            od, os_ = origins.get(dn or ""), origins.get(sn or "")
            bad = [
                f"'{n}' is {o} memory"
                for n, o, w in ((dn, od, want_dst), (sn, os_, want_src))
                if o is not None and o != w
            ]
            kind_node = c.args[3]
            if not bad or kind_node is None:
                continue
            fixes = []
            if od is not None and os_ is not None:
                right = next((k for k, v in KINDS.items() if v == (od, os_)), None)
                if right:
                    fixes.append(Fix(f"Use {right}", (Edit(m.source.node_span(kind_node), right),), True))
            yield Finding(
                "cuda-memcpy-direction",
                f"{kind} contradicts the pointers: {' and '.join(bad)}",
                m.source.node_span(kind_node),
                fixes=fixes,
            )
