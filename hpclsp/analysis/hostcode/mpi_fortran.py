"""Fortran for the per-rank MPI evaluator: statements, declarations, arrays and by-reference calls.

``FortranRankEvaluator`` runs the main program of a Fortran file (``use mpi``, ``use mpi_f08`` or
``include 'mpif.h'``) like ``RankEvaluator`` runs ``main`` in C: names are compared lower-case,
arrays are column-major with lower bound 1 (or as declared), arguments are passed by reference, so an
MPI call receives a pointer for its buffers and output arguments and a value for the others.
Keyword arguments (``request=req``) are bound by the standard's parameter names.
"""

from __future__ import annotations

from typing import Any

from hpclsp.analysis.hostcode import mpi_eval as me
from hpclsp.analysis.hostcode import mpi_tables as T
from hpclsp.analysis.hostcode.mpi_trace import Node, Obj, Ptr
from hpclsp.analysis.treeutil import fortran_dummies
from hpclsp.analysis.values import consts
from hpclsp.analysis.values.consts import UNKNOWN, Symbol

F_SIZES = T.F_SIZES
#: Arguments passed as addresses: buffers, outputs and arrays.
_BYREF = frozenset(
    T.OUT_POINTERS | {"status", "buf", "buffer", "sendbuf", "recvbuf", "origin_addr", "base"}
) | {
    "ranks",
    "recvcounts",
    "sendcounts",
    "displs",
    "sdispls",
    "rdispls",
    "array_of_requests",
    "array_of_statuses",
    "array_of_indices",
    "array_of_blocklengths",
    "array_of_displacements",
    "array_of_types",
}
#: Handle arguments a call writes (by reference); elsewhere the same names are plain inputs.
_WRITES = {
    "comm": ("MPI_COMM_FREE",),
    "datatype": ("MPI_TYPE_COMMIT", "MPI_TYPE_FREE"),
    "op": ("MPI_OP_CREATE", "MPI_OP_FREE"),
    "group": ("MPI_COMM_GROUP", "MPI_GROUP_FREE"),
    "win": ("MPI_WIN_CREATE", "MPI_WIN_ALLOCATE", "MPI_WIN_FREE"),
    "rank": ("MPI_COMM_RANK",),
    "size": ("MPI_COMM_SIZE",),
}


def by_reference(key: str, param: str) -> bool:
    """Whether a Fortran MPI argument is an address the call reads or writes through."""
    if param in _WRITES:
        return key in _WRITES[param]
    return param in _BYREF


def f_type(text: str) -> str:
    """The element type name of a Fortran declaration type (``real(8)`` -> ``real8``)."""
    t = text.strip().lower().replace(" ", "")
    kind = ""
    if "(" in t:
        t, _, rest = t.partition("(")
        kind = rest.rstrip(")").replace("kind=", "")
    if t.startswith("type") or t.startswith("class"):
        return text[text.find("(") + 1 : text.rfind(")")].strip() or "type"
    if t == "doubleprecision":
        return "real8"
    if t == "doublecomplex":
        return "complex16"
    if t in ("integer", "real"):
        return t + (kind if kind in ("4", "8") else "4")
    if t == "complex":
        return "complex16" if kind == "8" else "complex8"
    return t


class FortranRankEvaluator(me.RankEvaluator):
    """Runs one rank of a Fortran main program."""

    def __init__(
        self,
        program: me.Program,
        rank: int,
        nprocs: int,
        deadline: float,
        split_oracle: dict[int, dict[int, tuple[int, int]]] | None = None,
    ) -> None:
        super().__init__(program, rank, nprocs, deadline, split_oracle)
        self.fortran = True

    def exec_main(self, main: Node) -> None:
        """Run the statements of the main program."""
        self._body(main)

    def _body(self, unit: Node) -> None:
        stmts = []
        for k in unit.named_children:
            if k.type in ("internal_procedures", "contains_statement"):
                break
            stmts.append(k)
        self._run(stmts)

    def _run(self, stmts: list[Node]) -> None:
        """Execute statements; an OpenMP region (``!$omp parallel`` ... ``!$omp end parallel``) is undecided."""
        i = 0
        while i < len(stmts):
            s = stmts[i]
            word = _omp_region(self.text(s)) if s.type == "comment" else None
            if word is None:
                self.exec(s)
                i += 1
                continue
            j = i + 1
            while j < len(stmts) and not (
                stmts[j].type == "comment"
                and self.text(stmts[j]).lower().replace(" ", "").startswith("!$ompend" + word)
            ):
                j += 1
            region = stmts[i + 1 : j] if j < len(stmts) or word != "paralleldo" else stmts[i + 1 : i + 2]
            for r in region:
                self.undecided(r, "OpenMP region")
            i = i + 1 + len(region)

    # -- names and memory -----------------------------------------------------------------------
    def lookup(self, name: str, node: Node) -> Any:
        """A variable, or an MPI constant (``MPI_COMM_WORLD``) as a symbol."""
        obj = self.find(name)
        if obj is not None:
            return self.read_variable(obj, node)
        if name.startswith("mpi_"):
            return Symbol(name.upper())
        return UNKNOWN

    def _element(self, node: Node) -> tuple[Obj, int] | None:
        """(array, element index) of ``a(i, j)``, column-major with the declared lower bounds."""
        kids = node.named_children
        if len(kids) < 2 or kids[0].type != "identifier":
            return None
        obj = self.find(self.text(kids[0]).lower())
        if obj is None or not obj.is_array or not obj.dims:
            return None
        subs = [a for a in kids[1].named_children if a.type != "comment"]
        if len(subs) != len(obj.dims):
            return None
        index, stride = 0, 1
        for k, sub in enumerate(subs):
            v = self.eval(sub)
            if not consts.is_int(v):
                return None
            lower = obj.lower[k] if k < len(obj.lower) else 1
            index += (v - lower) * stride
            stride *= obj.dims[k]
        return obj, index

    def location(self, node: Node | None) -> tuple[Obj, int] | None:
        """The (object, element) an lvalue denotes."""
        if node is None:
            return None
        if node.type == "identifier":
            obj = self.find(self.text(node).lower())
            return (obj, 0) if obj is not None else None
        if node.type == "call_expression":
            return self._element(node)
        if node.type == "parenthesized_expression" and node.named_children:
            return self.location(node.named_children[0])
        return None

    def ref(self, node: Node) -> Any:
        """The address an argument passes (a temporary for expressions)."""
        if node.type == "identifier":
            obj = self.find(self.text(node).lower())
            if obj is not None:
                return Ptr(obj, 0, 0)
        loc = self.location(node) if node.type == "call_expression" else None
        if loc is not None:
            obj, i = loc
            return Ptr(obj, i * (obj.elem_size or 1), len(obj.dims))
        v = self.eval(node)
        if isinstance(v, Ptr):
            return v
        tmp = Obj("(expression)", None, None, None, {0: v})
        return Ptr(tmp, 0, 0)

    # -- statements -------------------------------------------------------------------------------
    def _s_variable_declaration(self, node: Node) -> None:
        tnode = node.child_by_field_name("type")
        ftype = f_type(self.text(tnode)) if tnode is not None else "real4"
        elem = F_SIZES.get(ftype, 8 if ftype.startswith("MPI_") else None)
        dim_attr: list[Node] = []
        for a in node.children_by_field_name("attribute"):
            if self.text(a).lower().startswith("dimension"):
                al = a.named_children[0] if a.named_children else None
                dim_attr = list(al.named_children) if al is not None else []
        for d in node.children_by_field_name("declarator"):
            init = None
            if d.type == "init_declarator":
                init = d.child_by_field_name("right")
                d = d.child_by_field_name("left") or d
            sizes = dim_attr
            if d.type == "sized_declarator":
                size = next((c for c in d.named_children if c.type == "size"), None)
                sizes = list(size.named_children) if size is not None else []
                d = d.named_children[0]
            if d.type != "identifier":
                continue
            name = self.text(d).lower()
            existing = self.scopes[-1].get(name)
            if existing is not None:  # a dummy argument bound to the caller's variable
                existing.ctype = existing.ctype or ftype
                continue
            self.scopes[-1][name] = self._new_obj(name, ftype, elem, sizes)
            if init is not None:
                self.store(self.scopes[-1][name], 0, self.eval(init), init)

    def _new_obj(self, name: str, ftype: str, elem: int | None, sizes: list[Node]) -> Obj:
        dims: list[int] = []
        lower: list[int] = []
        for s in sizes:
            lo_hi = [c for c in s.named_children] if s.type not in ("identifier", "number_literal") else []
            lo, hi = (self.eval(lo_hi[0]), self.eval(lo_hi[-1])) if len(lo_hi) == 2 else (1, self.eval(s))
            if not consts.is_int(lo) or not consts.is_int(hi) or hi < lo - 1:
                dims = []
                break
            dims.append(hi - lo + 1)
            lower.append(lo)
        n = 1
        for x in dims:
            n *= x
        nbytes = n * elem if elem is not None and (dims or not sizes) else None
        obj = Obj(name, ftype, nbytes, elem, default=UNKNOWN, is_array=bool(sizes), dims=dims)
        obj.lower = lower
        return obj

    def _s_assignment_statement(self, node: Node) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        v = self.eval(right)
        loc = self.location(left)
        if loc is None:
            self.havoc_lvalue(left)
            return
        obj, i = loc
        if obj.is_array and left is not None and left.type == "identifier":
            self.mpi.on_access(obj, 0, obj.nbytes or 1, node, write=True)
            obj.elems.clear()
            obj.default = v if not isinstance(v, Ptr) else UNKNOWN
            return
        self.store(obj, i, v, node)

    def _s_if_statement(self, node: Node) -> None:
        kids = [c for c in node.named_children if c.type != "comment"]
        if not kids:
            return
        arms: list[tuple[Node | None, list[Node]]] = []
        cur: tuple[Node | None, list[Node]] = (kids[0], [])
        for k in kids[1:]:
            if k.type == "elseif_clause":
                arms.append(cur)
                kk = [c for c in k.named_children if c.type != "comment"]
                cur = (kk[0] if kk else None, kk[1:])
            elif k.type == "else_clause":
                arms.append(cur)
                cur = (None, list(k.named_children))
            elif k.type != "end_if_statement":
                cur[1].append(k)
        arms.append(cur)
        for i, (cond, stmts) in enumerate(arms):
            t = True if cond is None else consts.truth(self.eval(cond))
            if t is True:
                self._run(stmts)
                return
            if t is None:
                for _, rest in arms[i:]:
                    for s in rest:
                        self.undecided(s, "condition not decided")
                return

    def _s_do_loop(self, node: Node) -> None:
        kids = node.named_children
        head = kids[0] if kids and kids[0].type == "do_statement" else None
        body = [k for k in kids if k.type not in ("do_statement", "end_do_loop_statement", "comment")]
        ctl = head.named_children[0] if head is not None and head.named_children else None
        effects = self.program.has_effects(node)
        cap = me.LOOP_CAP if effects else me.PURE_LOOP_CAP
        if ctl is not None and ctl.type == "loop_control_expression":
            parts = ctl.named_children
            var = self.location(parts[0]) if parts else None
            vals = [self.eval(p) for p in parts[1:4]]
            step = vals[2] if len(vals) > 2 else 1
            if (
                var is None
                or len(vals) < 2
                or not all(consts.is_int(v) for v in (*vals[:2], step))
                or step == 0
            ):
                self.undecided(node, "loop bounds not decided")
                return
            trips = max(0, (vals[1] - vals[0] + step) // step)
            if trips > cap:
                if effects:
                    raise me.Stop("loop unrolling cap")
                self.havoc_assigned(node)
                return
            for k in range(trips):
                self.store(var[0], var[1], vals[0] + k * step, parts[0])
                if not self._iteration(body):
                    break
            self.store(var[0], var[1], vals[0] + trips * step, parts[0])
            return
        cond = ctl.named_children[0] if ctl is not None and ctl.type == "while_statement" else None
        for _ in range(cap + 1):
            if cond is not None and not self.loop_goes_on(cond, node):
                return
            if not self._iteration(body):
                return
        if effects:
            raise me.Stop("loop unrolling cap")
        self.havoc_assigned(node)

    def _iteration(self, body: list[Node]) -> bool:
        """One pass of a loop body; False after ``exit``."""
        try:
            self._run(body)
        except me._Break:
            return False
        except me._Continue:
            pass
        return True

    def _s_select_case_statement(self, node: Node) -> None:
        sel = next((c for c in node.named_children if c.type == "selector"), None)
        v = self.eval(sel.named_children[0]) if sel is not None and sel.named_children else UNKNOWN
        cases = [c for c in node.named_children if c.type == "case_statement"]
        if not consts.is_known(v):
            for c in cases:
                self.undecided(c, "select not decided")
            return
        default = None
        for c in cases:
            kids = c.named_children
            if not kids:
                continue
            if kids[0].type == "default":
                default = kids[1:]
                continue
            values = [self.eval(x) for x in kids[0].named_children]
            if not all(consts.is_known(x) for x in values):
                for cc in cases:
                    self.undecided(cc, "case not decided")
                return
            if v in values:
                self._run(kids[1:])
                return
        if default is not None:
            self._run(default)

    def _s_keyword_statement(self, node: Node) -> None:
        word = self.text(node).strip().lower()
        if word == "exit":
            raise me._Break()
        if word == "cycle":
            raise me._Continue()
        if word == "return":
            raise me._Return(None)
        if word != "continue":
            raise me.Stop(f"statement {word}")

    def _s_stop_statement(self, node: Node) -> None:
        raise me._Exit()

    def _s_subroutine_call(self, node: Node) -> None:
        fn = node.child_by_field_name("subroutine")
        name = self.text(fn) if fn is not None else ""
        al = next((c for c in node.named_children if c.type == "argument_list"), None)
        args = [a for a in (al.named_children if al is not None else []) if a.type != "comment"]
        low = name.lower()
        if low.startswith(("mpi_", "pmpi_")):
            self._mpi_call(name, node, args)
        elif low in self.program.functions:
            self._call_unit(low, node, args)
        else:
            raise me.Stop(f"call of {name}")

    def _mpi_call(self, name: str, node: Node, args: list[Node]) -> None:
        key = name.upper().replace("PMPI_", "MPI_")
        params = T.PARAMS.get(key)
        if params is None:
            self.mpi.call(name, node, args, [self.ref(a) for a in args])
            return
        bound: list[Any] = [UNKNOWN] * len(params)
        nodes: list[Node] = []
        for i, a in enumerate(args):
            pname = params[i] if i < len(params) else None
            value = a
            if a.type == "keyword_argument":
                kn, kv = a.child_by_field_name("name"), a.child_by_field_name("value")
                pname = self.text(kn).lower() if kn is not None else None
                value = kv if kv is not None else a
            if pname is None or pname not in params:
                continue
            nodes.append(value)
            bound[params.index(pname)] = self.ref(value) if by_reference(key, pname) else self.eval(value)
        self.mpi.call(name, node, nodes, bound)

    def _e_call_expression(self, node: Node) -> Any:
        kids = node.named_children
        if not kids:
            return UNKNOWN
        name = self.text(kids[0]).lower()
        obj = self.find(name)
        if obj is not None and obj.is_array:
            loc = self._element(node)
            if loc is None:
                return UNKNOWN
            self.mpi.on_access(
                loc[0], loc[1] * (loc[0].elem_size or 1), loc[0].elem_size or 1, node, write=False
            )
            return loc[0].get(loc[1])
        args = [a for a in (kids[1].named_children if len(kids) > 1 else []) if a.type != "comment"]
        if name in self.program.functions:
            return self._call_unit(name, node, args)
        vals = [self.eval(a) for a in args]
        return _intrinsic(name, vals, self)

    def _call_unit(self, name: str, node: Node, args: list[Node]) -> Any:
        unit = self.program.functions[name]
        if len(self.stack) >= me.MAX_DEPTH or any(n.id == unit.id for n in self.stack):
            raise me.Stop("call depth")
        names = [self.text(p).lower() for p in fortran_dummies(unit)]
        scope: dict[str, Obj] = {}
        for i, pname in enumerate(names):
            a = args[i] if i < len(args) else None
            obj = self.find(self.text(a).lower()) if a is not None and a.type == "identifier" else None
            if obj is None:
                v = self.eval(a) if a is not None else UNKNOWN
                obj = Obj(pname, None, None, None, {0: v})
                if isinstance(v, Ptr):
                    obj = v.obj
                elif a is not None:
                    self.havoc_lvalue(a)  # an element passed by reference may be written
            scope[pname] = obj
        saved = self.scopes
        self.scopes = [saved[0], scope]
        self.stack.append(node)
        try:
            try:
                self._body(unit)
            except me._Return:
                pass
            result = scope.get(name)
            return result.get(0) if result is not None else None
        finally:
            self.stack.pop()
            self.scopes = saved


def _intrinsic(name: str, vals: list[Any], ev: FortranRankEvaluator) -> Any:
    """The Fortran intrinsics that matter for ranks and sizes (``mod``, ``min``, ``max``, ``abs``, ``size``)."""
    ints = all(consts.is_int(v) for v in vals)
    if name == "mod" and len(vals) == 2 and ints and vals[1] != 0:
        return consts.binary("%", vals[0], vals[1])
    if name in ("min", "max") and vals and ints:
        return min(vals) if name == "min" else max(vals)
    if name in ("abs", "iabs") and len(vals) == 1 and ints:
        return abs(vals[0])
    if name == "size" and len(vals) == 1 and isinstance(vals[0], Ptr) and vals[0].obj.dims:
        n = 1
        for d in vals[0].obj.dims:
            n *= d
        return n
    if name in ("int", "nint") and len(vals) == 1 and isinstance(vals[0], (int, float)):
        return int(vals[0]) if name == "int" else round(vals[0])
    return UNKNOWN


def _omp_region(comment: str) -> str | None:
    """The construct word of an OpenMP directive that starts a region run by several threads, or None."""
    t = comment.lower().replace(" ", "")
    if not t.startswith("!$omp") or t.startswith("!$ompend"):
        return None
    for word in (
        "paralleldo",
        "parallel",
        "task",
        "sections",
        "single",
        "master",
        "masked",
        "critical",
        "do",
    ):
        if t[5:].startswith(word):
            return word
    return None
