"""MPI datatypes in the evaluator: type signatures, extents, and the derived-type constructors.

A signature is a tuple of (basic datatype name, repetitions) runs, merged; two messages match when
the sender's signature is a prefix of the receiver's (equal for collectives). ``MPI_BYTE`` and
``MPI_PACKED`` match anything, so signatures containing them are never compared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hpclsp.analysis.hostcode import mpi_tables as T
from hpclsp.analysis.hostcode.mpi_trace import Event, Handle, Ptr
from hpclsp.analysis.values import consts
from hpclsp.analysis.values.consts import Symbol

if TYPE_CHECKING:
    from hpclsp.analysis.hostcode.mpi_calls import MpiSemantics

Sig = tuple[tuple[str, int], ...]
MAX_RUNS = 256
_ALIASES = {"MPI_LONG_LONG_INT": "MPI_LONG_LONG", "MPI_REAL8": "MPI_DOUBLE_PRECISION"}


def merge(runs: list[tuple[str, int]]) -> Sig | None:
    """Merge adjacent runs of the same type (None past the size cap)."""
    out: list[tuple[str, int]] = []
    for t, n in runs:
        if n <= 0:
            continue
        if out and out[-1][0] == t:
            out[-1] = (t, out[-1][1] + n)
        else:
            out.append((t, n))
        if len(out) > MAX_RUNS:
            return None
    return tuple(out)


def repeat(sig: Sig | None, n: Any) -> Sig | None:
    """The signature of n consecutive copies."""
    if sig is None or not consts.is_int(n) or n < 0:
        return None
    if len(sig) == 1:
        return ((sig[0][0], sig[0][1] * n),) if n else ()
    if len(sig) * n > MAX_RUNS:
        return None
    return merge(list(sig) * n)


def info(v: Any) -> tuple[Sig | None, int | None]:
    """(signature, extent in bytes) of a datatype value."""
    if isinstance(v, Symbol):
        name = _ALIASES.get(v.name, v.name)
        if name in T.DATATYPES:
            return ((name, 1),), T.DATATYPES[name][0]
        if name in T.PAIR_TYPES:
            return ((name, 1),), None
        return None, None
    if isinstance(v, Handle) and v.kind == "datatype":
        return v.signature, v.extent
    return None, None


def span(sem: MpiSemantics, count: Any, dtype: Any) -> int | None:
    """Bytes a buffer of count elements of dtype covers (None when not known)."""
    _, ext = info(dtype)
    if ext is None or not consts.is_int(count) or count < 0:
        return None
    return count * ext


def message(count: Any, dtype: Any) -> Sig | None:
    """The signature of count elements of dtype; None when unknown or untyped (MPI_BYTE/PACKED)."""
    sig, _ = info(dtype)
    if sig is None or any(t in ("MPI_BYTE", "MPI_PACKED") for t, _ in sig):
        return None
    return repeat(sig, count)


def is_prefix(a: Sig, b: Sig) -> bool:
    """True when signature a is a prefix of b."""
    if not a:
        return True
    if len(a) > len(b):
        return False
    for i, (t, n) in enumerate(a):
        bt, bn = b[i]
        if t != bt or (n != bn and (i != len(a) - 1 or n > bn)):
            return False
    return True


def _ints(sem: MpiSemantics, p: Any, n: int) -> list[Any] | None:
    """n values read from an array argument."""
    if not isinstance(p, Ptr) or n > 4096:
        return None
    base = p.offset // (p.obj.elem_size or 1)
    return [p.obj.get(base + k) for k in range(n)]


def construct(sem: MpiSemantics, ev: Event) -> tuple[Sig | None, int | None]:
    """Signature and extent of the datatype a constructor call creates."""
    a = ev.args
    key = ev.key
    if key in ("MPI_TYPE_DUP", "MPI_TYPE_CREATE_RESIZED"):
        sig, ext = info(a.get("oldtype"))
        new_ext = a.get("extent")
        return sig, (new_ext if key == "MPI_TYPE_CREATE_RESIZED" and consts.is_int(new_ext) else ext)
    count = a.get("count")
    if not consts.is_int(count) or count < 0:
        return None, None
    sig, ext = info(a.get("oldtype"))
    if key == "MPI_TYPE_CONTIGUOUS":
        return repeat(sig, count), (count * ext if ext is not None else None)
    if key in ("MPI_TYPE_VECTOR", "MPI_TYPE_CREATE_HVECTOR"):
        bl, stride = a.get("blocklength"), a.get("stride")
        if not consts.is_int(bl) or not consts.is_int(stride) or bl < 0:
            return None, None
        new_sig = repeat(sig, count * bl)
        if ext is None or count == 0:
            return new_sig, 0 if count == 0 else None
        step = stride * ext if key == "MPI_TYPE_VECTOR" else stride
        return new_sig, (count - 1) * step + bl * ext
    if key in ("MPI_TYPE_INDEXED", "MPI_TYPE_CREATE_HINDEXED"):
        bls = _ints(sem, a.get("array_of_blocklengths"), count)
        dis = _ints(sem, a.get("array_of_displacements"), count)
        if bls is None or dis is None or not all(consts.is_int(x) for x in bls + dis):
            return None, None
        new_sig = repeat(sig, sum(bls))
        if ext is None:
            return new_sig, None
        unit = ext if key == "MPI_TYPE_INDEXED" else 1
        return new_sig, max((d * unit + b * ext for b, d in zip(bls, dis)), default=0)
    if key == "MPI_TYPE_CREATE_STRUCT":
        bls = _ints(sem, a.get("array_of_blocklengths"), count)
        dis = _ints(sem, a.get("array_of_displacements"), count)
        tys = _ints(sem, a.get("array_of_types"), count)
        if bls is None or dis is None or tys is None or not all(consts.is_int(x) for x in bls + dis):
            return None, None
        runs: list[tuple[str, int]] = []
        ext_max = 0
        for b, d, t in zip(bls, dis, tys):
            s, e = info(t)
            rs = repeat(s, b)
            if rs is None or e is None:
                return None, None
            runs.extend(rs)
            ext_max = max(ext_max, d + b * e)
        return merge(runs), None
    return None, None
