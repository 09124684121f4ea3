"""Calls as accesses: what a same-file C function reads and writes through its pointer arguments.

A call to a function whose body is visible need not block a loop. When the callee writes only
through its pointer or array parameters (and reads globals and parameters), each call site is
turned into accesses of the actual arguments: ``binvcrhs(lhs[i][j][k], ..., rhs[i][j][k])`` reads
and writes ``rhs[i][j][k][*]``, which the dependence test then compares with every other access
of the loop like any subscripted access. Anything the summary cannot map back to an argument
(a global written, I/O, a pointer parameter re-seated, a write through a local pointer, an
argument that is not an lvalue) keeps the call a blocker, with the reason saying which.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from hpclsp.analysis.advisor.base import AdvisorBase
from hpclsp.analysis.advisor.tables import C_CONDITIONAL_NODES
from hpclsp.analysis.ir import Access, Function, Loop
from hpclsp.analysis.treeutil import c_parameter_names

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


@dataclasses.dataclass
class Summary:
    """The effects of one function on memory its caller can see."""

    #: None when the effects map back to the arguments; else why the call must stay a blocker.
    problem: str | None = None
    #: Parameter positions written (through the pointer / array) and read.
    writes: set[int] = dataclasses.field(default_factory=set)
    reads: set[int] = dataclasses.field(default_factory=set)
    #: Parameter positions written on every call (outside any branch or loop of the callee); other
    #: writes may not happen, so the caller's old value may survive: a read as well.
    must_writes: set[int] = dataclasses.field(default_factory=set)
    #: Globals the function reads (a loop writing one of them conflicts with every call).
    global_reads: set[str] = dataclasses.field(default_factory=set)


class CallSummaryMixin(AdvisorBase):
    """Per-function summaries and the accesses a call site stands for."""

    def call_problem(self, name: str) -> str | None:
        """None when a call has no side effects on shared state, else why (effects.py)."""
        raise NotImplementedError

    def summary(self, name: str) -> Summary:
        """The summary of a same-file C function (cached; recursion is a problem)."""
        cache: dict[str, Summary] = self.__dict__.setdefault("_summaries", {})
        if name in cache:
            return cache[name]
        cache[name] = Summary(problem=f"calls {name} recursively")
        s = self._summarize(self._func_defs[name])
        cache[name] = s
        return s

    def _summarize(self, f: Function) -> Summary:
        params = c_parameter_names(f.node)
        pos = {p: k for k, p in enumerate(params) if p}
        s = Summary()
        for a in f.accesses:
            d = f.decls.get(a.base)
            if d is None or d.storage in ("global", "static"):
                if a.kind == "W":
                    return Summary(problem=f"calls {f.name}, which writes {a.base}")
                if d is None or d.is_array or d.is_pointer or a.subscripts:
                    s.global_reads.add(a.base)
                continue
            if d.storage != "param":
                if a.kind == "W" and a.subscripts and d.is_pointer:
                    return Summary(problem=f"calls {f.name}, which writes through the pointer {a.base}")
                continue
            if not (d.is_pointer or d.is_array):
                continue  # a scalar passed by value is the callee's own copy
            if not a.subscripts:
                if a.kind == "W":
                    return Summary(problem=f"calls {f.name}, which moves its pointer argument {a.base}")
                if a.in_call is None:
                    return Summary(problem=f"calls {f.name}, which copies its pointer argument {a.base}")
                continue  # passed on to a callee: accounted for below
            (s.writes if a.kind == "W" else s.reads).add(pos.get(a.base, -1))
            if a.kind == "W" and self._always(a.node, f.node):
                s.must_writes.add(pos.get(a.base, -1))
        if -1 in s.writes or -1 in s.reads:
            return Summary(problem=f"calls {f.name}, whose parameters could not be matched")
        for callee, node in f.calls:
            why = self._nested_call(f, callee, node, pos, s)
            if why:
                return Summary(problem=why)
        return s

    def _always(self, node: Node, top: Node) -> bool:
        """True when node runs on every call of the function whose node is top."""
        kinds = C_CONDITIONAL_NODES
        p = node.parent
        while p is not None and p.id != top.id:
            if p.type in kinds or (
                p.type in ("binary_expression",)
                and p.child_by_field_name("operator") is not None
                and self.text(p.child_by_field_name("operator") or p) in ("&&", "||")
            ):
                return False
            p = p.parent
        return True

    def _nested_call(
        self, f: Function, callee: str, node: Node, pos: dict[str, int], s: Summary
    ) -> str | None:
        """Fold a call inside f into f's summary; the reason it cannot be, else None."""
        if callee == f.name:
            return f"calls {f.name}, which is recursive"
        if callee not in self._func_defs:
            why = self.call_problem(callee)
            return f"calls {f.name}, which {why}" if why else None
        sub = self.summary(callee)
        if sub.problem:
            return sub.problem
        s.global_reads |= sub.global_reads
        args = node.child_by_field_name("arguments")
        actual = args.named_children if args is not None else []
        for k in sub.writes | sub.reads:
            if k >= len(actual):
                return f"calls {callee} with too few arguments"
            txt = self.text(actual[k]).strip()
            d = f.decls.get(txt)
            if d is not None and d.storage == "param" and txt in pos:
                if k in sub.writes:
                    s.writes.add(pos[txt])
                if k in sub.reads:
                    s.reads.add(pos[txt])
            elif d is not None and d.storage == "local" and d.is_array and not d.is_pointer:
                continue  # the callee works on f's own local array
            else:
                return f"calls {f.name}, which passes `{txt}` to {callee}, which writes through it"
        return None

    def mappable(self, name: str) -> bool:
        """True when calls to name can be replaced by accesses of their arguments."""
        return not self.fortran and name in self._func_defs and self.summary(name).problem is None

    def call_site_accesses(self, lp: Loop, accs: list[Access]) -> tuple[list[Access], str | None]:
        """accs with each mappable call's argument accesses replaced by what the callee does with them.

        Returns the new list and, when a call cannot be mapped, the reason.
        """
        replaced: set[int] = set()
        extra: list[Access] = []
        written = {a.base for a in accs if a.kind == "W"}
        for root in self._body_nodes(lp):
            for n in self.effect_nodes(root):
                if n.type != "call_expression":
                    continue
                fn = n.child_by_field_name("function")
                if fn is None or fn.type != "identifier" or not self.mappable(self.text(fn)):
                    continue
                name = self.text(fn)
                clash = sorted(self.summary(name).global_reads & written)
                if clash:
                    return accs, f"calls {name}, which reads `{clash[0]}`, written in the loop"
                why = self._map_call(n, name, accs, replaced, extra)
                if why:
                    return accs, why
        if not replaced and not extra:
            return accs, None
        out = [a for a in accs if id(a) not in replaced] + extra
        out.sort(key=lambda a: a.order)
        return out, None

    def _map_call(
        self, call: Node, name: str, accs: list[Access], replaced: set[int], extra: list[Access]
    ) -> str | None:
        """Add the accesses one call stands for; the reason when an argument cannot be mapped."""
        s = self.summary(name)
        args = call.child_by_field_name("arguments")
        actual = args.named_children if args is not None else []
        for k, arg in enumerate(actual):
            if k not in s.writes and k not in s.reads:
                # by value, or a pointer the callee never dereferences: a `&x` is not written
                for a in self._arg_accesses(arg, accs):
                    if a.kind == "W" and a.in_call == name:
                        replaced.add(id(a))
                        extra.append(dataclasses.replace(a, kind="R"))
                continue
            why = self._map_arg(arg, k, name, s, accs, replaced, extra)
            if why:
                return why
        return None

    def _map_arg(
        self,
        arg: Node,
        k: int,
        name: str,
        s: Summary,
        accs: list[Access],
        replaced: set[int],
        extra: list[Access],
    ) -> str | None:
        """The accesses of one pointer argument the callee reads or writes through."""
        root, addr = arg, False
        while root.type in ("pointer_expression", "parenthesized_expression"):
            if root.type == "pointer_expression":
                if not self.text(root).lstrip().startswith("&"):
                    break
                addr = True
            inner = root.child_by_field_name("argument") or (
                root.named_children[0] if root.named_children else None
            )
            if inner is None:
                break
            root = inner
        top = next((a for a in accs if a.node.id == root.id), None)
        if top is None or root.type not in ("subscript_expression", "identifier"):
            return f"calls {name}, which writes through `{self.text(arg)}`"
        subs = list(top.subscripts)
        if addr and subs:
            subs[-1] = None  # &a[i][0]: the callee may index on from there
        if not addr:
            rank = max([len(a.subscripts) for a in accs if a.base == top.base] + [len(subs) + 1])
            subs += [None] * (rank - len(subs))
        replaced.add(id(top))
        if k in s.reads or (k in s.writes and k not in s.must_writes):
            extra.append(dataclasses.replace(top, kind="R", subscripts=subs, in_call=name, update_op=None))
        if k in s.writes:
            extra.append(dataclasses.replace(top, kind="W", subscripts=subs, in_call=name, update_op=None))
        return None

    @staticmethod
    def _arg_accesses(arg: Node, accs: list[Access]) -> list[Access]:
        return [a for a in accs if arg.start_byte <= a.node.start_byte < arg.end_byte]
