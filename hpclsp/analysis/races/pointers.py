"""Pointers made equal before a parallel region: ``p = q`` means ``p[i]`` and ``q[i]`` are one element.

A time-stepping loop that rotates two buffers must swap them (``t = a; a = b; b = t``); if it only
copies one pointer into the other (``a = b``), from the next step on both names point to the same
array and a loop that writes ``b[i]`` while reading ``a[i - 1]`` races. The copy counts when it
reaches the region: it comes before the region (or later in an enclosing sequential loop, which
wraps around) and neither pointer is assigned again on the way.
"""

from __future__ import annotations

import re

from hpclsp.analysis.ir import Access, Construct, FileIR, Function


def _copies(ir: FileIR, f: Function) -> list[tuple[str, str, int]]:
    """``(p, q, byte)`` for each statement ``p = q`` between two pointers of the function (found
    once per function: every team of the function asks)."""
    got = f.__dict__.get("_pointer_copies")
    if got is None or got[0] != len(f.accesses):
        got = f.__dict__["_pointer_copies"] = (len(f.accesses), _find_copies(ir, f))
    return got[1]


def _find_copies(ir: FileIR, f: Function) -> list[tuple[str, str, int]]:
    out = []
    for a in f.accesses:
        if not a.is_write or not a.is_scalar or a.stmt is None:
            continue
        d = ir.decl(a.base, a.start)
        if d is None or not d.is_pointer:
            continue
        text = (a.stmt.text or b"").decode("utf-8", "replace")
        m = re.fullmatch(rf"\s*(?:[\w\s]*\*\s*)?{re.escape(a.base)}\s*=\s*([A-Za-z_]\w*)\s*;?\s*", text)
        if m is None or m.group(1) == a.base:
            continue
        q = m.group(1)
        dq = ir.decl(q, a.start)
        if dq is not None and dq.is_pointer:
            out.append((a.base, q, a.start))
    return out


def _assigned(f: Function, names: set[str], lo: int, hi: int, skip: int) -> bool:
    return any(
        a.is_write and a.is_scalar and a.base in names and lo < a.start < hi and a.start != skip
        for a in f.accesses
    )


def equal_pointers(ir: FileIR, f: Function, team: Construct) -> dict[str, str]:
    """Each pointer name that equals another at the start of ``team`` -> one representative name."""
    rep: dict[str, str] = {}

    def find(x: str) -> str:
        while rep.get(x, x) != x:
            x = rep[x]
        return x

    for p, q, at in _copies(ir, f):
        names = {p, q}
        reaches = False
        if at < team.start and not _assigned(f, names, at, team.start, at):
            reaches = True
        else:
            for lp in f.loops:
                if lp.construct is None and lp.contains(at) and lp.contains(team.start) and at > team.end:
                    if not _assigned(f, names, at, lp.body_end, at) and not _assigned(
                        f, names, lp.body_start, team.start, at
                    ):
                        reaches = True
        if reaches:
            a, b = find(p), find(q)
            if a != b:
                rep[max(a, b)] = min(a, b)
    return {x: find(x) for x in rep}


def written_name(a: Access, same: dict[str, str]) -> str:
    """The pointer name the access is written with (``cur[i]``: ``cur``) when ``same`` relates it, else its name."""
    m = re.match(r"\s*\**\s*([A-Za-z_]\w*)", a.text or "")
    if m and (m.group(1) in same or m.group(1) in same.values()):
        return m.group(1)
    return a.name
