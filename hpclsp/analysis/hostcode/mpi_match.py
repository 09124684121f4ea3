"""Checks across the ranks of one run: collective sequences, message matching, deadlocks.

``collectives`` compares, per communicator, the i-th collective of every rank (kind, root, op, and
the type signatures that must agree). ``simulate`` replays the complete traces with the standard's
matching rules and no buffering for standard sends: it reports messages that are never matched,
matched messages whose type signatures differ, and ranks left blocked (a deadlock cycle, or a wait on
a rank that has finished).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hpclsp.analysis.hostcode import mpi_tables as T
from hpclsp.analysis.hostcode import mpi_types
from hpclsp.analysis.hostcode.mpi_trace import Event, Finding, Handle, Trace
from hpclsp.analysis.values import consts
from hpclsp.analysis.values.consts import Symbol

_ORD = {1: "1st", 2: "2nd", 3: "3rd"}
_SENDRECVS = ("MPI_SENDRECV", "MPI_SENDRECV_REPLACE")


def _nth(i: int) -> str:
    return _ORD.get(i, f"{i}th")


def _line(ev: Event) -> int:
    return ev.node.start_point[0] + 1


def _same(a: Any, b: Any) -> bool | None:
    """Whether two argument values are equal (None when either is not known)."""
    if consts.is_known(a) and consts.is_known(b):
        return a == b
    if isinstance(a, Handle) and isinstance(b, Handle):
        return a.label == b.label
    return None


def collectives(traces: list[Trace]) -> list[Finding]:
    """Collective calls that differ between ranks, per communicator, in call order."""
    n = len(traces)
    out: list[Finding] = []
    seqs: list[dict[str, list[Event]]] = []
    for tr in traces:
        per: dict[str, list[Event]] = {}
        for e in tr.events:
            if e.key in T.COLLECTIVES and e.comm_id is not None:
                per.setdefault(e.comm_id, []).append(e)
        seqs.append(per)
    comms = sorted({c for per in seqs for c in per})
    for comm in comms:
        lists = [per.get(comm, []) for per in seqs]
        if "split" in comm:  # a sub-communicator: only its members, known from their calls on it
            members = [r for r in range(n) if lists[r]]
            f = _compare([traces[r] for r in members], [lists[r] for r in members], comm, n)
            if f is not None:
                out.append(f)
            continue
        f = _compare(traces, lists, comm, n)
        if f is not None:
            out.append(f)
    return out


def _compare(traces: list[Trace], lists: list[list[Event]], comm: str, n: int) -> Finding | None:
    """The first collective on ``comm`` where the ranks of ``traces`` disagree (lists align with traces)."""
    m = len(lists)
    longest = max((len(x) for x in lists), default=0)
    for i in range(longest):
        ref_i = next(r for r in range(m) if len(lists[r]) > i)
        ref, ref_rank = lists[ref_i][i], traces[ref_i].rank
        for r in range(m):
            if r == ref_i:
                continue
            if len(lists[r]) <= i:
                if traces[r].complete:
                    return Finding(
                        "mpi-collective-mismatch",
                        ref.node,
                        f"with {n} processes, rank {ref_rank} calls {ref.name} (its {_nth(i + 1)} collective on "
                        f"{_cname(comm)}) but rank {traces[r].rank} never does: the call cannot complete",
                    )
                continue
            other = lists[r][i]
            why = _differs(ref, other, traces[ref_i], traces[r], n)
            if why:
                return Finding(
                    "mpi-collective-mismatch",
                    other.node,
                    f"with {n} processes, {why} (the {_nth(i + 1)} collective on {_cname(comm)})",
                    [(ref.node, f"rank {ref_rank} calls {ref.name} here")],
                )
    return None


def _cname(comm: str) -> str:
    if comm.startswith("win"):
        return "the window"
    if "split" in comm:
        return "a communicator from MPI_Comm_split"
    return comm if comm.startswith("MPI_") else "a duplicated communicator"


def _differs(a: Event, b: Event, ta: Trace, tb: Trace, n: int) -> str | None:
    """Why two ranks' i-th collectives do not match, or None."""
    ra, rb = ta.rank, tb.rank
    if a.key != b.key:
        return f"rank {rb} calls {b.name} while rank {ra} calls {a.name}"
    for p in ("root", "op"):
        if p in a.args and _same(a.args[p], b.args[p]) is False:
            return f"rank {rb} calls {b.name} with {p} {_show(b.args[p])} while rank {ra} uses {_show(a.args[p])}"
    if a.key in (
        "MPI_BCAST",
        "MPI_IBCAST",
        "MPI_REDUCE",
        "MPI_IREDUCE",
        "MPI_ALLREDUCE",
        "MPI_IALLREDUCE",
        "MPI_SCAN",
        "MPI_EXSCAN",
    ):
        sa, sb = (
            mpi_types.message(a.args.get("count"), a.args.get("datatype")),
            mpi_types.message(b.args.get("count"), b.args.get("datatype")),
        )
        if sa is not None and sb is not None and sa != sb:
            return (
                f"rank {rb} calls {b.name} with {_show(b.args.get('count'))} × {_show(b.args.get('datatype'))} "
                f"while rank {ra} uses {_show(a.args.get('count'))} × {_show(a.args.get('datatype'))}"
            )
    return _block_signatures(a, b, ra, rb)


def _block_signatures(a: Event, b: Event, ra: int, rb: int) -> str | None:
    """Gather/scatter/allgather/alltoall: what one rank sends per block must be what the other receives."""
    key = a.key
    pairs: list[tuple[Event, int, Event, int]] = []
    if key in ("MPI_ALLGATHER", "MPI_IALLGATHER", "MPI_ALLTOALL", "MPI_IALLTOALL"):
        pairs = [(a, ra, b, rb), (b, rb, a, ra)]
    elif key in ("MPI_GATHER", "MPI_IGATHER", "MPI_SCATTER", "MPI_ISCATTER"):
        root = a.args.get("root")
        gather = "GATHER" in key
        for x, rx, y, ry in ((a, ra, b, rb), (b, rb, a, ra)):
            if consts.is_int(root) and ry == root and (gather or True):
                pairs.append((x, rx, y, ry) if gather else (y, ry, x, rx))
    for snd, rs, rcv, rr in pairs:
        s = mpi_types.message(snd.args.get("sendcount"), snd.args.get("sendtype"))
        r = mpi_types.message(rcv.args.get("recvcount"), rcv.args.get("recvtype"))
        if s is not None and r is not None and s != r:
            return (
                f"rank {rs} sends blocks of {_show(snd.args.get('sendcount'))} × {_show(snd.args.get('sendtype'))} "
                f"in {snd.name} while rank {rr} receives blocks of {_show(rcv.args.get('recvcount'))} × "
                f"{_show(rcv.args.get('recvtype'))}"
            )
    return None


def _show(v: Any) -> str:
    if isinstance(v, Handle):
        return f"the {v.kind} created at line {v.node.start_point[0] + 1}"
    return str(v)


# -- point-to-point replay -------------------------------------------------------------------


@dataclasses.dataclass(eq=False)
class _Msg:
    src: Any
    dst: Any
    tag: Any
    comm: str
    ev: Event
    matched: Any = None


def simulate(traces: list[Trace]) -> list[Finding]:
    """Replay complete traces; unmatched messages, signature mismatches and deadlocks."""
    if not traces or not all(t.complete for t in traces):
        return []
    for t in traces:
        for e in t.events:
            if e.key in ("MPI_IPROBE", "MPI_CANCEL"):
                return []
            if e.key in T.RECVS or e.key in (*_SENDRECVS, "MPI_PROBE"):
                if isinstance(e.args.get("source"), Symbol) and e.args["source"].name == T.ANY_SOURCE:
                    return []
            if (
                e.key in T.SENDS
                or e.key in T.RECVS
                or e.key in T.PERSISTENT
                or e.key in (*_SENDRECVS, "MPI_PROBE")
            ):
                if (
                    e.comm_id is None or "split" in e.comm_id
                ):  # ranks in a sub-communicator are not world ranks
                    return []
                # An envelope the evaluator does not know cannot be matched: no verdict at all.
                for p in ("dest", "source", "tag", "sendtag", "recvtag"):
                    if p in e.args and not consts.is_known(e.args[p]):
                        return []
    return _Replay(traces).run()


class _Replay:
    def __init__(self, traces: list[Trace]) -> None:
        self.traces = traces
        self.n = len(traces)
        self.pos = [0] * self.n
        self.sends: list[_Msg] = []
        self.recvs: list[_Msg] = []
        self.by_event: dict[int, list[_Msg]] = {}
        self._fresh: list[_Msg] = []
        self._send_set: set[_Msg] = set()
        self._send_q: dict[tuple[Any, Any, str], list[_Msg]] = {}
        self._recv_q: dict[tuple[Any, Any, str], list[_Msg]] = {}
        self.posted: set[int] = set()
        self.out: list[Finding] = []

    def run(self) -> list[Finding]:
        """Advance every rank as far as the matching rules allow, then report what is left."""
        progress = True
        steps = 0
        while progress and steps < 100000:
            progress = False
            for r in range(self.n):
                while self.pos[r] < len(self.traces[r].events) and self._step(r):
                    self.pos[r] += 1
                    progress = True
                    steps += 1
            if not progress:
                progress = self._collective_step()
        self._report()
        return self.out

    def _post(self, e: Event, rank: int, again: bool = False) -> None:
        if id(e) in self.posted and not again:
            return
        self.posted.add(id(e))
        msgs = []
        a = e.args
        if e.key in T.SENDS or e.key in _SENDRECVS or (e.key in T.PERSISTENT and e.key != "MPI_RECV_INIT"):
            m = _Msg(rank, a.get("dest"), a.get("tag", a.get("sendtag")), e.comm_id or "", e)
            if not (isinstance(m.dst, Symbol) and m.dst.name == T.PROC_NULL):
                self.sends.append(m)
                self._send_set.add(m)
                self._fresh.append(m)
                msgs.append(m)
        if e.key in T.RECVS or e.key in (*_SENDRECVS, "MPI_RECV_INIT"):
            m = _Msg(a.get("source"), rank, a.get("tag", a.get("recvtag")), e.comm_id or "", e)
            if not (isinstance(m.src, Symbol) and m.src.name == T.PROC_NULL):
                self.recvs.append(m)
                self._fresh.append(m)
                msgs.append(m)
        self.by_event[id(e)] = msgs
        self._match()

    def _match(self) -> None:
        """Pair posted receives with posted sends (same source, destination, communicator; tag or ANY_TAG),
        each receive with the earliest matching send, in posting order (the non-overtaking rule)."""
        while self._fresh:
            m = self._fresh.pop(0)
            key = (m.src, m.dst, m.comm)
            is_send = m in self._send_set
            own_q, other_q = (self._send_q, self._recv_q) if is_send else (self._recv_q, self._send_q)
            for other in other_q.get(key, []):
                sd, rv = (m, other) if is_send else (other, m)
                if other.matched is None and _tag_ok(sd, rv):
                    self._pair(sd, rv)
                    break
            else:
                own_q.setdefault(key, []).append(m)

    def _pair(self, sd: _Msg, rv: _Msg) -> None:
        sd.matched, rv.matched = rv, sd
        key = (sd.src, sd.dst, sd.comm)
        for q in (self._send_q.get(key), self._recv_q.get(key)):
            if q is not None:
                q[:] = [x for x in q if x.matched is None]
        self._signature(sd, rv)

    def _signature(self, sd: _Msg, rv: _Msg) -> None:
        s, r = sd.ev, rv.ev
        ssig = mpi_types.message(
            s.args.get("count", s.args.get("sendcount")), s.args.get("datatype", s.args.get("sendtype"))
        )
        rsig = mpi_types.message(
            r.args.get("count", r.args.get("recvcount")), r.args.get("datatype", r.args.get("recvtype"))
        )
        if ssig is not None and rsig is not None and not mpi_types.is_prefix(ssig, rsig):
            self.out.append(
                Finding(
                    "mpi-message-mismatch",
                    r.node,
                    f"with {self.n} processes, rank {rv.dst} receives {_sig(rsig)} in {r.name} but rank {sd.src} "
                    f"sends {_sig(ssig)} in the matching {s.name} (line {_line(s)}): the type signatures differ",
                    [(s.node, f"the matching {s.name} of rank {sd.src}")],
                )
            )

    def _done(self, e: Event) -> bool:
        return all(m.matched is not None for m in self.by_event.get(id(e), []))

    def _step(self, r: int) -> bool:
        """Advance rank r past its current event when it does not block."""
        e = self.traces[r].events[self.pos[r]]
        k = e.key
        if k in T.SENDS or k in T.RECVS or k in _SENDRECVS:
            self._post(e, r)
            if k in ("MPI_SEND", "MPI_SSEND", "MPI_RSEND", "MPI_RECV"):
                return self._done(e)
            if k in _SENDRECVS:
                return all(m.matched is not None for m in self.by_event[id(e)] if m.dst == r)
            return True
        if e.starts:  # each start of a persistent request posts its operation anew
            for h in e.starts:
                if h.op is not None:
                    self._post(h.op, r, again=True)
            return True
        if k in T.PERSISTENT:
            return True
        if k == "MPI_PROBE":
            return any(s.matched is None and s.dst == r and s.src == e.args.get("source") for s in self.sends)
        if e.completes:
            return all(
                self._done(h.op) for h in e.completes if h.op is not None and id(h.op) in self.by_event
            )
        if k in T.COLLECTIVES and not k.startswith("MPI_I") and e.comm_id == "MPI_COMM_WORLD":
            return False
        return True

    def _collective_step(self) -> bool:
        """Every rank blocked at a world collective: they all pass it together."""
        heads = []
        for r in range(self.n):
            if self.pos[r] >= len(self.traces[r].events):
                return False
            e = self.traces[r].events[self.pos[r]]
            if not (
                e.key in T.COLLECTIVES and e.comm_id == "MPI_COMM_WORLD" and not e.key.startswith("MPI_I")
            ):
                return False
            heads.append(e)
        for r in range(self.n):
            self.pos[r] += 1
        return True

    def _report(self) -> None:
        blocked = [r for r in range(self.n) if self.pos[r] < len(self.traces[r].events)]
        if blocked:
            self._deadlock(blocked)
            return
        for m in self.sends + self.recvs:
            if m.matched is None:
                self._unmatched(m)

    def _unmatched(self, m: _Msg) -> None:
        e = m.ev
        is_send = m in self.sends
        peer = m.dst if is_send else m.src
        cands = [
            x
            for x in (self.recvs if is_send else self.sends)
            if x.matched is None and x.comm == m.comm and (x.src, x.dst) == (m.src, m.dst)
        ]
        if cands:
            c = cands[0]
            self.out.append(
                Finding(
                    "mpi-message-mismatch",
                    e.node,
                    f"with {self.n} processes, the {e.name} of rank {m.src if is_send else m.dst} uses tag "
                    f"{_show(m.tag)} but the {c.ev.name} of rank {peer} (line {_line(c.ev)}) uses tag {_show(c.tag)}: "
                    "they never match",
                    [(c.ev.node, f"the {c.ev.name} of rank {peer}")],
                )
            )
            return
        if not is_send and consts.is_int(peer) and 0 <= peer < self.n:
            for init in self.traces[peer].events:
                if (
                    init.key in T.PERSISTENT
                    and init.key != "MPI_RECV_INIT"
                    and init.args.get("dest") == m.dst
                ):
                    if id(init) not in self.posted:
                        self.out.append(
                            Finding(
                                "mpi-message-mismatch",
                                e.node,
                                f"with {self.n} processes, the {e.name} of rank {m.dst} waits for a message that "
                                f"rank {peer} prepares with {init.name} (line {_line(init)}) but never starts "
                                "(no MPI_Start on that request)",
                                [(init.node, f"the persistent request of rank {peer}, never started")],
                            )
                        )
                        return
        what = f"to rank {_show(m.dst)}" if is_send else f"from rank {_show(m.src)}"
        self.out.append(
            Finding(
                "mpi-message-mismatch",
                e.node,
                f"with {self.n} processes, the {e.name} of rank {m.src if is_send else m.dst} {what} (tag "
                f"{_show(m.tag)}) has no matching {'receive' if is_send else 'send'}",
            )
        )

    def _may_pair(self, m: _Msg, peer: Any) -> bool:
        """Whether the peer still has a call that could be the other side of m."""
        if not consts.is_int(peer) or not 0 <= peer < self.n:
            return False
        is_send = m in self.sends
        for e in self.traces[peer].events[self.pos[peer] :]:
            if is_send and (e.key in T.RECVS or e.key in _SENDRECVS) and e.args.get("source") == m.src:
                return True
            if not is_send and (e.key in T.SENDS or e.key in _SENDRECVS) and e.args.get("dest") == m.dst:
                return True
        return False

    def _deadlock(self, blocked: list[int]) -> None:
        evs = [self.traces[r].events[self.pos[r]] for r in blocked]
        finished = [r for r in range(self.n) if r not in blocked]
        for e in evs:
            msgs = list(self.by_event.get(id(e), []))
            for h in e.completes:
                msgs.extend(self.by_event.get(id(h.op), []) if h.op is not None else [])
            for m in msgs:
                if m.matched is not None:
                    continue
                peer = m.dst if m in self.sends else m.src
                other = [
                    x
                    for x in (self.recvs if m in self.sends else self.sends)
                    if x.matched is None and x.comm == m.comm and (x.src, x.dst) == (m.src, m.dst)
                ]
                if other or peer in finished or not self._may_pair(m, peer):
                    self._unmatched(m)
                    return
        first, rest = evs[0], list(zip(blocked, evs))[1:]
        # Every rank blocked in a standard send: the classic send-send cycle.
        code = (
            "mpi-deadlock-send-send"
            if all(e.key in ("MPI_SEND", "MPI_SSEND") for e in evs)
            else "mpi-deadlock"
        )
        desc = ", ".join(f"rank {r} in {e.name} (line {_line(e)})" for r, e in zip(blocked, evs))
        tail = f"; ranks {finished} have finished" if finished else ""
        self.out.append(
            Finding(
                code,
                first.node,
                f"with {self.n} processes, the program deadlocks without message buffering: {desc} wait for each "
                f"other{tail}",
                [(e.node, f"rank {r} blocks here") for r, e in rest],
            )
        )


def _tag_ok(sd: _Msg, rv: _Msg) -> bool:
    """Whether a receive's tag accepts a send's."""
    if isinstance(rv.tag, Symbol) and rv.tag.name == T.ANY_TAG:
        return True
    return consts.is_known(sd.tag) and sd.tag == rv.tag


def _sig(sig: tuple[tuple[str, int], ...]) -> str:
    return " + ".join(f"{n} × {t}" for t, n in sig) or "nothing"


_WRITES = ("put", "acc", "store")


def rma_conflicts(traces: list[Trace]) -> list[Finding]:
    """Accesses to the same window bytes in one fence epoch, at least one of them a write (accumulates
    with each other excepted): one-sided operations of different ranks, or a remote operation and the
    target's own loads and stores."""
    n = len(traces)
    groups: dict[tuple[str, int, int], list[tuple[int, int, str, Any, int]]] = {}
    for t in traces:
        for label, epoch, target, lo, hi, kind, node, origin in t.rma:
            groups.setdefault((label, epoch, target), []).append((lo, hi, kind, node, origin))
    out: list[Finding] = []
    out.extend(_rma_bounds(traces))
    for (_label, epoch, target), accs in groups.items():
        if epoch < 0:
            continue
        for i, (lo, hi, kind, node, origin) in enumerate(accs):
            for lo2, hi2, kind2, node2, origin2 in accs[i + 1 :]:
                if not (lo < hi2 and lo2 < hi) or (kind not in _WRITES and kind2 not in _WRITES):
                    continue
                if kind == kind2 == "acc" or (
                    origin == origin2 and "put" not in (kind, kind2) and "acc" not in (kind, kind2)
                ):
                    continue
                if kind in ("load", "store") and kind2 in ("load", "store"):
                    continue
                out.append(
                    Finding(
                        "mpi-rma-epoch",
                        node2,
                        f"with {n} processes, {_who(kind2, origin2)} and {_who(kind, origin)} (line "
                        f"{node.start_point[0] + 1}) touch the same bytes of rank {target}'s window in one fence epoch",
                        [(node, f"the conflicting access of rank {origin}")],
                    )
                )
                break
    return out


def _rma_bounds(traces: list[Trace]) -> list[Finding]:
    """One-sided operations reaching past the end of the target rank's window."""
    out: list[Finding] = []
    for t in traces:
        for label, _epoch, target, lo, hi, kind, node, origin in t.rma:
            if kind not in ("put", "get", "acc") or not 0 <= target < len(traces):
                continue
            size = traces[target].win_sizes.get(label)
            if size is not None and (lo < 0 or hi > size):
                out.append(
                    Finding(
                        "mpi-invalid-argument",
                        node,
                        f"with {len(traces)} processes, {_who(kind, origin)} accesses bytes {lo}..{hi} of rank "
                        f"{target}'s window, which has {size} bytes",
                    )
                )
    return out


def _who(kind: str, rank: int) -> str:
    return {
        "put": f"rank {rank}'s MPI_Put",
        "get": f"rank {rank}'s MPI_Get",
        "acc": f"rank {rank}'s accumulate",
    }.get(kind, f"rank {rank}'s local {kind}")
