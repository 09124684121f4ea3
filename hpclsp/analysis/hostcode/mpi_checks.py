"""Checks on one rank's MPI calls as the evaluator makes them, and at the end of a complete run.

Per call: invalid arguments (null handles and pointers, freed or uncommitted datatypes, negative
counts and tags, ranks and roots outside the communicator, operations not allowed in a reduction or
on the datatype), buffers too small for count × extent, buffers whose element type does not match
the datatype, one-sided operations outside an access epoch. At the end of a complete run: requests
never completed and MPI objects never freed. Every value checked is known on this rank's path; an
unknown value is never reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hpclsp.analysis.hostcode import mpi_tables as T
from hpclsp.analysis.hostcode import mpi_types
from hpclsp.analysis.hostcode.mpi_trace import Event, Handle, Obj, Ptr
from hpclsp.analysis.values import consts
from hpclsp.analysis.values.consts import Symbol

if TYPE_CHECKING:
    from hpclsp.analysis.hostcode.mpi_calls import MpiSemantics

INVALID = "mpi-invalid-argument"
_RANK_PARAMS = ("dest", "source", "root", "target_rank")
_TAG_PARAMS = ("tag", "sendtag", "recvtag")
_COUNT_PARAMS = ("count", "sendcount", "recvcount", "origin_count", "target_count", "blocklength", "n")
_NULL_NAMES = frozenset(T.NULL_HANDLES.values())
#: Collectives whose receive (or send) buffer holds one block per process.
_PER_PROCESS_RECV = frozenset(
    {"MPI_GATHER", "MPI_IGATHER", "MPI_ALLGATHER", "MPI_IALLGATHER", "MPI_ALLTOALL", "MPI_IALLTOALL"}
)
_PER_PROCESS_SEND = frozenset({"MPI_SCATTER", "MPI_ISCATTER", "MPI_ALLTOALL", "MPI_IALLTOALL"})
#: Buffers significant only at the root.
_ROOT_ONLY = {
    "MPI_GATHER": ("recvbuf",),
    "MPI_IGATHER": ("recvbuf",),
    "MPI_SCATTER": ("sendbuf",),
    "MPI_ISCATTER": ("sendbuf",),
    "MPI_REDUCE": ("recvbuf",),
    "MPI_IREDUCE": ("recvbuf",),
}


#: Array arguments and the argument giving their number of elements.
_ARRAYS = (
    ("count", "array_of_blocklengths"),
    ("count", "array_of_displacements"),
    ("count", "array_of_types"),
    ("count", "array_of_requests"),
    ("incount", "array_of_requests"),
    ("n", "ranks"),
)


def check_event(sem: MpiSemantics, ev: Event) -> None:
    """All argument checks of one call."""
    _arrays(sem, ev)
    _handles(sem, ev)
    _numbers(sem, ev)
    _pointers(sem, ev)
    _buffers(sem, ev)
    _rma(sem, ev)


def _arrays(sem: MpiSemantics, ev: Event) -> None:
    """Array arguments with fewer elements than the count says."""
    for count, arr in _ARRAYS:
        n, p = ev.args.get(count), ev.args.get(arr)
        if not consts.is_int(n) or not isinstance(p, Ptr) or not p.obj.elem_size or p.obj.nbytes is None:
            continue
        have = (p.obj.nbytes - p.offset) // p.obj.elem_size
        if n > have:
            _bad(sem, ev, f"`{count}` = {n} but `{arr}` (`{p.obj.name}`) has only {have} elements")


def _bad(sem: MpiSemantics, ev: Event, what: str) -> None:
    sem.report(INVALID, ev.node, f"{sem.where} calls {ev.name} with {what}")


def _handles(sem: MpiSemantics, ev: Event) -> None:
    for param in T.HANDLE_PARAMS:
        if param not in ev.args:
            continue
        v = ev.args[param]
        if consts.is_int(v) and v == 0:
            _bad(sem, ev, f"a null pointer as `{param}`")
        elif isinstance(v, Symbol) and v.name in _NULL_NAMES:
            _bad(sem, ev, f"`{v.name}` as `{param}`")
        elif isinstance(v, Handle) and v.freed:
            _bad(
                sem,
                ev,
                f"the {v.kind} created at line {v.node.start_point[0] + 1} after it was freed as `{param}`",
            )
        elif (
            isinstance(v, Handle)
            and v.kind == "datatype"
            and not v.committed
            and not ev.key.startswith("MPI_TYPE_")
        ):
            _bad(sem, ev, f"the datatype created at line {v.node.start_point[0] + 1}, which is not committed")
    op = ev.args.get("op")
    if ev.key in T.REDUCTIONS and isinstance(op, Symbol):
        dtype = ev.args.get("datatype")
        dname = dtype.name if isinstance(dtype, Symbol) else None
        if op.name in T.RMA_ONLY_OPS:
            _bad(sem, ev, f"`{op.name}`, which is only valid in one-sided accumulates")
        elif dname in T.FLOATING and (
            op.name in T.BITWISE_OPS or op.name in ("MPI_LAND", "MPI_LOR", "MPI_LXOR")
        ):
            _bad(sem, ev, f"`{op.name}` on the floating-point datatype `{dname}`")
        elif op.name in T.LOC_OPS and dname in T.DATATYPES:
            _bad(sem, ev, f"`{op.name}` on `{dname}`, which is not a value-index pair type")


def _numbers(sem: MpiSemantics, ev: Event) -> None:
    for p in _COUNT_PARAMS:
        v = ev.args.get(p)
        if consts.is_int(v) and v < 0:
            _bad(sem, ev, f"a negative `{p}` ({v})")
    for p in _TAG_PARAMS:
        v = ev.args.get(p)
        if consts.is_int(v) and v < 0:
            _bad(sem, ev, f"a negative `{p}` ({v})")
    comm = sem.comm(ev.args.get("comm"))
    size = comm[1] if comm is not None else None
    if ev.key in T.RMA_OPS:
        size = sem.nprocs
    for p in _RANK_PARAMS:
        v = ev.args.get(p)
        if not consts.is_int(v):
            continue
        if v < 0 or (size is not None and v >= size):
            plural = "process" if size == 1 else "processes"
            extent = f" (the communicator has {size} {plural})" if size is not None else ""
            _bad(sem, ev, f"`{p}` = {v}, outside the communicator{extent}")


def _pointers(sem: MpiSemantics, ev: Event) -> None:
    for p in T.OUT_POINTERS | {"status"}:
        v = ev.args.get(p)
        if consts.is_int(v) and v == 0 and not (p == "status" and ev.key.startswith("MPI_WAIT")):
            _bad(sem, ev, f"a null pointer as `{p}`")
    for buf, count, _ in T.BUFFERS:
        v, n = ev.args.get(buf), ev.args.get(count)
        if consts.is_int(v) and v == 0 and consts.is_int(n) and n > 0 and _significant(sem, ev, buf):
            _bad(sem, ev, f"a null pointer as `{buf}` for {n} elements")


def _significant(sem: MpiSemantics, ev: Event, buf: str) -> bool:
    """False for a buffer only the root uses, on another rank."""
    if buf in _ROOT_ONLY.get(ev.key, ()):
        root = ev.args.get("root")
        return consts.is_int(root) and root == _my_rank(sem, ev)
    return True


def _my_rank(sem: MpiSemantics, ev: Event) -> Any:
    c = sem.comm(ev.args.get("comm"))
    return c[2] if c is not None else None


def _buffers(sem: MpiSemantics, ev: Event) -> None:
    comm = sem.comm(ev.args.get("comm"))
    for buf, count, dtype in T.BUFFERS:
        p = ev.args.get(buf)
        if not isinstance(p, Ptr) or count not in ev.args or dtype not in ev.args:
            continue
        if not _significant(sem, ev, buf) or p.obj.freed:
            continue
        n = ev.args[count]
        per_proc = (buf == "recvbuf" and ev.key in _PER_PROCESS_RECV) or (
            buf == "sendbuf" and ev.key in _PER_PROCESS_SEND
        )
        if per_proc:
            if comm is None or comm[1] is None or not consts.is_int(n):
                continue
            n = n * comm[1]
        _overflow(sem, ev, p, n, ev.args[dtype], buf)
        _type_match(sem, ev, p, ev.args[dtype], buf)


def _overflow(sem: MpiSemantics, ev: Event, p: Ptr, n: Any, dtype: Any, buf: str) -> None:
    size = mpi_types.span(sem, n, dtype)
    cap = p.obj.nbytes
    if size is None or cap is None or size == 0:
        return
    if p.offset + size > cap:
        sem.report(
            "mpi-count-overflow",
            ev.node,
            f"{sem.where} calls {ev.name} with `{buf}` covering {size} bytes ({n} × {_dname(dtype)}) "
            f"from byte {p.offset} of `{p.obj.name}`, which has {cap} bytes",
        )


def _dname(dtype: Any) -> str:
    if isinstance(dtype, Symbol):
        return dtype.name
    if isinstance(dtype, Handle):
        return f"the datatype of line {dtype.node.start_point[0] + 1}"
    return "?"


def _repr(ctype: str) -> tuple[int, str] | None:
    """(size, kind) of a C scalar type: kind ``float``, ``unsigned`` or ``signed``."""
    c = T.C_SYNONYMS.get(ctype, ctype)
    size = consts.C_SIZES.get(c)
    if size is None or c in ("char", "signed char", "unsigned char", "bool", "_Bool"):
        return None
    if c in ("float", "double", "long double"):
        return size, "float"
    return size, "unsigned" if c.startswith("unsigned") or c == "size_t" else "signed"


def _type_match(sem: MpiSemantics, ev: Event, p: Ptr, dtype: Any, buf: str) -> None:
    sig, _ = mpi_types.info(dtype)
    ctype = p.obj.ctype
    if (
        sig is None
        or not sig
        or ctype is None
        or "*" in ctype
        or (ctype not in consts.C_SIZES and ctype not in T.F_SIZES)
    ):
        return
    kinds = {t for t, _ in sig}
    if len(kinds) != 1:
        return
    (t,) = kinds
    # Character types are used to move raw bytes of any data, like MPI_BYTE.
    if (
        t not in T.DATATYPES
        or not T.DATATYPES[t][1]
        or t in T.CHAR_TYPES
        or ctype in ("char", "unsigned char", "signed char")
    ):
        return
    accepted = T.DATATYPES[t][1]
    c = T.C_SYNONYMS.get(ctype, ctype)
    if ctype in accepted or c in accepted or any(T.C_SYNONYMS.get(a) == c for a in accepted):
        return
    if _repr(ctype) is not None and any(_repr(a) == _repr(ctype) for a in accepted):
        return  # same size, signedness and kind (int64_t data as MPI_LONG_LONG on LP64): same bits
    sem.report(
        "mpi-datatype-mismatch",
        ev.node,
        f"{sem.where} calls {ev.name} with `{buf}` pointing at `{ctype}` data (`{p.obj.name}`) "
        f"described as {t}",
    )


def _rma(sem: MpiSemantics, ev: Event) -> None:
    a = ev.args
    if ev.key == "MPI_WIN_CREATE":
        du, size = a.get("disp_unit"), a.get("size")
        if consts.is_int(du) and du <= 0:
            _bad(sem, ev, f"a displacement unit of {du}")
        if consts.is_int(size) and size < 0:
            _bad(sem, ev, f"a negative window size ({size})")
        return
    if ev.key not in T.RMA_OPS:
        return
    win = a.get("win")
    if isinstance(win, Handle) and win.kind == "win" and win.epoch is None:
        sem.report(
            "mpi-rma-epoch",
            ev.node,
            f"{sem.where} calls {ev.name} on the window created at line {win.node.start_point[0] + 1} "
            "outside an access epoch (no MPI_Win_fence, MPI_Win_lock or MPI_Win_start before it)",
            [(win.node, "the window")],
        )


def check_end(sem: MpiSemantics) -> None:
    """Requests never completed and objects never freed, on a complete run that reached MPI_Finalize."""
    tr = sem.trace
    if not tr.complete or not tr.finalized:
        return
    for h in tr.handles:
        if h.freed or h.uncertain:
            continue
        if h.kind == "request":
            if h.active and not h.persistent:
                sem.report(
                    "mpi-request-not-completed",
                    h.node,
                    f"{sem.where}: the request of this {h.op.name} is never completed (no MPI_Wait or MPI_Test "
                    "succeeds on it before MPI_Finalize)",
                )
            elif h.persistent:
                _leak(sem, h, "persistent request", "MPI_Request_free")
            continue
        free = {
            "comm": "MPI_Comm_free",
            "datatype": "MPI_Type_free",
            "op": "MPI_Op_free",
            "group": "MPI_Group_free",
            "win": "MPI_Win_free",
        }.get(h.kind)
        if free:
            _leak(sem, h, h.kind, free)


def _leak(sem: MpiSemantics, h: Handle, what: str, free: str) -> None:
    sem.report(
        "mpi-resource-leak",
        h.node,
        f"{sem.where}: the {what} created here is never freed ({free} is not called before MPI_Finalize)",
    )


def on_free(sem: MpiSemantics, obj: Obj, node: Any) -> None:
    """``free`` of memory a live window still exposes."""
    for h in sem.trace.handles:
        if h.kind == "win" and not h.freed and isinstance(h.base, Ptr) and h.base.obj is obj:
            sem.report(
                "mpi-rma-epoch",
                node,
                f"{sem.where} frees `{obj.name}` while the window created at line {h.node.start_point[0] + 1} "
                "still exposes it (call MPI_Win_free first)",
                [(h.node, "the window")],
            )


def lock_in_fence_epoch(sem: MpiSemantics) -> None:
    """``MPI_Win_lock`` between two fences of the same window (inside a fence epoch)."""
    opened: dict[int, Event] = {}
    locks: list[tuple[Event, Event]] = []
    for e in sem.trace.events:
        w = e.args.get("win")
        if not isinstance(w, Handle):
            continue
        if e.key == "MPI_WIN_FENCE":
            for lock, fence in locks:
                if fence is opened.get(w.id):
                    sem.report(
                        "mpi-rma-epoch",
                        lock.node,
                        f"{sem.where} locks the window inside the access epoch the MPI_Win_fence at line "
                        f"{fence.node.start_point[0] + 1} opened (closed at line {e.node.start_point[0] + 1})",
                        [(fence.node, "the fence that opens the epoch")],
                    )
            locks = [x for x in locks if x[1] is not opened.get(w.id)]
            nosucceed = isinstance(e.args.get("assert"), Symbol) and "NOSUCCEED" in e.args["assert"].name
            if nosucceed:
                opened.pop(w.id, None)
            else:
                opened[w.id] = e
        elif e.key in ("MPI_WIN_LOCK", "MPI_WIN_LOCK_ALL") and w.id in opened:
            locks.append((e, opened[w.id]))
