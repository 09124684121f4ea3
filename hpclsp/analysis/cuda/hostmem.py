"""Host-side memory facts of a CUDA file: constant byte counts, what each pointer is allocated as,
and which kernel parameters a kernel reads or writes.

A pointer's allocation is known only when every definition of it in its scope (the function for a
local, every host function for a file-scope pointer) is an allocation of the same kind with a
constant size; any other assignment, or its address handed to another function, makes it unknown.
Byte counts fold literals, ``sizeof`` of scalar types, object-like macros, constants and
file-scope integers that no function assigns.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from hpclsp.analysis import languages
from hpclsp.analysis.hostcode.model import Model, Unit
from hpclsp.analysis.treeutil import Node, function_parameters, walk
from hpclsp.analysis.values import consts

#: Allocation calls taking ``&p`` first and the byte count second, and the memory they return.
ALLOC_KINDS = {
    "cudaMalloc": "device",
    "cudaMallocManaged": "managed",
    "cudaMallocHost": "pinned",
    "cudaHostAlloc": "pinned",
}
_NULLS = frozenset({"NULL", "0", "nullptr"})


def _text(n: Node) -> str:
    return (n.text or b"").decode("utf-8", "replace")


class SizeEval(consts.Evaluator):
    """Folds byte counts over the file's constants, object-like macros and unassigned globals.

    Macros are expanded in the text before parsing, as the preprocessor does (``#define N A+B``
    makes ``2*N`` equal to ``2*A+B``).
    """

    def __init__(self, m: Model) -> None:
        super().__init__(_text)
        self.m = m
        self.memo: dict[str, Any] = dict(m.constants)
        self.busy: set[str] = set()
        self.macros = _macro_texts(m)
        self.defs = _global_initialisers(m)

    def lookup(self, name: str, node: Node) -> Any:
        """A constant or never-assigned global integer's value; UNKNOWN otherwise."""
        if name in self.memo:
            return self.memo[name]
        expr = self.defs.get(name)
        if expr is None or name in self.busy:
            return consts.UNKNOWN
        self.busy.add(name)
        v = self.int_of(expr)
        self.busy.discard(name)
        self.memo[name] = consts.UNKNOWN if v is None else v
        return self.memo[name]

    def int_of(self, node: Node | None) -> int | None:
        """The integer value of a node (macros expanded), or None."""
        if node is None:
            return None
        text = _text(node)
        expanded = self.expand(text)
        if expanded is None:
            return None
        if expanded != text:
            parsed = _parse_expr(expanded)
            if parsed is None:
                return None
            node = parsed
        v = self.eval(node)
        return v if consts.is_int(v) else None

    def expand(self, text: str, depth: int = 0) -> str | None:
        """The text with object-like macros replaced by their bodies (None when too deep)."""
        if depth > 8:
            return None
        parts = _IDENT.split(text)
        if not any(p in self.macros for p in parts):
            return text
        return self.expand("".join(self.macros.get(p, p) for p in parts), depth + 1)


_IDENT = re.compile(r"([A-Za-z_][A-Za-z_0-9]*)")


def size_eval(m: Model) -> SizeEval:
    """The (cached) byte-count evaluator of a file."""
    ev = m.source.cache.get("cuda.size_eval")
    if ev is None:
        ev = m.source.cache["cuda.size_eval"] = SizeEval(m)
    return ev


def _macro_texts(m: Model) -> dict[str, str]:
    """Object-like macro bodies (one line, no string literal), padded so they expand as tokens."""
    return {
        name: " " + body.strip() + " "
        for name, body in m.object_macros.items()
        if '"' not in body and len(body) < 300
    }


def _global_initialisers(m: Model) -> dict[str, Node]:
    """Initialisers of file-scope integers that no function assigns."""
    out: dict[str, Node] = {}
    assigned = _assigned_names(m)
    for name, d in m.globals.items():
        if d.pointer or d.is_array or not d.initialized or name in assigned or d.node is None:
            continue
        if consts.normalize_c_type(d.type) not in consts.C_SIZES:
            continue
        for dn in d.node.children_by_field_name("declarator"):
            if dn.type == "init_declarator" and m.text(dn.child_by_field_name("declarator")) == name:
                val = dn.child_by_field_name("value")
                if val is not None:
                    out.setdefault(name, val)
    return out


def _parse_expr(text: str) -> Node | None:
    tree = languages.parse("cuda", f"int __v = ({text});".encode())
    if tree.root_node.has_error:
        return None
    for n in walk(tree.root_node):
        if n.type == "init_declarator":
            return n.child_by_field_name("value")
    return None


def _assigned_names(m: Model) -> set[str]:
    """Identifiers any function assigns, increments or takes the address of."""
    out = set()
    for u in m.units:
        for n in walk(u.body):
            target = None
            if n.type == "assignment_expression":
                target = n.child_by_field_name("left")
            elif n.type == "update_expression":
                target = n.child_by_field_name("argument")
            elif n.type == "pointer_expression" and m.text(n.child_by_field_name("operator")) == "&":
                target = n.child_by_field_name("argument")
            if target is not None and target.type == "identifier":
                out.add(m.text(target))
    return out


@dataclasses.dataclass(frozen=True)
class Buffer:
    """What a pointer is allocated as: 'device', 'managed', 'pinned' or 'host', and its largest size."""

    kind: str
    size: int | None
    node: Node


def is_host_unit(u: Unit) -> bool:
    """Functions that run on the host: neither kernels nor device-only functions."""
    q = set(u.qualifiers)
    return not ("__global__" in q or ("__device__" in q and "__host__" not in q))


def buffer_of(m: Model, unit: Unit, name: str) -> Buffer | None:
    """The allocation of ``name`` as seen from ``unit`` (a local of it, else a file-scope pointer)."""
    key = f"cuda.buffers:{unit.node.start_byte}" if name in unit.decls else "cuda.buffers:file"
    table = m.source.cache.get(key)
    if table is None:
        if name in unit.decls:
            table = _buffers(m, [unit], local=True)
        else:
            table = _buffers(m, [u for u in m.units if is_host_unit(u)], local=False)
        m.source.cache[key] = table
    return table.get(name)


def _buffers(m: Model, units: list[Unit], local: bool) -> dict[str, Buffer]:
    defs: dict[str, list[tuple[str, int | None, Node] | None]] = {}
    for u in units:
        for name, d in _unit_defs(m, u):
            if local == (name in u.decls):
                defs.setdefault(name, []).append(d)
    out = {}
    for name, ds in defs.items():
        if not local:
            g = m.globals.get(name)
            if (
                g is None
                or not g.pointer
                or g.initialized
                or (g.node is not None and "extern" in m.text(g.node))
            ):
                continue
        if any(d is None for d in ds) or len({d[0] for d in ds if d is not None}) != 1:
            continue
        sizes = [d[1] for d in ds if d is not None]
        size = None if any(s is None for s in sizes) else max(s for s in sizes if s is not None)
        first = ds[0]
        if first is not None:
            out[name] = Buffer(first[0], size, first[2])
    return out


def _unit_defs(m: Model, u: Unit) -> list[tuple[str, tuple[str, int | None, Node] | None]]:
    """(pointer, (kind, bytes, node)) for each definition in a unit; None for an unknown one."""
    ev = size_eval(m)
    out: list[tuple[str, tuple[str, int | None, Node] | None]] = []
    for c in u.calls:
        for i, a in enumerate(c.args):
            n, k = m.base_name(a) if a is not None else (None, "")
            if n and k == "addr" and c.name in ALLOC_KINDS and i == 0 and len(c.args) >= 2:
                out.append((n, (ALLOC_KINDS[c.name], ev.int_of(c.args[1]), c.node)))
                continue
            out += [(name, None) for name in _addresses(m, a)]  # &p handed on any other way: unknown
    for lhs, rhs in m.assignments(u):
        if m.text(rhs).strip() in _NULLS:
            continue
        out.append((lhs, _host_alloc(m, ev, rhs)))
    for d in u.decls.values():
        if d.is_array and not d.pointer and d.size is not None and not d.shared and d.node is not None:
            elem = consts.C_SIZES.get(consts.normalize_c_type(d.type))
            if "__device__" not in m.text(d.node) and "__constant__" not in m.text(d.node):
                out.append((d.name, ("host", d.size * elem if elem else None, d.node)))
    return out


def _addresses(m: Model, a: Node | None) -> list[str]:
    """Variables whose address an argument takes (not inside calls of named functions: the model
    lists those calls themselves)."""
    out, todo = [], [a] if a is not None else []
    while todo:
        x = todo.pop()
        if x.type == "call_expression":
            fn = x.child_by_field_name("function")
            if fn is not None and fn.type in ("identifier", "qualified_identifier"):
                continue
        if x.type == "pointer_expression" and m.text(x).startswith("&"):
            arg = x.child_by_field_name("argument")
            if arg is not None and arg.type == "identifier":
                out.append(m.text(arg))
        todo.extend(x.named_children)
    return out


def _host_alloc(m: Model, ev: SizeEval, rhs: Node) -> tuple[str, int | None, Node] | None:
    r = rhs
    while r.type in ("cast_expression", "parenthesized_expression"):
        nxt = r.child_by_field_name("value") or (r.named_children[-1] if r.named_children else None)
        if nxt is None:
            return None
        r = nxt
    if r.type != "call_expression":
        return None
    fn = r.child_by_field_name("function")
    al = r.child_by_field_name("arguments")
    args = [a for a in al.named_children if a.type != "comment"] if al is not None else []
    name = m.text(fn) if fn is not None else ""
    if name == "malloc" and len(args) == 1:
        return ("host", ev.int_of(args[0]), r)
    if name == "calloc" and len(args) == 2:
        a, b = ev.int_of(args[0]), ev.int_of(args[1])
        return ("host", a * b if a is not None and b is not None else None, r)
    return None


# -- kernel parameters -----------------------------------------------------------------------------


def kernel_params(m: Model, kernel: Unit) -> list[str]:
    """The kernel's parameter names in order."""
    out = []
    for p in function_parameters(kernel.node):
        names = [d.name for d in m._c_decls(p)] if p.type == "parameter_declaration" else []
        out.append(names[0] if names else "")
    return out


def param_access(m: Model, kernel: Unit) -> dict[str, set[str]]:
    """Per pointer parameter: 'r' / 'w' for element reads and writes through it, '?' for any other use
    (passed on, copied, atomics, offset), which leaves what the kernel does with it unknown."""
    out: dict[str, set[str]] = {}
    params = {p for p in kernel_params(m, kernel) if p and kernel.decls.get(p) and kernel.decls[p].pointer}
    shadowed = {d.name for d in kernel.decls.values() if not d.param}
    for n in walk(kernel.body):
        if n.type != "identifier" or m.text(n) not in params:
            continue
        name = m.text(n)
        acc = out.setdefault(name, set())
        if name in shadowed:
            acc.add("?")
            continue
        acc |= _use_of(m, n)
    return out


def _use_of(m: Model, idn: Node) -> set[str]:
    el = m.element_of(idn)
    return {"?"} if el is None else _element_use(m, el)


def _element_use(m: Model, el: Node) -> set[str]:
    par = el.parent
    while par is not None and par.type == "parenthesized_expression":
        el, par = par, par.parent
    if par is None:
        return {"?"}
    if par.type == "assignment_expression" and par.child_by_field_name("left") == el:
        op = m.text(par.child_by_field_name("operator"))
        return {"w"} if op == "=" else {"r", "w"}
    if par.type == "update_expression":
        return {"r", "w"}
    if par.type == "pointer_expression" or par.type == "field_expression":
        return {"?"}
    return {"r"}
