"""Device-buffer lifecycle defects along ``main``'s trace (see ``hosttrace``).

Per pointer the walk keeps: what it is allocated as, whether its device contents are defined
(copied in, set, or handed to a kernel that may write them), whether the trace lost track of it
(assigned, freed, passed on), the asynchronous copies into host memory not yet waited for, and the
asynchronous device work per stream not yet ordered by a synchronisation. Every issue is certain
for the paths of ``main`` that reach it: the trace stops where it cannot follow.
"""

from __future__ import annotations

import dataclasses

from hpclsp.analysis.cuda.hostmem import kernel_params, param_access
from hpclsp.analysis.cuda.hosttrace import Op, main_trace
from hpclsp.analysis.hostcode.model import Model, Unit
from hpclsp.analysis.treeutil import Node

#: The device side(s) of a copy kind: (destination is device, source is device).
DEVICE_SIDES = {
    "cudaMemcpyHostToDevice": (True, False),
    "cudaMemcpyDeviceToHost": (False, True),
    "cudaMemcpyDeviceToDevice": (True, True),
}


@dataclasses.dataclass
class Issue:
    """One defect: its rule code, where, what, and the earlier operation it relates to."""

    code: str
    node: Node
    message: str
    related: Node | None = None
    related_note: str = ""
    unit: Unit | None = None


@dataclasses.dataclass
class _Pending:
    op: Op
    stream: str
    access: dict[str, set[str]]


class _Walk:
    def __init__(self, m: Model) -> None:
        self.m = m
        kernels = [u for u in m.units if "__global__" in u.qualifiers]
        names = [u.name for u in kernels]
        self.kernels = {u.name: u for u in kernels if names.count(u.name) == 1}  # overloads: unknown
        self.alloc: dict[str, tuple[str, Op]] = {}
        self.lost: set[str] = set()
        self.escaped: set[str] = set()  # an alias or address went where the walk cannot see: for good
        self.defined: set[str] = set()
        self.reported: set[str] = set()
        self.host_pending: dict[str, Op] = {}
        self.device_pending: list[_Pending] = []
        self.streams: dict[str, int] = {}
        self.opaque = False  # an unknown call may have changed any file-scope pointer
        self.issues: list[Issue] = []

    # -- queries ---------------------------------------------------------------------------------
    def followed(self, key: str) -> bool:
        """The walk still knows what happened to ``key``."""
        return key not in self.lost and key not in self.escaped and ("." in key or not self.opaque)

    def starts_null(self, key: str) -> bool:
        """A file-scope pointer without initialiser (zero at start-up), or an uninitialised local of main."""
        if not self.followed(key):
            return False
        if "." in key:
            fn, name = key.split(".", 1)
            u = next((x for x in self.m.units if x.name == fn and x.is_main), None)
            d = u.decls.get(name) if u is not None else None
            return d is not None and d.pointer > 0 and not d.initialized and not d.param and not d.is_array
        g = self.m.globals.get(key)
        return (
            g is not None
            and g.pointer > 0
            and not g.initialized
            and not g.is_array
            and g.node is not None
            and "extern" not in self.m.text(g.node)
        )

    def accesses(self, op: Op) -> dict[str, set[str]] | None:
        """Per pointer the launch passes whole: what the kernel does through it (None: unknown kernel)."""
        k = self.kernels.get(op.detail)
        if k is None:
            return None
        params = kernel_params(self.m, k)
        acc = param_access(self.m, k)
        out: dict[str, set[str]] = {}
        for p, key in zip(params, op.bufs, strict=False):
            if key is not None:
                out.setdefault(key, set()).update(acc.get(p, set()))
        return out

    # -- the walk --------------------------------------------------------------------------------
    def run(self, ops: list[Op]) -> None:
        for op in ops:
            getattr(self, "op_" + op.kind, self.op_other)(op)

    def op_other(self, op: Op) -> None:
        return None

    def forget(self, keys: list[str | None], escape: bool = True) -> None:
        for k in keys:
            if k is not None:
                self.lost.add(k)
                self.defined.add(k)
                self.host_pending.pop(k, None)
                if escape:
                    self.escaped.add(k)

    def op_assign(self, op: Op) -> None:
        self.forget(op.bufs[:1], escape=False)  # assigned: known again once reallocated
        self.forget(op.bufs[1:])

    def op_touch(self, op: Op) -> None:
        self.forget(op.bufs)

    def op_may(self, op: Op) -> None:
        self.forget(op.bufs)
        self.sync()

    def op_opaque(self, op: Op) -> None:
        self.forget(op.bufs)
        self.sync()
        self.opaque = True

    def op_free(self, op: Op) -> None:
        self.sync()
        self.forget(op.bufs, escape=False)

    def op_stream(self, op: Op) -> None:
        key = op.bufs[0] if op.bufs else None
        if key is None:
            return
        if op.detail == "cudaStreamCreate":
            self.streams[key] = self.streams.get(key, 0) + 1
        else:
            self.streams[key] = 2  # destroyed or non-blocking: not followed

    def op_alloc(self, op: Op) -> None:
        key = op.bufs[0] if op.bufs else None
        if key is None:
            return
        self.alloc[key] = (op.detail, op)
        self.lost.discard(key)
        self.defined.discard(key)

    def op_set(self, op: Op) -> None:
        for k in op.bufs:
            if k is not None:
                self.defined.add(k)

    def op_sync(self, op: Op) -> None:
        self.sync()

    def sync(self) -> None:
        self.host_pending.clear()
        self.device_pending.clear()

    def op_read(self, op: Op) -> None:
        self.host_access(op)

    def op_write(self, op: Op) -> None:
        self.host_access(op)

    def host_access(self, op: Op) -> None:
        key = op.bufs[0] if op.bufs else None
        src = self.host_pending.pop(key, None) if key is not None else None
        if src is None or key is None or src.unit is op.unit:
            return  # within one function the per-function check reports it
        what = "asynchronous copy into it" if src.kind == "copy" else f"launch of kernel '{src.detail}'"
        self.issues.append(
            Issue(
                "cuda-missing-sync",
                op.node,
                f"host accesses '{key.split('.')[-1]}' after the {what} on line {src.node.start_point[0] + 1} "
                "with no synchronisation in between (cudaDeviceSynchronize/cudaStreamSynchronize)",
                src.node,
                "asynchronous operation",
                op.unit,
            )
        )

    def device_use(self, op: Op, key: str, action: str) -> None:
        """A copy or launch uses ``key`` as device memory: report a pointer never allocated."""
        if key in self.alloc or key in self.lost or key in self.reported or not self.starts_null(key):
            return
        self.reported.add(key)
        name = key.split(".")[-1]
        self.issues.append(
            Issue(
                "cuda-unallocated-device-pointer",
                op.node,
                f"'{name}' is {action} but was never allocated (no cudaMalloc before this point): "
                "it is still a null pointer",
                unit=op.unit,
            )
        )

    def op_copy(self, op: Op) -> None:
        sides = DEVICE_SIDES.get(op.detail)
        if not op.is_async:
            self.sync()  # a blocking copy waits for the device
        if sides is None:
            self.forget(op.bufs)
            return
        dst, src = (op.bufs + [None, None])[:2]
        for key, dev, verb in ((dst, sides[0], "copied into"), (src, sides[1], "copied from")):
            if key is not None and dev:
                self.device_use(op, key, f"{verb} by cudaMemcpy")
        if dst is not None and sides[0]:
            self.defined.add(dst)
        if op.is_async:
            if (
                dst is not None
                and not sides[0]
                and self.alloc.get(dst, ("",))[0] == "pinned"
                and self.followed(dst)
            ):
                self.host_pending[dst] = op
            acc = {k: {"w"} if k == dst else {"r"} for k, d in ((dst, sides[0]), (src, sides[1])) if k and d}
            self.stream_op(op, acc)

    def op_launch(self, op: Op) -> None:
        acc = self.accesses(op)
        if acc is None:
            self.forget(op.bufs)
            self.device_pending.clear()
            return
        for key, a in acc.items():
            if a & {"r", "w"}:
                self.device_use(op, key, f"passed to kernel '{op.detail}', which dereferences it,")
            if (
                a == {"r"}
                and self.alloc.get(key, ("",))[0] == "device"
                and self.followed(key)
                and key not in self.defined
            ):
                self.uninitialised(op, key)
            self.defined.add(key)
            if self.alloc.get(key, ("",))[0] == "managed" and a & {"w", "?"} and self.followed(key):
                self.host_pending[key] = op
        self.stream_op(op, acc)

    def uninitialised(self, op: Op, key: str) -> None:
        alloc = self.alloc[key][1]
        self.issues.append(
            Issue(
                "cuda-uninitialized-device-read",
                op.node,
                f"kernel '{op.detail}' reads '{key.split('.')[-1]}', but nothing was copied or written into it "
                f"since its cudaMalloc on line {alloc.node.start_point[0] + 1}: the kernel reads uninitialised memory",
                alloc.node,
                "allocation",
                op.unit,
            )
        )

    def stream_op(self, op: Op, acc: dict[str, set[str]]) -> None:
        """Asynchronous work on a stream: conflicts with unordered work of another stream on the same buffer."""
        if self.streams.get(op.stream) != 1 or not self.followed(op.stream):
            self.device_pending.clear()  # the default stream (or one not followed) orders everything
            return
        for p in self.device_pending:
            if p.stream == op.stream:
                continue
            for key, a in acc.items():
                b = p.access.get(key, set())
                if ("w" in a and b) or ("w" in b and a):
                    self.race(op, p, key)
                    return
        self.device_pending.append(_Pending(op, op.stream, acc))

    def race(self, op: Op, p: _Pending, key: str) -> None:
        first = f"kernel '{p.op.detail}'" if p.op.kind == "launch" else "the copy"
        self.issues.append(
            Issue(
                "cuda-stream-race",
                op.node,
                f"this operation on stream '{op.stream}' and {first} on stream '{p.stream}' (line "
                f"{p.op.node.start_point[0] + 1}) both use '{key.split('.')[-1]}', one writing it, with nothing "
                "ordering the two streams (synchronisation or cudaStreamWaitEvent)",
                p.op.node,
                "unordered operation on another stream",
                op.unit,
            )
        )


def issues(m: Model) -> list[Issue]:
    """The lifecycle defects of a file's ``main`` (cached)."""
    cached = m.source.cache.get("cuda.lifecycle")
    if cached is not None:
        return cached
    w = _Walk(m)
    if "__global__" in m.source.text or "cuda" in m.source.text:
        w.run(main_trace(m))
    m.source.cache["cuda.lifecycle"] = w.issues
    return w.issues
