"""A light AST of a CUDA file and the file-level facts the kernel interpreter needs.

Tree-sitter nodes are slow to query repeatedly; a kernel is executed once per simulated thread, so
the tree is converted once into plain Python objects (``N``). The facts: functions by name,
object-like macros (parsed as expressions), type sizes (primitive types and the file's structs),
and file-scope variables (``__shared__``, ``__device__``, ``__constant__``, constants).
"""

from __future__ import annotations

import re
from typing import Any

from hpclsp.analysis import languages
from hpclsp.analysis.source import SourceFile, object_macros
from hpclsp.analysis.treeutil import preorder
from hpclsp.analysis.values import consts

#: Bytes of the types a CUDA declaration names by one word: the C scalar types and CUDA's own.
PRIMITIVE_SIZES = {t: n for t, n in consts.C_SIZES.items() if " " not in t} | {
    "half": 2,
    "__half": 2,
    "uint": 4,
    "int2": 8,
    "uint2": 8,
    "float2": 8,
    "int4": 16,
    "uint4": 16,
    "float4": 16,
    "double2": 16,
}
#: Types whose values the interpreter tracks exactly (everything else is unknown).
INTEGER_TYPES = frozenset(
    {"char", "bool", "short", "int", "unsigned", "long", "size_t", "uint", "signed"}
    | {t for t in PRIMITIVE_SIZES if t.endswith("_t") and "int" in t}
)
#: Leaves whose text the interpreter reads.
_TEXT_TYPES = frozenset(
    {
        "identifier",
        "field_identifier",
        "number_literal",
        "char_literal",
        "primitive_type",
        "type_identifier",
        "namespace_identifier",
        "sized_type_specifier",
        "type_qualifier",
        "storage_class_specifier",
        "true",
        "false",
        "null",
        "nullptr",
        "string_literal",
        "auto",
    }
)


class N:
    """One AST node: its type, named children, children by field, text of small nodes."""

    __slots__ = ("type", "kids", "f", "text", "node", "id", "op")

    def __init__(self, node: Any, data: bytes) -> None:
        self.type: str = node.type
        self.node = node
        self.id: int = node.start_byte * 4096 + (node.end_byte - node.start_byte) % 4096
        self.kids: list[N] = []
        self.f: dict[str, N] = {}
        self.op = ""  # the operator's text for operator expressions
        size = node.end_byte - node.start_byte
        self.text: str = (
            data[node.start_byte : node.end_byte].decode("utf-8", "replace")
            if size < 160 or node.type in _TEXT_TYPES
            else ""
        )

    def __repr__(self) -> str:
        return f"N({self.type}, {self.text[:30]!r})"


def convert(node: Any, data: bytes) -> N:
    """The light AST of a tree-sitter subtree (iterative, so deep nesting cannot overflow)."""
    root = N(node, data)
    stack = [(node, root)]
    while stack:
        tn, n = stack.pop()
        for i, c in enumerate(tn.children):
            fname = tn.field_name_for_child(i)
            if not c.is_named and fname is None:
                continue
            cn = N(c, data)
            if c.is_named:
                n.kids.append(cn)
            if fname is not None and fname not in n.f:
                n.f[fname] = cn
                if fname == "operator":
                    n.op = cn.text
            if c.child_count:
                stack.append((c, cn))
    return root


def walk(n: N) -> list[N]:
    """Every node of a light subtree, in source order."""
    return list(preorder(n, _kids))


def _kids(n: N) -> list[N]:
    return n.kids


def base_type(type_node: N | None) -> str:
    """The last word of a type specifier (``unsigned int`` -> ``int``; ``cg::thread_block`` -> ``thread_block``)."""
    if type_node is None:
        return ""
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", type_node.text)
    words = [w for w in words if w not in ("const", "volatile", "struct", "signed", "__restrict__")]
    if not words:
        return ""
    if words[-1] in ("long",) or words == ["unsigned"]:
        return "long" if "long" in words else "unsigned"
    return words[-1]


def specifiers(decl: N) -> set[str]:
    """Qualifier and storage words written before a declaration's declarators."""
    out = set()
    for k in decl.kids:
        if k.type in (
            "type_qualifier",
            "storage_class_specifier",
            "attribute_specifier",
            "ms_declspec_modifier",
        ):
            out.update(k.text.split())
        elif k.type in ("attribute_declaration",):
            out.add(k.text)
    return out


def _integer_template_params(k: N) -> list[str]:
    """Names of the integer (non-type) parameters of a template declaration."""
    pl = k.f.get("parameters")
    names = []
    for p in pl.kids if pl is not None else []:
        if p.type == "parameter_declaration" and base_type(p.f.get("type")) in INTEGER_TYPES:
            d = p.f.get("declarator")
            if d is not None and d.type == "identifier":
                names.append(d.text)
    return names


class Program:
    """The light AST of one CUDA file with its functions, macros, structs and file-scope variables."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.data = source.data
        self.root = convert(source.tree.root_node, self.data)
        self.functions: dict[str, list[N]] = {}
        self.kernels: list[N] = []
        self.template_params: dict[int, list[str]] = {}
        self.macros: dict[str, N | None] = {}  # object-like macros parsed as expressions, on demand
        self._macro_text = object_macros(source)
        self.struct_sizes: dict[str, int] = {}
        self.globals: list[N] = []
        self.axioms: list[N] = [  # file-level `__axiom(cond);` statements of verifier-annotated code
            x
            for k in self.root.kids
            if k.type != "function_definition"
            for x in walk(k)
            if x.type == "call_expression" and call_name(x) == "__axiom"
        ]
        self._collect(self.root, [])
        self.barrier_fns = self._barrier_functions()

    # -- collection ------------------------------------------------------------------------------
    def _collect(self, n: N, tparams: list[str]) -> None:
        for k in n.kids:
            t = k.type
            if t == "function_definition":
                self._function(k, tparams)
            elif t == "template_declaration":
                self._collect(k, _integer_template_params(k))
            elif t in ("linkage_specification", "declaration_list", "namespace_definition"):
                body = k.f.get("body")
                self._collect(body if body is not None else k, tparams)
            elif t in ("preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif"):
                self._collect(k, tparams)
            elif t in ("struct_specifier", "class_specifier"):
                self._struct(k)
            elif t == "declaration":
                ty = k.f.get("type")
                if ty is not None and ty.type in ("struct_specifier", "class_specifier"):
                    self._struct(ty)
                self.globals.append(k)
            elif t == "type_definition":
                self._typedef(k)

    def _typedef(self, k: N) -> None:
        """Record the size of a ``typedef struct {...} name;`` under the typedef name."""
        ty = k.f.get("type")
        if ty is not None and ty.type in ("struct_specifier", "class_specifier"):
            size = self._struct(ty)
            d = k.f.get("declarator")
            if size is not None and d is not None:
                self.struct_sizes[d.text] = size

    def _function(self, fn: N, tparams: list[str]) -> None:
        d = fn.f.get("declarator")
        while d is not None and d.type in ("pointer_declarator", "reference_declarator"):
            d = d.f.get("declarator")
        if d is None or d.type != "function_declarator":
            return
        name = d.f.get("declarator")
        if name is None:
            return
        key = name.text.split("::")[-1]
        self.functions.setdefault(key, []).append(fn)
        self.template_params[fn.id] = tparams
        head = self.data[fn.node.start_byte : d.node.start_byte].decode("utf-8", "replace")
        if "__global__" in head and fn.f.get("body") is not None:
            self.kernels.append(fn)

    def _struct(self, st: N) -> int | None:
        """Size of a struct of scalar fields (C layout: each field aligned to its size)."""
        body = st.f.get("body")
        name = st.f.get("name")
        if body is None:
            return None
        off, align = 0, 1
        for fd in body.kids:
            if fd.type != "field_declaration":
                return None
            size = self.type_size(fd.f.get("type"))
            if size is None:
                return None
            for d in [
                k for k in fd.kids if k.type in ("field_identifier", "array_declarator", "pointer_declarator")
            ]:
                s, a = size, size
                if d.type == "pointer_declarator":
                    s = a = 8
                elif d.type == "array_declarator":
                    n = d.f.get("size")
                    cnt = _int(n.text) if n is not None else None
                    if cnt is None:
                        return None
                    s = size * cnt
                a = min(a, 8)
                off = (off + a - 1) // a * a + s
                align = max(align, a)
        total = (off + align - 1) // align * align
        if name is not None:
            self.struct_sizes[name.text] = total
        return total

    def _barrier_functions(self) -> set[str]:
        """Names of the file's functions that execute a barrier (transitively)."""
        direct: dict[str, set[str]] = {}
        has: set[str] = set()
        for name, fns in self.functions.items():
            calls: set[str] = set()
            for fn in fns:
                for x in walk(fn):
                    if x.type == "call_expression":
                        c = call_name(x)
                        if is_barrier_name(c, x):
                            has.add(name)
                        calls.add(c)
            direct[name] = calls
        changed = True
        while changed:
            changed = False
            for name, calls in direct.items():
                if name not in has and calls & has:
                    has.add(name)
                    changed = True
        return has

    # -- queries ---------------------------------------------------------------------------------
    def macro(self, name: str) -> N | None:
        """An object-like macro's body parsed as an expression (None when it is not one)."""
        if name in self.macros:
            return self.macros[name]
        text = self._macro_text.get(name)
        expr = None
        if text is not None and len(text) < 400:
            src = f"void __m() {{ ({text}); }}".encode()
            tree = languages.parse("cuda", src)
            root = convert(tree.root_node, src)
            found = [x for x in walk(root) if x.type == "parenthesized_expression"]
            if found and not any(x.type == "ERROR" for x in walk(root)):
                expr = found[0].kids[0] if found[0].kids else None
        self.macros[name] = expr
        return expr

    def reach_text(self, fn: N) -> str:
        """The text of a function, of the file's functions it calls (transitively) and of the macros."""
        seen = {fn.id}
        todo = [fn]
        parts = list(self._macro_text.values())
        while todo:
            f = todo.pop()
            parts.append(self.data[f.node.start_byte : f.node.end_byte].decode("utf-8", "replace"))
            for x in walk(f):
                if x.type == "call_expression":
                    for g in self.functions.get(call_name(x), []):
                        if g.id not in seen:
                            seen.add(g.id)
                            todo.append(g)
        return re.sub(r"\s+", "", "\n".join(parts))

    def type_size(self, type_node: N | None) -> int | None:
        """Bytes of a type written in a declaration (None when unknown)."""
        if type_node is None:
            return None
        name = base_type(type_node)
        if name in PRIMITIVE_SIZES:
            if name == "long" and type_node.text.count("long") == 1 and "unsigned" not in type_node.text:
                return 8
            return PRIMITIVE_SIZES[name]
        return self.struct_sizes.get(name)

    def contains_barrier(self, n: N, cache: dict[int, bool]) -> bool:
        """True when a subtree executes a barrier (directly or through a call of the file)."""
        v = cache.get(n.id)
        if v is None:
            v = any(
                x.type == "call_expression"
                and (is_barrier_name(call_name(x), x) or call_name(x) in self.barrier_fns)
                for x in walk(n)
            )
            cache[n.id] = v
        return v


def call_name(call: N) -> str:
    """The called name of a call expression (last component of a qualified or member name)."""
    fn = call.f.get("function")
    if fn is None:
        return ""
    if fn.type == "field_expression":
        fld = fn.f.get("field")
        return fld.text if fld is not None else ""
    if fn.type == "template_function":
        fn = fn.f.get("name") or fn
    return fn.text.split("::")[-1].strip()


BARRIER_NAMES = frozenset(
    {"__syncthreads", "__syncthreads_count", "__syncthreads_and", "__syncthreads_or", "__syncwarp"}
)


def is_barrier_name(name: str, call: N) -> bool:
    """Whether a call is a barrier: ``__syncthreads``-like, ``__syncwarp``, or a group ``sync``."""
    return name in BARRIER_NAMES or name in ("sync", "synchronize")


def _int(text: str) -> int | None:
    t = text.strip().rstrip("uUlL")
    try:
        return int(t, 0)
    except ValueError:
        return None


_PARAM_CACHE: dict[int, list[tuple[str, str, int | None, str]]] = {}


def function_declarator(fn: N) -> N | None:
    """The declarator of a function definition that holds its name and parameters."""
    d = fn.f.get("declarator")
    while d is not None and d.type != "function_declarator":
        d = d.f.get("declarator")
    return d


def params_of(prog: Program, fn: N) -> list[tuple[str, str, int | None, str]]:
    """(name, kind, pointee size, type) of a function's parameters; kind: ptr | int | agg | group | other."""
    key = id(prog) * 1_000_003 + fn.id
    got = _PARAM_CACHE.get(key)
    if got is not None:
        return got
    out: list[tuple[str, str, int | None, str]] = []
    d = function_declarator(fn)
    pl = d.f.get("parameters") if d is not None else None
    for p in pl.kids if pl is not None else []:
        if p.type != "parameter_declaration":
            continue
        ty = p.f.get("type")
        decl = p.f.get("declarator")
        is_ptr = False
        while decl is not None and decl.type in (
            "pointer_declarator",
            "reference_declarator",
            "array_declarator",
        ):
            is_ptr = is_ptr or decl.type in ("pointer_declarator", "array_declarator")
            decl = decl.f.get("declarator") or (decl.kids[-1] if decl.kids else None)
        if decl is None or decl.type != "identifier":
            out.append(("", "other", None, ""))
            continue
        tname = base_type(ty)
        if is_ptr:
            out.append((decl.text, "ptr", prog.type_size(ty), tname))
        elif tname in INTEGER_TYPES:
            out.append((decl.text, "int", None, tname))
        elif tname in ("thread_block", "grid_group", "thread_block_tile", "coalesced_group"):
            out.append(
                (decl.text, "group", None, {"grid_group": "grid", "thread_block": "block"}.get(tname, "warp"))
            )
        elif (
            ty is not None
            and ty.type in ("type_identifier", "struct_specifier")
            and tname not in ("float", "double")
        ):
            out.append((decl.text, "agg", None, tname))
        else:
            out.append((decl.text, "other", None, tname))
    if len(_PARAM_CACHE) > 4096:
        _PARAM_CACHE.clear()
    _PARAM_CACHE[key] = out
    return out
