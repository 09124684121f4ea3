"""CUDA host-side pitfalls (``cuda-*``): unchecked errors, launch configurations,
missing synchronisation, kernels called like functions.

Works on ``.cu``/``.cuh`` files through tree-sitter-cuda. The kernel checks (races, barrier
divergence, warp-synchronous code) live in ``cuda_kernel``.
"""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.context import Context
from hpclsp.analysis.cuda import lifecycle
from hpclsp.analysis.cuda.hosttrace import ERROR_QUERIES, HOST_MEMORY, HOST_PURE, HOST_WAITS
from hpclsp.analysis.findings import Edit, Finding, Fix, Pos, Related, Severity, Span
from hpclsp.analysis.hostcode.model import Call, Model, Unit, model
from hpclsp.analysis.rules import rule
from hpclsp.analysis.treeutil import Node, walk

FAMILY = "cuda"
LANGS = ("cuda",)
#: Calls after which the host may read what the device wrote: the waits, synchronous copies, cudaFree.
SYNC_CALLS = HOST_WAITS | {"cudaMemcpy", "cudaMemcpy2D", "cudaFree"}
#: Host calls that do not synchronise with the device.
HARMLESS_HOST = HOST_PURE | HOST_MEMORY


def _model(ctx: Context) -> Model:
    return model(ctx.source)


def _quals(u: Unit) -> set[str]:
    return set(u.qualifiers)


def _is_kernel(u: Unit) -> bool:
    return "__global__" in _quals(u)


def _host_units(m: Model) -> list[Unit]:
    """The functions that run on the host: neither kernels nor device-only functions."""
    out = []
    for u in m.units:
        q = _quals(u)
        if not ("__global__" in q or ("__device__" in q and "__host__" not in q)):
            out.append(u)
    return out


def _fn_name(m: Model, call: Node) -> str:
    fn = call.child_by_field_name("function")
    return m.text(fn) if fn is not None else ""


def _launch_syntax(call: Node) -> Node | None:
    return next((c for c in call.named_children if c.type == "kernel_call_syntax"), None)


def _in(n: Node, outer: Node) -> bool:
    return outer.start_byte <= n.start_byte and n.end_byte <= outer.end_byte


# -- host-side checks ----------------------------------------------------------------------------


def _check_macro(m: Model) -> str | None:
    """A one-parameter macro of the file that checks a cudaError_t (its body reports the error)."""
    for name, (params, body) in m.macros.items():
        if len(params) == 1 and (
            "cudaGetErrorString" in body or "cudaGetErrorName" in body or "cudaSuccess" in body
        ):
            return name
    return None


@rule(
    "cuda-unchecked-error",
    family=FAMILY,
    summary="A CUDA runtime call or kernel launch whose error is never checked.",
    what="""
Flags CUDA runtime calls whose `cudaError_t` result is discarded, and kernel launches not followed
by `cudaGetLastError()`/`cudaPeekAtLastError()` in the same function. Disable with the engine
option `cuda_check_errors = false`.
""",
    why="""
CUDA reports failures (out of memory, invalid launch configuration, bad pointers) only through
these codes; ignored, the program continues on garbage and fails far from the cause.
""",
    example="""
cudaMalloc(&d, n * sizeof(float));     /* result ignored */
kernel<<<grid, block>>>(d, n);         /* no cudaGetLastError() */
""",
    languages=LANGS,
)
def check_unchecked_error(ctx: Context) -> Iterator[Finding]:
    """Unchecked runtime calls and launches."""
    if not ctx.options.extra.get("cuda_check_errors", True):
        return
    m = _model(ctx)
    macro = _check_macro(m)
    for unit in _host_units(m):
        checks = [
            c.node
            for c in unit.calls
            if c.name in ("cudaGetLastError", "cudaPeekAtLastError")
            and c.node.parent is not None
            and c.node.parent.type != "expression_statement"
        ]
        for c in unit.calls:
            par = c.node.parent
            if par is None or par.type != "expression_statement":
                continue
            if _launch_syntax(c.node) is not None:
                if any(k.start_byte > c.node.end_byte for k in checks):
                    continue
                fixes = []
                end_line = par.end_point[0]
                rest = m.source.lines[end_line][m.source.byte_to_col(end_line, par.end_point[1]) :]
                if macro and not rest.strip() and end_line + 1 <= len(m.source.lines):
                    ind = m.source.lines[par.start_point[0]][
                        : len(m.source.lines[par.start_point[0]])
                        - len(m.source.lines[par.start_point[0]].lstrip())
                    ]
                    p = Pos(end_line + 1, 0)
                    fixes.append(
                        Fix(
                            f"Check the launch with {macro}(cudaGetLastError())",
                            (Edit(Span(p, p), f"{ind}{macro}(cudaGetLastError());\n"),),
                            True,
                        )
                    )
                yield Finding(
                    "cuda-unchecked-error",
                    f"launch of kernel '{c.name}' is not followed by cudaGetLastError(): launch failures go unnoticed",
                    m.source.node_span(c.node),
                    fixes=fixes,
                )
            elif c.name.startswith("cuda") and c.name not in ERROR_QUERIES and c.name[4:5].isupper():
                fixes = []
                if macro:
                    sp = m.source.node_span(c.node)
                    fixes.append(
                        Fix(f"Wrap in {macro}(...)", (Edit(sp, f"{macro}({m.text(c.node)})"),), True)
                    )
                yield Finding(
                    "cuda-unchecked-error",
                    f"the cudaError_t returned by {c.name} is ignored",
                    m.source.node_span(c.node),
                    fixes=fixes,
                )


def _dims(m: Model, unit: Unit, e: Node) -> list[int] | None:
    """Constant extents of a launch dimension: an integer, ``dim3(x, y, z)`` or an unmodified ``dim3`` variable."""
    v = m.eval_int(e)
    if v is not None:
        return [v]
    args: list[Node] | None = None
    if e.type == "call_expression" and _fn_name(m, e) == "dim3":
        al = e.child_by_field_name("arguments")
        args = al.named_children if al is not None else None
    elif e.type == "identifier":
        d = unit.decls.get(m.text(e))
        if d is None or d.node is None or d.type != "dim3":
            return None
        # the variable must not be modified later (b.x = ...)
        for n in walk(unit.body):
            if n.type == "assignment_expression" and m.text(n.child_by_field_name("left")).split(".")[
                0
            ] == m.text(e):
                return None
        for dn in d.node.children_by_field_name("declarator"):
            if dn.type == "init_declarator" and m.text(dn.child_by_field_name("declarator")) == m.text(e):
                val = dn.child_by_field_name("value")
                if val is not None and val.type in ("argument_list", "initializer_list"):
                    args = val.named_children
                elif val is not None:
                    return _dims(m, unit, val)
    if not args or len(args) > 3:
        return None
    vals = [m.eval_int(a) for a in args]
    return None if any(x is None for x in vals) else [x for x in vals if x is not None]


#: Per-dimension limits of every CUDA device since compute capability 3.0.
BLOCK_LIMITS = (1024, 1024, 64)
GRID_LIMITS = ((1 << 31) - 1, 65535, 65535)


def _limit_message(block: list[int] | None, grid: list[int] | None) -> str | None:
    """Why a constant launch configuration cannot launch on any device, or None."""
    if block is not None:
        total = 1
        for x in block:
            total *= x
        if total > 1024:
            return f"block of {total} threads exceeds the 1024-thread limit: the launch fails"
        for d, (x, lim) in enumerate(zip(block, BLOCK_LIMITS, strict=False)):
            if x > lim:
                return f"blockDim.{'xyz'[d]} = {x} exceeds the limit {lim}: the launch fails"
    for d, (x, lim) in enumerate(zip(grid or [], GRID_LIMITS, strict=False)):
        if x > lim:
            return f"gridDim.{'xyz'[d]} = {x} exceeds the limit {lim}: the launch fails"
    return None


@rule(
    "cuda-launch-config",
    family=FAMILY,
    summary="A constant launch configuration beyond the device limits, or a block not a multiple of 32 threads.",
    what="""
Checks kernel launches whose extents are compile-time constants (literal, `#define`, `const`,
`dim3 b(x, y, z)` with constant extents). A warning when no device can run the launch: more than
1024 threads per block, `blockDim.z` above 64, `gridDim.y`/`gridDim.z` above 65535 or
`gridDim.x` above 2^31-1. A hint when the block size is not a multiple of 32 (part of the last
warp idles).
""",
    why="""
Over 1024 threads the launch fails with `invalid configuration argument` (silently, unless
checked); partial warps waste lanes on every block.
""",
    example="""
kernel<<<blocks, 1000>>>(d, n);   /* 1000 is not a multiple of 32 */
""",
    severity=Severity.HINT,
    languages=LANGS,
)
def check_launch_config(ctx: Context) -> Iterator[Finding]:
    """Constant block sizes."""
    m = _model(ctx)
    for unit in m.units:
        for c in unit.calls:
            ks = _launch_syntax(c.node)
            if ks is None:
                continue
            cfg = ks.named_children
            if len(cfg) < 2:
                continue
            block, grid = _dims(m, unit, cfg[1]), _dims(m, unit, cfg[0])
            if any(x <= 0 for x in (block or []) + (grid or [])):
                continue
            msg = _limit_message(block, grid)
            if msg is not None:
                at = cfg[0] if msg.startswith("grid") else cfg[1]
                yield Finding("cuda-launch-config", msg, m.source.node_span(at), Severity.WARNING)
                continue
            n = 1
            for x in block or [0]:
                n *= x
            if n % 32:
                msg = f"block of {n} threads is not a multiple of the warp size (32): the last warp is partly idle"
                yield Finding("cuda-launch-config", msg, m.source.node_span(cfg[1]), Severity.HINT)


@rule(
    "cuda-missing-sync",
    family=FAMILY,
    summary="Host code reads device results after an asynchronous launch/copy without synchronising.",
    what="""
Flags host accesses to managed memory (`cudaMallocManaged`) after a kernel launch that received
it, and to the destination of a `cudaMemcpyAsync(..., cudaMemcpyDeviceToHost, ...)`, before any
`cudaDeviceSynchronize`/`cudaStreamSynchronize`/`cudaEventSynchronize` (or blocking copy). Within
one function; across the helper functions `main` calls in order (without arguments), for pinned
(`cudaMallocHost`) and managed buffers.
""",
    why="""
Kernel launches and async copies return immediately: the host reads values the GPU has not
written yet (or, for managed memory on some GPUs, faults).
""",
    example="""
scale<<<g, b>>>(x, n);      /* x from cudaMallocManaged */
printf("%f\\n", x[0]);      /* no cudaDeviceSynchronize() */
""",
    languages=LANGS,
)
def check_missing_sync(ctx: Context) -> Iterator[Finding]:
    """Host reads before synchronisation."""
    m = _model(ctx)
    for unit in _host_units(m):
        managed = _managed(m, unit)
        pending: dict[str, Node] = {}
        for call, use in _host_events(m, unit):
            if call is not None:
                _after_call(m, call, managed, pending)
                continue
            nm = m.text(use)
            if nm not in pending or use.parent is None or _in_device_call(unit, use):
                continue
            src = pending.pop(nm)
            yield Finding(
                "cuda-missing-sync",
                f"host accesses '{nm}' after the asynchronous operation on line {src.start_point[0] + 1} "
                "with no synchronisation (cudaDeviceSynchronize/cudaStreamSynchronize)",
                m.source.node_span(use.parent),
                related=[Related(m.source.node_span(src), "asynchronous operation")],
            )
    for issue in lifecycle.issues(m):
        if issue.code == "cuda-missing-sync":
            related = (
                [Related(m.source.node_span(issue.related), issue.related_note)] if issue.related else []
            )
            yield Finding(issue.code, issue.message, m.source.node_span(issue.node), related=related)


def _managed(m: Model, unit: Unit) -> set[str]:
    """Pointers the unit allocates with ``cudaMallocManaged(&p, ...)``."""
    managed = set()
    for c in unit.calls:
        if c.name == "cudaMallocManaged" and c.args:
            n, k = m.base_name(c.args[0])
            if n and k == "addr":
                managed.add(n)
    return managed


def _host_events(m: Model, unit: Unit) -> list[tuple[Call | None, Node]]:
    """The unit's calls (with their node) and dereferenced identifiers, in source order."""
    events: list[tuple[int, Call | None, Node]] = [(c.node.start_byte, c, c.node) for c in unit.calls]
    events += [(idn.start_byte, None, idn) for idn in walk(unit.body) if _dereferenced(m, idn)]
    events.sort(key=lambda e: e[0])
    return [(call, node) for _, call, node in events]


def _dereferenced(m: Model, idn: Node) -> bool:
    """An identifier used as the base of ``p[i]``, ``*p`` or ``p.f`` / ``p->f``."""
    if idn.type != "identifier":
        return False
    par = idn.parent
    return m.element_of(idn) is not None or (par is not None and par.type == "field_expression")


def _after_call(m: Model, c: Call, managed: set[str], pending: dict[str, Node]) -> None:
    """Update the pointers awaiting synchronisation (name -> asynchronous operation) after a call."""
    if _launch_syntax(c.node) is not None:
        for a in c.args:
            nm, _ = m.base_name(a)
            if nm in managed:
                pending[nm] = c.node
    elif (
        c.name == "cudaMemcpyAsync"
        and len(c.args) >= 4
        and m.text(c.args[3]).strip() == "cudaMemcpyDeviceToHost"
    ):
        nm, _ = m.base_name(c.args[0])
        if nm:
            pending[nm] = c.node
    elif c.name in SYNC_CALLS:
        pending.clear()
    elif not (c.name.startswith("cuda") or c.name in HARMLESS_HOST or c.name in m.macros):
        pending.clear()  # an unknown function may synchronise


def _in_device_call(unit: Unit, use: Node) -> bool:
    """A use inside the arguments of a CUDA API call or a kernel launch (not a host read)."""
    return any(_in(use, c.node) and (c.name.startswith("cuda") or _launch_syntax(c.node)) for c in unit.calls)


@rule(
    "cuda-kernel-call-without-launch",
    family=FAMILY,
    summary="A __global__ kernel called like an ordinary function, without <<<...>>>.",
    what="""
Flags calls of functions declared `__global__` in the file that have no launch configuration.
""",
    why="""
A kernel must be launched with `<<<grid, block>>>`; calling it like a function does not compile
for host code and is a mistake in device code.
""",
    example="""
__global__ void add(float *x);
add(d_x);          /* add<<<blocks, threads>>>(d_x); */
""",
    languages=LANGS,
)
def check_kernel_call(ctx: Context) -> Iterator[Finding]:
    """Kernels called without a launch configuration."""
    m = _model(ctx)
    kernels = {u.name for u in m.units if _is_kernel(u)}
    for n in walk(m.source.tree.root_node):
        if n.type == "declaration" and any(
            c.type == "__global__" or m.text(c) == "__global__" for c in n.children
        ):
            for d in n.children_by_field_name("declarator"):
                if d.type == "function_declarator":
                    kernels.add(m.text(d.child_by_field_name("declarator")))
    if not kernels:
        return
    for unit in m.units:
        for c in unit.calls:
            if c.name in kernels and _launch_syntax(c.node) is None:
                yield Finding(
                    "cuda-kernel-call-without-launch",
                    f"kernel '{c.name}' is called without a launch configuration (<<<grid, block>>>)",
                    m.source.node_span(c.node),
                )
