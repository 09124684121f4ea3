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
import re

from hpclsp.analysis.ir import Access, Affine, FileIR, Function
from hpclsp.analysis.treeutil import c_parameter_names, fortran_dummies

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
            names = set(g.decls) | set(param_names(g, fortran))
            loops = {lp.index for lp in g.loops if lp.index}
            subs = [_rebind(e, {}, names, loops) for e in a.subscripts]  # callee locals: unknown here
            proxy = dataclasses.replace(a, subscripts=subs, node=AtByte(byte, a.node), func=f)  # type: ignore[arg-type]
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


def param_names(g: Function, fortran: bool) -> list[str]:
    """The dummy argument names of a function of the file, in order ([] when not found)."""
    if fortran:
        return [(p.text or b"").decode("utf-8", "replace").lower() for p in fortran_dummies(g.node)]
    return c_parameter_names(g.node)


@dataclasses.dataclass(eq=False)
class ArgumentEffect:
    """What a visible callee does with one actual argument: its accesses, renamed to the actual variable."""

    accesses: list[CalleeAccess]
    #: lock-name spelling in the callee -> the caller's spelling (the dummy replaced by the actual)
    rename: tuple[str, str]
    #: the argument is passed by value (C scalar parameter, Fortran VALUE/intent(in)): only read at the call
    by_value: bool = False


def argument_effect(
    ir: FileIR, f: Function, a: Access, call_node: object, skip: set[str]
) -> ArgumentEffect | None:
    """The callee's accesses through the dummy bound to the actual argument ``a`` (a whole variable
    ``x``/``&x`` in C, any variable in Fortran), placed at the call; None when the callee is not visible
    or the binding is not that simple."""
    fortran = ir.source.language == "fortran"
    name = a.in_call or ""
    if (name.lower() if fortran else name) in skip:
        return None
    g = _callee(ir, name, fortran)
    if g is None or g is f or a.subscripts:
        return None
    args = _arguments(call_node)
    k = next((i for i, n in enumerate(args) if n.start_byte <= a.start < n.end_byte), None)
    params = param_names(g, fortran)
    if k is None or k >= len(params) or not params[k]:
        return None
    text = (args[k].text or b"").decode("utf-8", "replace").replace(" ", "")
    by_address = text.startswith("&")
    if text.lstrip("&") != a.name and not (fortran and text.lower() == a.name.lower()):
        return None
    dummy = params[k]
    d = g.decls.get(dummy)
    if d is not None and (
        (fortran and d.intent == "in") or (not fortran and not (d.is_pointer or d.is_array or by_address))
    ):
        return ArgumentEffect([], (dummy, a.base), by_value=True)  # the callee works on its own copy
    own = [b for b in g.accesses if b.base == dummy and b.in_call is None]
    binding = {
        p: _actual_affine(args[i], fortran) if i < len(args) else None for i, p in enumerate(params) if p
    }
    callee_names = set(g.decls) | set(binding)
    callee_loops = {lp.index for lp in g.loops if lp.index}
    out = []
    for b in own[:MAX_PER_CALL]:
        subs = [_rebind(e, binding, callee_names, callee_loops) for e in b.subscripts]
        if by_address:
            if len(subs) != 1 or subs[0] is None or not subs[0].is_const or subs[0].const != 0:
                return None  # pointer arithmetic on &x: not simply x
            subs = []
        proxy = dataclasses.replace(
            b,
            name=a.name,
            base=a.base,
            subscripts=subs,
            polys=[] if by_address else b.polys,
            node=AtByte(a.start, b.node),  # type: ignore[arg-type]
            func=f,
        )
        out.append(CalleeAccess(proxy, b, g))
    return ArgumentEffect(out, (dummy, a.base))


def _actual_affine(node: object, fortran: bool) -> Affine | None:
    """``i``, ``i + 1``, ``3``: the affine value of a simple actual argument (None otherwise)."""
    text = (getattr(node, "text", b"") or b"").decode("utf-8", "replace").strip()
    if fortran:
        text = text.lower()
    m = re.fullmatch(r"([A-Za-z_]\w*)\s*(?:([+-])\s*(\d+))?", text)
    if m:
        off = int(m.group(3) or 0) * (-1 if m.group(2) == "-" else 1)
        return Affine.var(m.group(1)) + Affine(const=off)
    if re.fullmatch(r"-?\d+", text):
        return Affine(const=int(text))
    return None


def _rebind(
    e: Affine | None, binding: dict[str, Affine | None], callee_names: set[str], callee_loops: set[str]
) -> Affine | None:
    """A callee subscript in the caller's terms: dummies replaced by the actual arguments; a callee
    local that is not one of its loop indices (or an actual that is not simple) makes it unknown."""
    if e is None:
        return None
    for v in e.vars:
        if v in binding:
            val = binding[v]
            if val is None:
                return None
            e = e.substitute(v, val)
        elif v in callee_names and v not in callee_loops:
            return None
    return e


def _arguments(call_node: object) -> list:
    """The argument expressions of a C call or a Fortran subroutine call."""
    kids = getattr(call_node, "named_children", [])
    for c in kids:
        if c.type == "argument_list":
            return [x for x in c.named_children if x.type != "comment"]
    return []
