"""The launch a kernel is simulated with: block and grid extents, sampled threads, argument values.

In order of preference: the constant ``<<<grid, block>>>`` of the kernel's launches in the file; the
block the kernel assumes by computing ``blockIdx.x * C``; 64 threads in one dimension (8x8 or
4x4x4 when ``threadIdx.y``/``.z`` are used). Blocks stay at most 256 threads. Two blocks along
the first grid dimension used are enough for conflicts between blocks; the second block runs
only its edge and middle threads.
"""

from __future__ import annotations

from typing import Any

from hpclsp.analysis.cuda.interp import GiveUp, Infeasible, Interp, Ptr, Thread
from hpclsp.analysis.cuda.program import N, Program, call_name, function_declarator, params_of, walk

MAX_BLOCK = 256
_Dims = tuple[int, int, int]


class _NullRecorder:
    """Evaluates host-side and constant expressions: no accesses, no budget."""

    def access(self, th: Thread, ptr: Ptr, size: int, kind: str, node: N, value: Any) -> None:
        return None

    def tick(self) -> None:
        return None


def launch_for(prog: Program, kernel: N) -> Any:
    """Block and grid extents for a kernel (see the module docstring)."""
    text = prog.reach_text(kernel)
    if "threadIdx.z" in text:
        bd = [4, 4, 4]
    elif "threadIdx.y" in text:
        bd = [8, 8, 1]
    else:
        bd = [64, 1, 1]
    for d, c in _assumed_block(prog, kernel).items():
        # a block no larger than the kernel assumes (larger would overlap neighbouring blocks)
        bd[d] = min(c, MAX_BLOCK) if bd[1] == bd[2] == 1 else min(c, bd[d])
    launched, grid = _launched(prog, kernel)
    if launched is not None:  # the file launches it with a constant block: that is the one
        bd = list(launched)
        while bd[0] * bd[1] * bd[2] > MAX_BLOCK:
            i = bd.index(max(bd))
            bd[i] //= 2
    # two blocks along the first grid dimension the kernel uses: enough for inter-block conflicts
    used = [d for d in range(3) if f"blockIdx.{'xyz'[d]}" in text] or ([0] if "gridDim" in text else [])
    gd = tuple(2 if used and d == used[0] else 1 for d in range(3))
    if grid is not None:  # a constant grid: one block, or two along its first dimension of several
        first = next((d for d in range(3) if grid[d] > 1), None)
        gd = tuple(2 if d == first else 1 for d in range(3))
    return tuple(bd), gd


def _launched(prog: Program, kernel: N) -> tuple[_Dims | None, _Dims | None]:
    """Block and grid extents of the kernel's launches in the file when constant and all equal."""
    decl = function_declarator(kernel)
    name_node = decl.f.get("declarator") if decl is not None else None
    if name_node is None:
        return None, None
    name = name_node.text.split("::")[-1]
    ev = Interp(prog, _NullRecorder(), {})
    odd = (-7919, -7919, -7919)
    ev.th = Thread(odd, odd, odd, odd, 0, 0)
    blocks: set[_Dims | None] = set()
    grids: set[_Dims | None] = set()
    for fns in prog.functions.values():
        for fn in fns:
            for x in walk(fn):
                if x.type != "call_expression" or call_name(x) != name:
                    continue
                cfg = next((k for k in x.kids if k.type == "kernel_call_syntax"), None)
                if cfg is None or len(cfg.kids) < 2:
                    continue
                grids.add(_dim3(ev, cfg.kids[0], fn, 1 << 30))
                blocks.add(_dim3(ev, cfg.kids[1], fn))
    block = next(iter(blocks)) if len(blocks) == 1 else None
    grid = next(iter(grids)) if len(grids) == 1 else None
    return block, grid


def _dim3(ev: Interp, e: N, fn: N, limit: int = 1024) -> _Dims | None:
    """Extents of a block-size expression: an integer, ``dim3(x, y)`` or a ``dim3`` variable of ``fn``."""
    if e.type == "call_expression" and call_name(e) == "dim3":
        al = e.f.get("arguments")
        return _extents(ev, al.kids if al is not None else [], limit)
    if e.type == "identifier":
        return _dim3_variable(ev, e, fn, limit)
    return _extents(ev, [e], limit)


def _dim3_variable(ev: Interp, e: N, fn: N, limit: int) -> _Dims | None:
    """Extents of the ``dim3`` (or integer) variable ``e``, from its declaration in ``fn``."""
    for x in walk(fn):
        if x.type == "assignment_expression" and (x.f.get("left") or x).text.split(".")[0] == e.text:
            return None  # changed after its declaration
    for x in walk(fn):
        if x.type == "function_declarator" and (x.f.get("declarator") or x).text == e.text:
            # `dim3 threads(TB);` parses as a function declaration: its "parameters" are the extents
            pl = x.f.get("parameters")
            named = [_named_int(ev, p.text, limit) for p in (pl.kids if pl is not None else [])]
            if not named or len(named) > 3 or any(v is None for v in named):
                return None
            ints = [v for v in named if v is not None] + [1] * (3 - len(named))
            return (ints[0], ints[1], ints[2])
        d = x.f.get("declarator") if x.type == "init_declarator" else None
        if d is not None and d.text == e.text:
            val = x.f.get("value")
            if val is not None and val.type in ("argument_list", "initializer_list"):
                return _extents(ev, val.kids, limit)
            if val is not None:
                return _dim3(ev, val, fn, limit)
            break
    return _extents(ev, [e], limit)


def _extents(ev: Interp, args: list[N], limit: int) -> _Dims | None:
    """Up to three positive extents no larger than ``limit``, padded with 1s; None when unknown."""
    vals: list[int] = []
    for a in args[:3]:
        try:
            v = ev.eval(a, {})
        except (GiveUp, Infeasible, RecursionError):
            return None
        if not isinstance(v, int) or v <= 0 or v > limit:
            return None
        vals.append(v)
    vals += [1] * (3 - len(vals))
    return (vals[0], vals[1], vals[2])


def _named_int(ev: Interp, text: str, limit: int) -> int | None:
    """The value of a macro or constant written where the parser saw a type name."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    expr = ev.prog.macro(text)
    try:
        v = ev.eval(expr, {}) if expr is not None else ev.globals.get(text)
    except (GiveUp, Infeasible, RecursionError):
        return None
    return v if isinstance(v, int) and 0 < v <= limit else None


def offset_params(prog: Program, kernel: N) -> frozenset[str]:
    """Integer kernel parameters added to or subtracted from an array index (``a[i + offset]``)."""
    ints = {name for name, kind, _s, _t in params_of(prog, kernel) if kind == "int"}
    out = set()
    fns = [kernel] + [f for fs in prog.functions.values() for f in fs if f is not kernel]
    for fn in fns:
        for x in walk(fn):
            if x.type != "subscript_expression":
                continue
            for y in walk(x.f.get("indices") or x.f.get("index") or x):
                if (
                    y.type == "binary_expression"
                    and y.f.get("operator") is not None
                    and y.f["operator"].text in "+-"
                ):
                    for side in (y.f.get("left"), y.f.get("right")):
                        if side is not None and side.type == "identifier" and side.text in ints:
                            out.add(side.text)
    return frozenset(out)


def _assumed_block(prog: Program, kernel: N) -> dict[int, int]:
    """Block extents a kernel assumes by computing ``blockIdx.x * C + ...`` with a constant C."""
    out: dict[int, int] = {}
    ev = Interp(prog, _NullRecorder(), {})
    odd = (-7919, -7919, -7919)  # thread-dependent values must not pass for constants
    ev.th = Thread(odd, odd, odd, odd, 0, 0)
    for x in walk(kernel):
        if x.type != "binary_expression" or "operator" not in x.f or x.f["operator"].text != "*":
            continue
        for a, b in ((x.f.get("left"), x.f.get("right")), (x.f.get("right"), x.f.get("left"))):
            if a is None or b is None or a.type != "field_expression" or not a.text.startswith("blockIdx"):
                continue
            d = "xyz".find(a.text[-1])
            try:
                v = ev.eval(b, {})
            except (GiveUp, Infeasible, RecursionError):
                continue
            if d >= 0 and isinstance(v, int) and 1 <= v <= 1024 and d not in out:
                out[d] = v
    return out


def threads_of(bd: tuple[int, int, int], gd: tuple[int, int, int]) -> list[Thread]:
    """Every thread of block 0, and the edge and middle threads of the other blocks.

    The other blocks matter only for global-memory conflicts between blocks, which meet at block
    edges or between corresponding threads: a sample keeps the cost of a second block small.
    """
    out = []
    for bz in range(gd[2]):
        for by in range(gd[1]):
            for bx in range(gd[0]):
                block = bx + gd[0] * (by + gd[1] * bz)
                keep = [
                    range(e) if block == 0 else sorted({0, 1, e // 2, e - 2, e - 1} & set(range(e)))
                    for e in bd
                ]
                for z in keep[2]:
                    for y in keep[1]:
                        for x in keep[0]:
                            lin = x + bd[0] * (y + bd[1] * z)
                            out.append(Thread((x, y, z), (bx, by, bz), bd, gd, lin, block))
    return out


def shrink(launch: Any) -> Any:
    """A smaller block (for kernels that index their shared arrays past the end at the default)."""
    bd, gd = launch
    if bd[0] * bd[1] * bd[2] <= 16:
        return None
    return tuple(max(1, x // 2) if x > 1 else 1 for x in bd), gd
