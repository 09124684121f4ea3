"""What each MPI call does to one rank's state in the evaluator: events, handles, requests, buffers.

``MpiSemantics.call`` binds the arguments by parameter name, records an ``Event``, runs the
argument checks of ``mpi_checks`` on it and applies the call's effects: ``MPI_Comm_rank`` writes
the rank, constructors create ``Handle`` objects (communicators, datatypes with their signature and
extent, requests, windows, groups, ops), completions retire requests. Buffers owned by pending
nonblocking operations are remembered so that a conflicting access is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from hpclsp.analysis.hostcode import mpi_checks, mpi_types
from hpclsp.analysis.hostcode import mpi_tables as T
from hpclsp.analysis.hostcode.mpi_trace import Event, Finding, Handle, Node, Obj, Ptr
from hpclsp.analysis.values import consts
from hpclsp.analysis.values.consts import UNKNOWN, Symbol

if TYPE_CHECKING:
    from hpclsp.analysis.hostcode.mpi_eval import RankEvaluator

ALLOCATORS = frozenset({"malloc", "calloc", "alloca", "free", "exit", "abort", "_exit", "abs", "labs"})

_COMM_CREATORS = {
    "MPI_COMM_DUP": "dup",
    "MPI_COMM_SPLIT": "split",
    "MPI_COMM_CREATE": "create",
    "MPI_COMM_IDUP": "dup",
    "MPI_COMM_SPLIT_TYPE": "split",
    "MPI_COMM_CREATE_GROUP": "create",
}
_FREES = {
    "MPI_COMM_FREE": ("comm", "MPI_COMM_NULL"),
    "MPI_TYPE_FREE": ("datatype", "MPI_DATATYPE_NULL"),
    "MPI_OP_FREE": ("op", "MPI_OP_NULL"),
    "MPI_GROUP_FREE": ("group", "MPI_GROUP_NULL"),
    "MPI_WIN_FREE": ("win", "MPI_WIN_NULL"),
}


_Handler = TypeVar("_Handler", bound=Callable[..., Any])


def _handles(*routines: str) -> Callable[[_Handler], _Handler]:
    """Mark a method of ``MpiSemantics`` as the effects of the named MPI routines (upper case)."""

    def deco(fn: _Handler) -> _Handler:
        fn.mpi_routines = routines  # type: ignore[attr-defined]
        return fn

    return deco


class MpiSemantics:
    """The MPI state of one rank while the evaluator runs it."""

    def __init__(self, ev: RankEvaluator) -> None:
        self.ev = ev
        self.trace = ev.trace
        self.rank = ev.trace.rank
        self.nprocs = ev.trace.nprocs
        #: Pending buffer accesses of active requests: (request, object, first byte, end byte, is_recv).
        self.pending: list[tuple[Handle, Obj, int, int, bool]] = []
        self.reported: set[int] = set()
        #: Windows by the id of the memory object they expose.
        self.windows: dict[int, list[Handle]] = {}
        self.created = 0

    # -- reporting ------------------------------------------------------------------------------
    def report(
        self, code: str, node: Node, message: str, related: list[tuple[Node, str]] | None = None
    ) -> None:
        """Record a finding once per (code, node)."""
        key = hash((code, node.id))
        if key in self.reported:
            return
        self.reported.add(key)
        self.trace.findings.append(Finding(code, node, message, related or []))

    @property
    def where(self) -> str:
        """ "with N processes, rank R" for messages."""
        return f"with {self.nprocs} processes, rank {self.rank}"

    # -- communicators ------------------------------------------------------------------------
    def comm(self, v: Any) -> tuple[str, int | None, Any] | None:
        """(identity shared by all ranks, size, my rank) of a communicator value; None when not known."""
        if isinstance(v, Symbol):
            if v.name == "MPI_COMM_WORLD":
                return "MPI_COMM_WORLD", self.nprocs, self.rank
            if v.name == "MPI_COMM_SELF":
                return f"MPI_COMM_SELF@{self.rank}", 1, 0
            return None
        if isinstance(v, Handle) and v.kind == "comm" and not v.freed:
            return v.label, v.comm_size, v.base
        return None

    # -- the call -----------------------------------------------------------------------------
    def call(self, name: str, node: Node, arg_nodes: list[Node], vals: list[Any]) -> Any:
        """Record and apply one MPI call; its return value."""
        key = name.upper()
        if key.startswith("PMPI_"):
            key = key[1:]
        params = T.PARAMS.get(key)
        args: dict[str, Any] = {}
        if params is not None:
            for i, p in enumerate(params):
                args[p] = vals[i] if i < len(vals) else UNKNOWN
        else:
            for i, v in enumerate(vals):
                args[f"arg{i}"] = v
        ev = Event(key, name, node, args, self.rank, len(self.trace.events), tuple(self.ev.stack))
        c = self.comm(args.get("comm"))
        if c is not None and not c[0].startswith("MPI_COMM_SELF") and "/r" not in c[0]:
            ev.comm_id = c[0]
        win = args.get("win")
        if isinstance(win, Handle) and win.kind == "win" and win.comm_size is not None:
            ev.comm_id = win.label  # window synchronization is collective over the window's group
        self.trace.events.append(ev)
        mpi_checks.check_event(self, ev)
        self._touch_buffers(ev)
        handler = _HANDLERS.get(key)
        if handler is not None:
            return getattr(self, handler)(ev)
        self._generic(ev, params is None)
        return 0

    def _generic(self, ev: Event, unknown: bool) -> None:
        """Effects of calls without a model: forget what their output pointers point at."""
        if ev.key in T.NONBLOCKING:
            self._start_request(ev)
        for p, v in ev.args.items():
            if (
                isinstance(v, Ptr)
                and (
                    unknown
                    or p
                    in (
                        "status",
                        "flag",
                        "index",
                        "outcount",
                        "newcomm",
                        "newtype",
                        "newgroup",
                        "win",
                        "group",
                        "baseptr",
                    )
                    or "array_of" in p
                    or p.startswith("recv")
                    or p in ("buf", "buffer")
                )
                and p not in ("sendbuf", "origin_addr")
                and not (ev.key in T.SENDS and p == "buf")
            ):
                self.ev.havoc_obj(v.obj)

    def _out(self, ev: Event, param: str, value: Any) -> None:
        """Store value through an output pointer argument."""
        p = ev.args.get(param)
        if isinstance(p, Ptr):
            self.ev.store(p.obj, p.offset // (p.obj.elem_size or 1), value, ev.node)

    @_handles("MPI_INIT", "MPI_INIT_THREAD")
    def _on_init(self, ev: Event) -> Any:
        return 0

    @_handles("MPI_FINALIZE")
    def _on_finalize(self, ev: Event) -> Any:
        self.trace.finalized = True
        return 0

    @_handles("MPI_ABORT")
    def _on_abort(self, ev: Event) -> Any:
        from hpclsp.analysis.hostcode.mpi_eval import Stop

        raise Stop("MPI_Abort")

    @_handles("MPI_COMM_RANK")
    def _on_comm_rank(self, ev: Event) -> Any:
        c = self.comm(ev.args.get("comm"))
        self._out(ev, "rank", c[2] if c is not None and c[2] is not None else UNKNOWN)
        return 0

    @_handles("MPI_COMM_SIZE")
    def _on_comm_size(self, ev: Event) -> Any:
        c = self.comm(ev.args.get("comm"))
        self._out(ev, "size", c[1] if c is not None and c[1] is not None else UNKNOWN)
        return 0

    def _new_handle(self, kind: str, ev: Event, label: str | None = None) -> Handle:
        self.created += 1
        h = Handle(kind, ev.node, label or f"{kind}{self.created}@{ev.node.start_point[0] + 1}")
        self.trace.handles.append(h)
        return h

    @_handles(*_COMM_CREATORS)
    def _comm_create(self, ev: Event) -> Any:
        parent = self.comm(ev.args.get("comm"))
        color = ev.args.get("color", ev.args.get("split_type"))
        if isinstance(color, Symbol) and color.name == "MPI_UNDEFINED":
            self._out(ev, "newcomm", Symbol("MPI_COMM_NULL"))  # this rank is in no new communicator
            return 0
        h = self._new_handle("comm", ev)
        # MPI_Comm_create and an unknown color may give MPI_COMM_NULL: never call such a handle leaked.
        h.uncertain = ev.key in ("MPI_COMM_CREATE", "MPI_COMM_CREATE_GROUP") or (
            ev.key in ("MPI_COMM_SPLIT", "MPI_COMM_SPLIT_TYPE") and not consts.is_int(color)
        )
        split = self._split_members(ev, parent, color)
        if _COMM_CREATORS[ev.key] == "dup" and parent is not None:
            h.comm_size, h.base = parent[1], parent[2]
            if "split" in parent[0]:
                h.label = f"{parent[0]}/dup{self.created}"
        elif split is not None:
            h.label, h.comm_size, h.base = split
        else:
            h.label += f"/r{self.rank}"  # members differ per rank: never matched across ranks
        self._out(ev, "newcomm", h)
        if ev.key == "MPI_COMM_IDUP":
            self._start_request(ev)
        return 0

    def _split_members(self, ev: Event, parent: Any, color: Any) -> tuple[str, int, int] | None:
        """(label, size, my rank) of an MPI_Comm_split of the world communicator when every rank's color
        and key are known (from the first pass over all ranks); None otherwise."""
        if ev.key != "MPI_COMM_SPLIT" or parent is None or parent[0] != "MPI_COMM_WORLD":
            return None
        k = self._count("MPI_COMM_SPLIT")
        key = ev.args.get("key")
        if consts.is_int(color) and consts.is_int(key):
            self.trace.splits[k] = (color, key)
        colors = self.ev.split_oracle.get(k)
        if colors is None or len(colors) != self.nprocs or not consts.is_int(color):
            return None
        members = sorted((kk, r) for r, (c, kk) in colors.items() if c == color)
        ranks = [r for _, r in members]
        if self.rank not in ranks:
            return None
        return f"split{k}/c{color}", len(ranks), ranks.index(self.rank)

    @_handles("MPI_COMM_FREE", "MPI_TYPE_FREE", "MPI_OP_FREE", "MPI_GROUP_FREE")
    def _free(self, ev: Event) -> Any:
        param, null = _FREES[ev.key]
        h = self._deref(ev.args.get(param))
        if isinstance(h, Handle):
            h.freed = True
        self._out(ev, param, Symbol(null))
        return 0

    def _deref(self, v: Any) -> Any:
        if isinstance(v, Ptr):
            return v.obj.get(v.offset // (v.obj.elem_size or 1))
        return UNKNOWN

    @_handles("MPI_COMM_GROUP")
    def _on_comm_group(self, ev: Event) -> Any:
        self._out(ev, "group", self._new_handle("group", ev))
        return 0

    @_handles("MPI_GROUP_INCL", "MPI_GROUP_EXCL")
    def _group_new(self, ev: Event) -> Any:
        self._out(ev, "newgroup", self._new_handle("group", ev))
        return 0

    @_handles("MPI_OP_CREATE")
    def _on_op_create(self, ev: Event) -> Any:
        self._out(ev, "op", self._new_handle("op", ev))
        return 0

    @_handles(
        "MPI_TYPE_CONTIGUOUS",
        "MPI_TYPE_VECTOR",
        "MPI_TYPE_CREATE_HVECTOR",
        "MPI_TYPE_INDEXED",
        "MPI_TYPE_CREATE_HINDEXED",
        "MPI_TYPE_CREATE_STRUCT",
        "MPI_TYPE_CREATE_RESIZED",
        "MPI_TYPE_DUP",
        "MPI_TYPE_CREATE_SUBARRAY",
    )
    def _type_new(self, ev: Event) -> Any:
        h = self._new_handle("datatype", ev)
        h.signature, h.extent = mpi_types.construct(self, ev)
        self._out(ev, "newtype", h)
        return 0

    @_handles("MPI_TYPE_COMMIT")
    def _on_type_commit(self, ev: Event) -> Any:
        h = self._deref(ev.args.get("datatype"))
        if isinstance(h, Handle):
            h.committed = True
        return 0

    @_handles("MPI_WIN_CREATE", "MPI_WIN_ALLOCATE")
    def _on_win_create(self, ev: Event) -> Any:
        n = self._count("MPI_WIN_CREATE") + self._count("MPI_WIN_ALLOCATE")
        h = self._new_handle("win", ev, label=f"win{n}")
        if ev.key == "MPI_WIN_ALLOCATE":
            size = ev.args.get("size")
            mem = Obj(f"<window {n}>", None, size if consts.is_int(size) else None, None, heap=True)
            self._out(ev, "baseptr", Ptr(mem, 0, 0))
            h.base = Ptr(mem, 0, 0)
        else:
            h.base = ev.args.get("base")
        size = ev.args.get("size")
        if consts.is_int(size):
            self.trace.win_sizes[h.label] = size
        du = ev.args.get("disp_unit")
        h.disp_unit = du if consts.is_int(du) and du > 0 else None
        c = self.comm(ev.args.get("comm"))
        if c is not None and c[0] == "MPI_COMM_WORLD":
            h.comm_size = c[1]
        self._out(ev, "win", h)
        if isinstance(h.base, Ptr):
            self.windows.setdefault(id(h.base.obj), []).append(h)
        return 0

    def _win(self, ev: Event) -> Handle | None:
        w = ev.args.get("win")
        return w if isinstance(w, Handle) and w.kind == "win" else None

    def _sync(self, ev: Event, epoch: str | None) -> Any:
        w = self._win(ev)
        if w is not None:
            self.pending = [x for x in self.pending if not (x[0].kind == "rma" and x[0].base is w)]
            w.epoch = epoch
        return 0

    @_handles("MPI_WIN_FENCE")
    def _on_win_fence(self, ev: Event) -> Any:
        w = self._win(ev)
        if w is not None:
            w.fences += 1
        return self._sync(ev, "fence")

    @_handles("MPI_WIN_LOCK")
    def _on_win_lock(self, ev: Event) -> Any:
        return self._sync(ev, "lock")

    @_handles("MPI_WIN_LOCK_ALL")
    def _on_win_lock_all(self, ev: Event) -> Any:
        return self._sync(ev, "lock")

    @_handles("MPI_WIN_START")
    def _on_win_start(self, ev: Event) -> Any:
        return self._sync(ev, "start")

    @_handles("MPI_WIN_UNLOCK", "MPI_WIN_UNLOCK_ALL", "MPI_WIN_COMPLETE")
    def _on_win_unlock(self, ev: Event) -> Any:
        return self._sync(ev, None)

    @_handles("MPI_WIN_FLUSH")
    def _on_win_flush(self, ev: Event) -> Any:
        w = self._win(ev)
        return self._sync(ev, w.epoch if w is not None else None)

    @_handles("MPI_PUT", "MPI_GET", "MPI_ACCUMULATE")
    def _rma_op(self, ev: Event) -> Any:
        w = self._win(ev)
        p = ev.args.get("origin_addr")
        if w is not None and isinstance(p, Ptr):
            h = Handle("rma", ev.node, "rma", op=ev, base=w)
            n = mpi_types.span(self, ev.args.get("origin_count"), ev.args.get("origin_datatype"))
            self.pending.append((h, p.obj, p.offset, p.offset + (n or 1), ev.key == "MPI_GET"))
        self._record_rma(ev, w)
        return 0

    def _record_rma(self, ev: Event, w: Handle | None) -> None:
        """A one-sided access in a fence epoch, for the conflict check across ranks."""
        a = ev.args
        target, disp = a.get("target_rank"), a.get("target_disp")
        n = mpi_types.span(self, a.get("target_count"), a.get("target_datatype"))
        if w is None or w.disp_unit is None or n is None:
            return
        if not consts.is_int(target) or not consts.is_int(disp):
            return
        kind = {"MPI_PUT": "put", "MPI_GET": "get", "MPI_RPUT": "put", "MPI_RGET": "get"}.get(ev.key, "acc")
        lo = disp * w.disp_unit
        epoch = w.fences if w.epoch == "fence" else -1  # lock epochs: bounds only, no conflict check
        self.trace.rma.append((w.label, epoch, target, lo, lo + n, kind, ev.node, self.rank))

    @_handles("MPI_RPUT", "MPI_RGET", "MPI_RACCUMULATE")
    def _request_rma_op(self, ev: Event) -> Any:
        """MPI_Rput/MPI_Rget/MPI_Raccumulate: the origin buffer belongs to the request until it completes."""
        self._start_request(ev)
        self._record_rma(ev, self._win(ev))
        return 0

    @_handles("MPI_WIN_FREE")
    def _on_win_free(self, ev: Event) -> Any:
        p = ev.args.get("win")
        w = self._deref(p)
        if isinstance(w, Handle) and any(x[0].kind == "rma" and x[0].base is w for x in self.pending):
            op = next(x[0].op for x in self.pending if x[0].kind == "rma" and x[0].base is w)
            self.report(
                "mpi-rma-epoch",
                ev.node,
                f"{self.where} frees the window while the {op.name} at line {op.node.start_point[0] + 1} is not "
                "completed by a closing synchronization (MPI_Win_fence, MPI_Win_unlock)",
                [(op.node, f"the pending {op.name}")],
            )
        return self._free(ev)

    def on_free(self, obj: Obj, node: Node) -> None:
        """``free`` of heap memory."""
        mpi_checks.on_free(self, obj, node)

    def _count(self, key: str) -> int:
        return sum(1 for e in self.trace.events if e.key == key)

    # -- requests -----------------------------------------------------------------------------
    def _start_request(self, ev: Event, persistent: bool = False) -> Handle | None:
        p = ev.args.get("request")
        old = self._deref(p)
        if isinstance(old, Handle) and old.kind == "request" and old.active and not old.persistent:
            self.report(
                "mpi-request-overwritten",
                ev.node,
                f"{self.where}: the request of the {old.op.name} at line {old.node.start_point[0] + 1} is overwritten "
                "before it is completed",
                [(old.node, f"the overwritten request was started by this {old.op.name}")],
            )
        h = self._new_handle("request", ev)
        h.op, h.persistent, h.active = ev, persistent, not persistent
        ev.request = h
        if h.active:
            self._own_buffers(h, ev)
        self._out(ev, "request", h)
        return h

    def _own_buffers(self, h: Handle, ev: Event) -> None:
        for buf, count, dtype in T.BUFFERS:
            if buf not in ev.args or count not in ev.args or dtype not in ev.args:
                continue
            p = ev.args[buf]
            if not isinstance(p, Ptr):
                continue
            n = mpi_types.span(self, ev.args[count], ev.args[dtype])
            end = p.offset + n if n is not None else (p.obj.nbytes or 1 << 40)
            is_recv = (
                ev.key == "MPI_RGET"
                or buf.startswith("recv")
                or ev.key in ("MPI_IRECV", "MPI_RECV_INIT")
                or (ev.key == "MPI_IBCAST" and self._not_root(ev))
            )
            self.pending.append((h, p.obj, p.offset, end, is_recv))

    def _touch_buffers(self, ev: Event) -> None:
        """The call reads its send buffers and writes its receive buffers (conflicts with pending ones)."""
        if not self.pending:
            return
        for buf, count, dtype in T.BUFFERS:
            p = ev.args.get(buf)
            if isinstance(p, Ptr) and count in ev.args and dtype in ev.args:
                n = mpi_types.span(self, ev.args[count], ev.args[dtype])
                is_recv = buf.startswith("recv") or ev.key in T.RECVS
                self.on_access(p.obj, p.offset, n if n else 1, ev.node, write=is_recv)

    def _not_root(self, ev: Event) -> bool:
        return consts.is_int(ev.args.get("root")) and ev.args.get("root") != self.rank

    def _retire(self, h: Any, set_null: tuple[Obj, int] | None = None) -> None:
        if isinstance(h, Handle) and h.kind == "request":
            if self.trace.events:
                self.trace.events[-1].completes.append(h)
            h.active = False
            self.pending = [x for x in self.pending if x[0] is not h]
            if set_null is not None and not h.persistent:
                obj, i = set_null
                obj.set(i, Symbol("MPI_REQUEST_NULL"))

    @_handles("MPI_WAIT", "MPI_TEST")
    def _complete_one(self, ev: Event) -> Any:
        p = ev.args.get("request")
        if isinstance(p, Ptr):
            i = p.offset // (p.obj.elem_size or 1)
            self._retire(p.obj.get(i), (p.obj, i))
        for out in ("flag",):
            self._out(ev, out, 1)
        self._generic_status(ev)
        return 0

    @_handles("MPI_REQUEST_FREE")
    def _on_request_free(self, ev: Event) -> Any:
        p = ev.args.get("request")
        h = self._deref(p)
        if isinstance(h, Handle):
            if h.active and h.op is not None and h.op.key in T.RECVS:
                self.report(
                    "mpi-request-lifecycle",
                    ev.node,
                    f"{self.where} frees the request of the active {h.op.name} at line {h.node.start_point[0] + 1}: "
                    "nothing can tell when its data has arrived",
                    [(h.node, f"the {h.op.name} still in progress")],
                )
            h.freed = True
            self._retire(h)
        self._out(ev, "request", Symbol("MPI_REQUEST_NULL"))
        return 0

    @_handles("MPI_WAITALL", "MPI_TESTALL", "MPI_WAITANY", "MPI_TESTANY", "MPI_WAITSOME", "MPI_TESTSOME")
    def _complete_many(self, ev: Event) -> Any:
        n = ev.args.get("count", ev.args.get("incount"))
        p = ev.args.get("array_of_requests")
        if isinstance(p, Ptr) and consts.is_int(n):
            base = p.offset // (p.obj.elem_size or 1)
            for k in range(min(n, 4096)):
                self._retire(p.obj.get(base + k), (p.obj, base + k))
        elif isinstance(p, Ptr):
            for h in list(p.obj.elems.values()):
                self._retire(h)
        for out in ("flag", "index", "outcount"):
            self._out(ev, out, 1 if out == "flag" else UNKNOWN)
        self._generic_status(ev)
        return 0

    def _generic_status(self, ev: Event) -> None:
        for p in ("status", "array_of_statuses", "array_of_indices"):
            v = ev.args.get(p)
            if isinstance(v, Ptr):
                self.ev.havoc_obj(v.obj)

    @_handles("MPI_SEND_INIT", "MPI_SSEND_INIT", "MPI_BSEND_INIT", "MPI_RSEND_INIT", "MPI_RECV_INIT")
    def _persistent(self, ev: Event) -> Any:
        self._start_request(ev, persistent=True)
        return 0

    def _start(self, h: Any, ev: Event) -> None:
        if not isinstance(h, Handle) or h.kind != "request" or not h.persistent:
            return
        if h.active:
            self.report(
                "mpi-request-lifecycle",
                ev.node,
                f"{self.where}: the persistent request of the {h.op.name} at line {h.node.start_point[0] + 1} "
                "is started again while it is still active",
                [(h.node, "the persistent request was created here")],
            )
        h.active = True
        ev.starts.append(h)
        self._own_buffers(h, h.op)

    @_handles("MPI_START")
    def _on_start(self, ev: Event) -> Any:
        self._start(self._deref(ev.args.get("request")), ev)
        return 0

    @_handles("MPI_STARTALL")
    def _on_startall(self, ev: Event) -> Any:
        n, p = ev.args.get("count"), ev.args.get("array_of_requests")
        if isinstance(p, Ptr) and consts.is_int(n):
            base = p.offset // (p.obj.elem_size or 1)
            for k in range(min(n, 4096)):
                self._start(p.obj.get(base + k), ev)
        return 0

    # -- buffers --------------------------------------------------------------------------------
    def on_access(self, obj: Obj, off: int, size: int, node: Node, write: bool) -> None:
        """A read or write of memory by the program: conflicts with pending nonblocking operations."""
        if self.windows and id(obj) in self.windows:
            for w in self.windows[id(obj)]:
                if not w.freed and w.epoch == "fence" and isinstance(w.base, Ptr):
                    lo = off - w.base.offset
                    kind = "store" if write else "load"
                    self.trace.rma.append(
                        (w.label, w.fences, self.rank, lo, lo + size, kind, node, self.rank)
                    )
        if not self.pending:
            return
        for h, o, lo, hi, is_recv in self.pending:
            if o is obj and off < hi and lo < off + size and (write or is_recv):
                what = "written" if write else "read"
                self.report(
                    "mpi-buffer-race",
                    node,
                    f"{self.where}: `{obj.name}` is {what} while the {h.op.name} at line "
                    f"{h.node.start_point[0] + 1} that uses it is still pending",
                    [(h.node, f"the pending {h.op.name}")],
                )
                return

    def finish(self) -> None:
        """End-of-run checks on a complete trace: requests never completed, leaked handles."""
        mpi_checks.check_end(self)
        mpi_checks.lock_in_fence_epoch(self)


#: The method of ``MpiSemantics`` that applies the effects of each MPI routine it knows.
_HANDLERS: dict[str, str] = {
    r: name for name, fn in vars(MpiSemantics).items() for r in getattr(fn, "mpi_routines", ())
}
