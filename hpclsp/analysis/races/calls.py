"""Accesses that a call inside a parallel region makes in the callee: statics, globals, heap via globals.

A function of the same file called from a region runs once per calling thread (or iteration).
Its own locals are private to each call, but a function-local ``static`` (Fortran ``save``), a
file-scope variable, or memory reached through a file-scope pointer is one location for every
thread: the callee's accesses to it race exactly like the same accesses written at the call site.
Each such access is returned as a *proxy*: the callee's access (its text and position, for the
report) placed at the call site (its byte, for the concurrency questions).
"""

from __future__ import annotations

import dataclasses

from hpclsp.analysis.loops import Access, FileIR, Function

#: Callee accesses considered per call (bounds the work on large callees).
MAX_PER_CALL = 64

SHARED_STORAGE = ("static", "global", "save")


@dataclasses.dataclass(eq=False)
class CalleeAccess:
    """A callee's access to shared storage, seen from one call site."""

    proxy: Access
    original: Access
    callee: Function


def _callee(ir: FileIR, name: str, fortran: bool) -> Function | None:
    key = name.lower() if fortran else name
    for g in ir.functions:
        if (g.name.lower() if fortran else g.name) == key:
            return g
    return None


def shared_storage(ir: FileIR, a: Access) -> bool:
    """The access touches one location for all callers: a static/global variable (or what a global pointer points to)."""
    key = a.base.lower() if ir.source.language == "fortran" else a.base
    if key in ir.threadprivate or a.base in ir.threadprivate:
        return False  # one copy per thread
    d = ir.decl(a.base, a.start)
    if d is None:
        return a.base in ir.globals
    return d.storage in SHARED_STORAGE


def callee_accesses(
    ir: FileIR, f: Function, inside: list[tuple[str, int]], skip: set[str]
) -> list[CalleeAccess]:
    """Proxies of the shared-storage accesses of the callees called at ``inside`` (name, call byte).

    ``skip`` names callees analysed on their own (orphaned worksharing). Recursion is not followed."""
    fortran = ir.source.language == "fortran"
    out: list[CalleeAccess] = []
    for name, byte in inside:
        key = name.lower() if fortran else name
        if key in skip:
            continue
        g = _callee(ir, name, fortran)
        if g is None or g is f:
            continue
        accs = [a for a in g.accesses if a.in_call is None and shared_storage(ir, a)]
        if not any(a.is_write for a in accs):
            continue
        for a in accs[:MAX_PER_CALL]:
            proxy = dataclasses.replace(a, node=AtByte(byte, a.node), func=f)  # type: ignore[arg-type]
            out.append(CalleeAccess(proxy, a, g))
    return out


class AtByte:
    """A stand-in tree node: the callee's node, but starting at the call site's byte."""

    def __init__(self, byte: int, node: object) -> None:
        self.start_byte = byte
        self.end_byte = byte + 1
        self._node = node

    def __getattr__(self, name: str) -> object:
        return getattr(self._node, name)
