"""Memory of the per-rank evaluator: declarations, names, lvalues, pointers, stores and calls.

A mixin of ``mpi_eval.RankEvaluator``: variables are ``Obj`` cells in nested scopes, ``&x`` and
array names are ``Ptr`` values (byte offsets, so buffer sizes can be checked), heap blocks come from
``malloc``/``calloc``. Stores are reported to the MPI semantics so that a write into a buffer that a
pending nonblocking operation owns is seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hpclsp.analysis import languages
from hpclsp.analysis.hostcode.mpi_trace import Handle, Node, Obj, Ptr
from hpclsp.analysis.treeutil import function_parameters, walk
from hpclsp.analysis.values import consts
from hpclsp.analysis.values.consts import UNKNOWN

if TYPE_CHECKING:
    from hpclsp.analysis.hostcode.mpi_calls import MpiSemantics
    from hpclsp.analysis.hostcode.mpi_eval import Program

_FLOATS = ("float", "double", "long double")
#: MPI handle types: opaque, but arrays of them are counted in elements.
HANDLE_TYPES = frozenset(
    {"MPI_Request", "MPI_Comm", "MPI_Datatype", "MPI_Op", "MPI_Group", "MPI_Win", "MPI_Info"}
)
HANDLE_SIZE = 8
_ASSIGN_OPS = {
    "+=": "+",
    "-=": "-",
    "*=": "*",
    "/=": "/",
    "%=": "%",
    "<<=": "<<",
    ">>=": ">>",
    "&=": "&",
    "|=": "|",
    "^=": "^",
}


def _type_of(decl: Node, text: Any) -> str:
    t = decl.child_by_field_name("type")
    return consts.normalize_c_type(text(t)) if t is not None else "int"


def _unwrap(d: Node | None) -> tuple[str | None, int, list[Node | None], Node | None]:
    """(name, pointer level, array size nodes outermost first, init value) of a declarator."""
    ptr, value = 0, None
    sizes: list[Node | None] = []
    if d is not None and d.type == "init_declarator":
        value = d.child_by_field_name("value")
        d = d.child_by_field_name("declarator")
    while d is not None and d.type not in ("identifier", "field_identifier"):
        if d.type == "pointer_declarator":
            ptr += 1
        elif d.type == "array_declarator":
            sizes.insert(0, d.child_by_field_name("size"))
        elif d.type in ("function_declarator", "abstract_function_declarator"):
            return None, 0, [], None
        elif d.type not in ("parenthesized_declarator", "reference_declarator"):
            return None, 0, [], None
        d = d.child_by_field_name("declarator") or (d.named_children[-1] if d.named_children else None)
    return (d.text.decode() if d is not None and d.text is not None else None), ptr, sizes, value


class Memory:
    """Names, lvalues and stores for the evaluator (mixed into ``RankEvaluator``)."""

    scopes: list[dict[str, Obj]]
    program: Program
    mpi: MpiSemantics
    stack: list[Node]
    text: Any
    _in_define: int = 0

    if TYPE_CHECKING:

        def eval(self, node: Node | None) -> Any: ...
        def exec(self, node: Node | None) -> None: ...
        def tick(self) -> None: ...

    def find(self, name: str) -> Obj | None:
        """The object a name denotes in the current scopes."""
        for scope in reversed(self.scopes):
            obj = scope.get(name)
            if obj is not None:
                return obj
        return None

    # -- declarations -------------------------------------------------------------------------
    def declare(self, node: Node, static: bool = False) -> None:
        """Create the variables of a declaration in the innermost scope."""
        base = self.program.resolve_type(_type_of(node, self.text))
        static = static or any(
            c.type == "storage_class_specifier" and self.text(c) == "static" for c in node.children
        )
        for d in node.children_by_field_name("declarator"):
            name, ptr, sizes, value = _unwrap(d)
            if not name:
                continue
            ctype = base + "*" * ptr
            elem = 8 if ptr else consts.C_SIZES.get(base, HANDLE_SIZE if base in HANDLE_TYPES else None)
            dims: list[int] = []
            for s in sizes:
                v = self.eval(s) if s is not None else UNKNOWN
                if s is None and value is not None and value.type == "initializer_list":
                    v = len(value.named_children)
                if s is None and value is not None and value.type == "string_literal":
                    v = len(self.text(value)) - 1
                if not consts.is_int(v) or v < 0:
                    dims = []
                    break
                dims.append(v)
            is_array = bool(sizes)
            n = 1
            for x in dims:
                n *= x
            nbytes = (n * elem if elem is not None else None) if (dims or not is_array) else None
            obj = Obj(
                name, ctype, nbytes, elem, default=0 if static else UNKNOWN, is_array=is_array, dims=dims
            )
            self.scopes[-1][name] = obj
            if value is not None:
                self._initialize(obj, value)

    def _initialize(self, obj: Obj, value: Node) -> None:
        if value.type == "initializer_list":
            items = value.named_children
            if obj.is_array:
                obj.default = 0
                for i, it in enumerate(items):
                    if it.type == "initializer_list":
                        obj.default = UNKNOWN
                        break
                    obj.set(i, self.eval(it))
            else:
                obj.default = UNKNOWN
            return
        if value.type == "string_literal" and obj.is_array:
            obj.default = UNKNOWN
            return
        self.store(obj, 0, self.eval(value), value)

    def read_variable(self, obj: Obj, node: Node) -> Any:
        """What naming a variable reads: an array's address, else its value (recorded as an access)."""
        if obj.is_array:
            return Ptr(obj, 0, 0)
        self.mpi.on_access(obj, 0, obj.elem_size or 1, node, write=False)
        return obj.get(0)

    # -- names ----------------------------------------------------------------------------------
    def lookup(self, name: str, node: Node) -> Any:
        """The value of a name: a variable, a macro, an MPI constant, or UNKNOWN."""
        obj = self.find(name)
        if obj is not None:
            return self.read_variable(obj, node)
        if name in ("NULL", "nullptr"):
            return 0
        if name in ("true", "false"):
            return int(name == "true")
        if name in self.program.defines:
            return self._define(name)
        if name.startswith("MPI_"):
            return consts.Symbol(name)
        return UNKNOWN

    def _define(self, name: str) -> Any:
        text = self.program.defines[name].strip()
        v = consts.parse_number(text)
        if v is not UNKNOWN or not text or self._in_define > 8:
            return v
        node = self.program.define_nodes.get(name)
        if node is None:
            tree = languages.parse(self.program.source.language, f"long __v = ({text});".encode())
            decl = tree.root_node.named_children[0] if tree.root_node.named_children else None
            init = decl.child_by_field_name("declarator") if decl is not None else None
            node = init.child_by_field_name("value") if init is not None else None
            if node is None:
                return UNKNOWN
            self.program.define_nodes[name] = node
            self.program.define_text[node.id] = f"long __v = ({text});"
        snippet = self.program.define_text[node.id]
        saved = self.text
        self.text = lambda n: snippet[n.start_byte : n.end_byte]
        self._in_define += 1
        try:
            return self.eval(node)
        finally:
            self._in_define -= 1
            self.text = saved

    # -- lvalues ----------------------------------------------------------------------------------
    def location(self, node: Node | None) -> tuple[Obj, int] | None:
        """The (object, element index) an lvalue denotes, or None."""
        if node is None:
            return None
        t = node.type
        if t == "parenthesized_expression" and node.named_children:
            return self.location(node.named_children[-1])
        if t == "identifier":
            obj = self.find(self.text(node))
            return (obj, 0) if obj is not None else None
        if t == "subscript_expression":
            p = self.eval(node.child_by_field_name("argument"))
            i = self.eval(node.child_by_field_name("index"))
            if isinstance(p, Ptr) and consts.is_int(i):
                off = p.offset + i * p.stride
                return p.obj, off // (p.obj.elem_size or 1)
            return None
        if t == "pointer_expression" and self.text(node).startswith("*"):
            p = self.eval(node.child_by_field_name("argument"))
            if isinstance(p, Ptr):
                return p.obj, p.offset // (p.obj.elem_size or 1)
            return None
        if t == "field_expression":
            arg = node.child_by_field_name("argument")
            fld = node.child_by_field_name("field")
            opn = node.child_by_field_name("operator")
            if arg is None or fld is None:
                return None
            if opn is not None and self.text(opn) == "->":
                p = self.eval(arg)
                base = p.obj if isinstance(p, Ptr) else None
            else:
                loc = self.location(arg)
                base = loc[0] if loc is not None else None
            if base is None:
                return None
            name = self.text(fld)
            mem = base.members.get(name)
            if mem is None:
                mem = base.members[name] = Obj(f"{base.name}.{name}", None, None, None, default=base.default)
            return mem, 0
        return None

    def read(self, node: Node) -> Any:
        """The value an lvalue holds (sub-arrays as pointers)."""
        if node.type == "subscript_expression":
            p = self.eval(node.child_by_field_name("argument"))
            i = self.eval(node.child_by_field_name("index"))
            if isinstance(p, Ptr) and consts.is_int(i) and p.is_row:
                return Ptr(p.obj, p.offset + i * p.stride, p.level + 1)
        loc = self.location(node)
        if loc is None:
            return UNKNOWN
        obj, i = loc
        if obj.is_array and node.type == "identifier":
            return Ptr(obj, 0, 0)
        self.mpi.on_access(obj, i * (obj.elem_size or 1), obj.elem_size or 1, node, write=False)
        return obj.get(i)

    def store(self, obj: Obj, i: int, v: Any, node: Node) -> None:
        """Write v (converted to the object's type) into element i."""
        t = obj.ctype or ""
        if "*" not in t and t in consts.C_SIZES:
            if t in _FLOATS and consts.is_int(v):
                v = float(v)
            elif t not in _FLOATS and isinstance(v, float):
                v = int(v)
            if consts.is_int(v):
                v = consts.c_int_value(v, t)
        if isinstance(v, Ptr) and v.obj.heap and v.obj.name.startswith("<"):
            v.obj.name = f"*{obj.name}"
        if isinstance(v, Ptr) and v.obj.heap and v.obj.ctype is None and t.endswith("*"):
            elem_t = t[:-1].strip()
            v.obj.ctype = elem_t
            v.obj.elem_size = 8 if elem_t.endswith("*") else consts.C_SIZES.get(elem_t)
        self.mpi.on_access(obj, i * (obj.elem_size or 1), obj.elem_size or 1, node, write=True)
        obj.set(i, v)

    # -- expression hooks -------------------------------------------------------------------------
    def subscript(self, node: Node) -> Any:
        """``a[i]``."""
        return self.read(node)

    def field(self, node: Node) -> Any:
        """``s.f`` / ``p->f``."""
        return self.read(node)

    def pointer(self, node: Node, op: str) -> Any:
        """``&x`` / ``*p``."""
        if op == "&":
            return self.address(node.child_by_field_name("argument"))
        return self.read(node)

    def address(self, node: Node | None) -> Any:
        """The pointer ``&node``."""
        if node is not None and node.type == "subscript_expression":
            p = self.eval(node.child_by_field_name("argument"))
            i = self.eval(node.child_by_field_name("index"))
            if isinstance(p, Ptr) and consts.is_int(i):
                return Ptr(
                    p.obj, p.offset + i * p.stride, p.level + 1 if p.is_row else max(p.level, len(p.obj.dims))
                )
            return UNKNOWN
        loc = self.location(node)
        if loc is None:
            return UNKNOWN
        obj, i = loc
        return Ptr(obj, i * (obj.elem_size or 1), len(obj.dims))

    def assign(self, node: Node) -> Any:
        """Perform ``x = e``, ``x op= e``, ``x++``; the expression's value."""
        if node.type == "update_expression":
            arg = node.child_by_field_name("argument")
            opn = node.child_by_field_name("operator")
            loc = self.location(arg)
            if loc is None:
                self.havoc_lvalue(arg)
                return UNKNOWN
            obj, i = loc
            old = obj.get(i)
            delta = 1 if opn is not None and self.text(opn) == "++" else -1
            new = (
                Ptr(old.obj, old.offset + delta * old.stride, old.level)
                if isinstance(old, Ptr)
                else consts.binary("+", old, delta)
            )
            self.store(obj, i, new, node)
            return new if self.text(node).startswith(("++", "--")) else old
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        opn = node.child_by_field_name("operator")
        op = self.text(opn) if opn is not None else "="
        v = self.eval(right)
        loc = self.location(left)
        if loc is None:
            self.havoc_lvalue(left)
            return v
        obj, i = loc
        if op != "=":
            old = obj.get(i)
            v = consts.binary(_ASSIGN_OPS.get(op, "?"), old, v) if not isinstance(old, Ptr) else UNKNOWN
        self.store(obj, i, v, node)
        return obj.get(i)

    def sizeof(self, node: Node) -> Any:
        """``sizeof`` of a type or of a variable."""
        ty = node.child_by_field_name("type")
        if ty is not None:
            t = self.program.resolve_type(consts.normalize_c_type(self.text(ty)))
            if "*" in t:
                return 8
            return consts.C_SIZES.get(t, HANDLE_SIZE if t in HANDLE_TYPES else UNKNOWN)
        val = node.child_by_field_name("value")
        while val is not None and val.type == "parenthesized_expression" and val.named_children:
            val = val.named_children[-1]
        if val is not None and val.type == "identifier":
            obj = self.find(self.text(val))
            if obj is None:  # ``sizeof(T)`` where T is a typedef or macro the parser took for a name
                size = consts.C_SIZES.get(self.program.resolve_type(self.text(val)))
                return size if size is not None else UNKNOWN
            if obj is not None:
                if obj.is_array:
                    return obj.nbytes if obj.nbytes is not None else UNKNOWN
                return 8 if (obj.ctype or "").endswith("*") else (obj.elem_size or UNKNOWN)
        if val is not None and val.type in ("subscript_expression", "pointer_expression"):
            loc = self.location(val)
            if loc is not None and loc[0].elem_size:
                return loc[0].elem_size
        return UNKNOWN

    # -- forgetting -------------------------------------------------------------------------------
    def havoc_obj(self, obj: Obj) -> None:
        """Forget everything about an object (and what its pointers point at)."""
        for v in list(obj.elems.values()) + [obj.default]:
            if isinstance(v, Handle):
                v.uncertain = True  # the program may still complete or free it through the lost value
            if isinstance(v, Ptr) and v.obj is not obj and v.obj.default is not UNKNOWN:
                v.obj.elems.clear()
                v.obj.default = UNKNOWN
        obj.elems.clear()
        obj.default = UNKNOWN
        for m in obj.members.values():
            self.havoc_obj(m)

    def havoc_lvalue(self, node: Node | None) -> None:
        """Forget the object at the base of an lvalue expression."""
        while node is not None and node.type not in ("identifier",):
            kids = node.named_children
            node = node.child_by_field_name("argument") or (kids[0] if kids else None)
        if node is not None:
            name = self.text(node)
            obj = self.find(name.lower() if getattr(self, "fortran", False) else name)
            if obj is not None:
                self.havoc_obj(obj)

    def havoc_assigned(self, node: Node) -> None:
        """Forget every variable a subtree may assign (its assignments, ``x++``, ``&x`` arguments)."""
        for n in walk(node):
            if n.type == "assignment_expression":
                self.havoc_lvalue(n.child_by_field_name("left"))
            elif n.type == "update_expression":
                self.havoc_lvalue(n.child_by_field_name("argument"))
            elif n.type == "assignment_statement":  # Fortran
                self.havoc_lvalue(n.child_by_field_name("left"))
            elif n.type == "loop_control_expression" and n.named_children:
                self.havoc_lvalue(n.named_children[0])
            elif n.type == "pointer_expression" and self.text(n).startswith("&"):
                self.havoc_lvalue(n.child_by_field_name("argument"))
            elif n.type == "call_expression":
                fn = n.child_by_field_name("function")
                if fn is not None and self.text(fn) in ("memset", "memcpy", "strcpy", "sprintf", "sscanf"):
                    args = n.child_by_field_name("arguments")
                    if args is not None and args.named_children:
                        self.havoc_lvalue(args.named_children[0])

    # -- calls ----------------------------------------------------------------------------------
    def call(self, node: Node) -> Any:
        """A call: MPI, a function of this file, a known library function, or an unknown one (stop)."""
        from hpclsp.analysis.hostcode import mpi_eval as me

        fn = node.child_by_field_name("function")
        argl = node.child_by_field_name("arguments")
        name = self.text(fn) if fn is not None else ""
        name = name[5:] if name.startswith("std::") else name
        arg_nodes = [a for a in (argl.named_children if argl is not None else []) if a.type != "comment"]
        if self._in_define:
            return UNKNOWN
        if name.upper().startswith(("MPI_", "PMPI_")):
            return self.mpi.call(name, node, arg_nodes, [self.eval(a) for a in arg_nodes])
        if name in self.program.functions:
            return self._call_local(name, node, [self.eval(a) for a in arg_nodes])
        vals = [self.eval(a) for a in arg_nodes]
        if name in ("malloc", "calloc", "alloca"):
            size = (
                vals[0]
                if name != "calloc"
                else consts.binary("*", vals[0], vals[1] if len(vals) > 1 else UNKNOWN)
            )
            obj = Obj(
                f"<{name}@{node.start_point[0] + 1}>", None, size if consts.is_int(size) else None, None
            )
            obj.heap = True
            obj.default = 0 if name == "calloc" else UNKNOWN
            return Ptr(obj, 0, 0)
        if name == "free":
            if vals and isinstance(vals[0], Ptr):
                self.mpi.on_free(vals[0].obj, node)
                vals[0].obj.freed = True
            return None
        if name in ("exit", "abort", "_exit"):
            raise me._Exit()
        if name in ("abs", "labs"):
            return abs(vals[0]) if vals and consts.is_int(vals[0]) else UNKNOWN
        if name in me.WRITERS:
            if vals and isinstance(vals[0], Ptr):
                self.havoc_obj(vals[0].obj)
            return UNKNOWN
        if name in me.PURE_CALLS:
            return UNKNOWN
        raise me.Stop(f"call of {name or 'an unknown function'}")

    def _call_local(self, name: str, node: Node, vals: list[Any]) -> Any:
        from hpclsp.analysis.hostcode import mpi_eval as me

        fdef = self.program.functions[name]
        if len(self.stack) >= me.MAX_DEPTH or any(n.id == fdef.id for n in self.stack):
            raise me.Stop("call depth")
        scope: dict[str, Obj] = {}
        plist = [p for p in function_parameters(fdef) if p.type == "parameter_declaration"]
        for i, p in enumerate(plist):
            pname, ptr, sizes, _ = _unwrap(p.child_by_field_name("declarator"))
            if not pname:
                continue
            base = self.program.resolve_type(_type_of(p, self.text))
            ctype = base + "*" * (ptr + len(sizes))
            obj = Obj(pname, ctype, 8, 8 if (ptr or sizes) else consts.C_SIZES.get(base))
            obj.set(0, vals[i] if i < len(vals) else UNKNOWN)
            scope[pname] = obj
        saved = self.scopes
        self.scopes = [saved[0], scope]
        self.stack.append(node)
        try:
            self.exec(fdef.child_by_field_name("body"))
            return None
        except me._Return as r:
            return r.value
        finally:
            self.stack.pop()
            self.scopes = saved
