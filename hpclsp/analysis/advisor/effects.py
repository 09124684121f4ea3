"""Side effects as dependences: early exits, I/O, calls with unknown or shared-state effects."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from hpclsp.analysis.advisor.cxx import CxxEffectsMixin
from hpclsp.analysis.advisor.headers import Macro, header_macros, macros_in
from hpclsp.analysis.advisor.model import Blocker
from hpclsp.analysis.advisor.tables import (
    C_ALLOC,
    C_HIDDEN,
    C_IO,
    C_PURE,
    C_RANDOM,
    F_IMPURE_INTRINSICS,
    F_IO_NODES,
    OMP_LOCK_SET,
    OMP_LOCK_UNSET,
)
from hpclsp.analysis.ir import Function, Loop
from hpclsp.analysis.ir.tables import F_INTRINSICS
from hpclsp.analysis.treeutil import walk

if TYPE_CHECKING:
    import tree_sitter

    Node = tree_sitter.Node


class EffectsMixin(CxxEffectsMixin):
    """What a loop body does besides reading and writing variables."""

    def escapes(self, lp: Loop) -> str | None:
        """break/return/goto/exit/stop that leave the loop early."""
        body_nodes = self._body_nodes(lp)
        for root in body_nodes:
            for n in self.effect_nodes(root):
                t = n.type
                if self.fortran:
                    if t == "keyword_statement" and self.text(n).strip().lower().startswith("exit"):
                        words = self.text(n).split()
                        if len(words) > 1 or not self._inside_inner_loop(n, lp):
                            return "exit leaves the loop early"
                    elif t in (
                        "stop_statement",
                        "return_statement",
                        "goto_statement",
                        "error_stop_statement",
                    ):
                        return f"{t.split('_')[0]} leaves the loop early"
                else:
                    if t == "break_statement" and not self._inside_inner_loop(n, lp, switch=True):
                        return "break leaves the loop early"
                    if t == "return_statement":
                        return "return leaves the loop early"
                    if t == "goto_statement":
                        return "goto may leave the loop"
                    if t == "throw_statement" and not self._inside_try(n, lp):
                        return "throw leaves the loop early"
                    if t == "call_expression":
                        fn = n.child_by_field_name("function")
                        if fn is not None and self.text(fn).replace("std::", "") in (
                            "exit",
                            "_Exit",
                            "quick_exit",
                            "abort",
                            "longjmp",
                        ):
                            return f"{self.text(fn)} leaves the loop"
        return None

    def call_blockers(self, lp: Loop) -> list[Blocker]:
        """Side effects of the body: I/O statements, calls, C++ operators on shared objects, allocation."""
        out: list[Blocker] = []
        seen: set[str] = set()
        for root in self._body_nodes(lp):
            for n in self.effect_nodes(root):
                t = n.type
                if self.fortran and t in F_IO_NODES:
                    word = t.split("_")[0]
                    if word not in seen:
                        seen.add(word)
                        out.append(Blocker(f"{word} statement: I/O", self.src.node_span(n)))
                    continue
                if not self.fortran:
                    why = self.cxx_effect(n, lp)
                    if why and why not in seen:
                        seen.add(why)
                        out.append(Blocker(why, self.src.node_span(n)))
                    if why or self.is_alloc_call(n):
                        continue
                name = self._callee(n)
                if name is None or name in seen:
                    continue
                if name in OMP_LOCK_SET or name in OMP_LOCK_UNSET:
                    if not self.locks_paired(lp):
                        seen.add(name)
                        out.append(
                            Blocker(
                                f"calls {name} without a matching lock/unlock pair in the iteration",
                                self.src.node_span(n),
                            )
                        )
                    continue
                if any(c.type == "kernel_call_syntax" for c in n.children):
                    seen.add(name)
                    out.append(
                        Blocker(
                            f"launches the CUDA kernel {name}: device work ordered by its stream",
                            self.src.node_span(n),
                        )
                    )
                    continue
                why = self.call_problem(name)
                if why is None and not self.fortran:
                    why = self.member_call_problem(n, lp)
                if why:
                    seen.add(name)
                    out.append(Blocker(why, self.src.node_span(n)))
        return out

    def locks_paired(self, lp: Loop) -> bool:
        """Whether every OpenMP lock the body sets is released later in the same block of the same
        iteration, with no second set of that lock in between: each iteration then holds and frees the
        lock itself, so the calls only serialize the statements they bracket (the data those statements
        touch is still analysed as if there were no lock)."""
        held: dict[str, int] = {}  # lock argument -> id of the block its set call sits in
        for root in self._body_nodes(lp):
            for n in self.effect_nodes(root):
                name = self._callee(n)
                if name not in OMP_LOCK_SET and name not in OMP_LOCK_UNSET:
                    continue
                lock, block = self._lock_argument(n), self._statement_block(n)
                if lock is None or block is None:
                    return False
                if name in OMP_LOCK_SET:
                    if lock in held:
                        return False
                    held[lock] = block
                elif held.pop(lock, None) != block:
                    return False
        return not held

    def _lock_argument(self, n: Node) -> str | None:
        """The lock a lock routine's call names (``&l`` and ``l`` alike), or None when it is not one name."""
        args = n.child_by_field_name("arguments")
        if args is None:
            args = next((c for c in n.named_children if c.type == "argument_list"), None)
        items = [c for c in args.named_children if c.type != "comment"] if args is not None else []
        if len(items) != 1:
            return None
        text = self.text(items[0]).replace(" ", "").lstrip("&")
        if not re.fullmatch(r"[A-Za-z_]\w*", text):
            return None
        return text.lower() if self.fortran else text

    def _statement_block(self, n: Node) -> int | None:
        """The id of the block holding the statement a call is (None when the call is inside an expression)."""
        stmt = n.parent if n.parent is not None and n.parent.type == "expression_statement" else n
        if not self.fortran and stmt is n:
            return None
        return stmt.parent.id if stmt.parent is not None else None

    def _inside_try(self, n: Node, lp: Loop) -> bool:
        """True when a throw is caught inside the loop body."""
        p = n.parent
        while p is not None and p.id != lp.node.id:
            if p.type == "compound_statement" and p.parent is not None and p.parent.type == "try_statement":
                return True
            p = p.parent
        return False

    def _callee(self, n: Node) -> str | None:
        if self.fortran:
            if n.type == "subroutine_call":
                sub = n.child_by_field_name("subroutine")
                return self.text(sub).lower() if sub is not None else None
            if n.type == "call_expression" and n.named_children:
                head = n.named_children[0]
                if head.type != "identifier":
                    return None
                nm = self.text(head).lower()
                if n.id in self.access_nodes:
                    return None  # the IR read it as an array element
                d = self.decl(nm, n.start_byte, self.func_at(n.start_byte))
                if d is not None and (d.is_array or d.is_pointer):
                    return None  # an array element, not a call
                if d is not None and not d.is_array and nm not in self._func_defs and nm not in F_INTRINSICS:
                    return None  # character substring or the like
                return nm
            return None
        if n.type == "call_expression":
            fn = n.child_by_field_name("function")
            if fn is not None and fn.type == "identifier":
                return self.text(fn)
            if fn is not None and fn.type in ("qualified_identifier", "template_function"):
                return self.text(fn).replace(" ", "").split("<")[0]
            if fn is not None and fn.type == "field_expression":
                return "." + self.text(fn).replace(" ", "")
            return "(indirect call)" if fn is not None else None
        return None

    def call_problem(self, name: str) -> str | None:
        """None when a call is known to be free of side effects on shared state, else why not."""
        if self.fortran:
            if name in F_IMPURE_INTRINSICS:
                return f"calls {name}, which has side effects"
            if name in self._func_defs:
                why = self.purity(name)
                return f"calls {name}, which {why}" if why else None
            if name in F_INTRINSICS:
                return None
            return f"calls {name}, whose side effects are unknown"
        if name.startswith("."):
            return None  # member functions: member_call_problem
        bare = name[5:] if name.startswith("std::") else name
        if bare in C_PURE:
            return None
        if name.startswith("omp_get_") or name == "omp_in_parallel":
            return None
        if bare in C_IO:
            return f"calls {name}: I/O"
        if bare in C_RANDOM:
            return f"calls {name}, which has hidden state (a random-number generator)"
        if bare in C_ALLOC:
            return f"calls {name}: allocation on a shared heap structure"
        if bare in C_HIDDEN:
            return f"calls {name}, which has hidden state"
        if name == "(indirect call)":
            return "calls through a function pointer, whose side effects are unknown"
        if name in self._func_defs:
            # effects through pointer arguments become accesses at the call site (summaries.py)
            return self.summary(name).problem
        if name in self.macros():
            return self.macro_problem(name, set())
        return f"calls {name}, whose side effects are unknown"

    def macros(self) -> dict[str, Macro]:
        """The function-like macros defined in this file or in the headers it includes with quotes:
        name -> (parameters, body); the file's own definition of a name wins."""
        found: dict[str, Macro] | None = self.__dict__.get("_macros")
        if found is None:
            found = dict(header_macros(self.src))
            found.update(macros_in(self.src.tree.root_node, self.src.language, self.src.data))
            self.__dict__["_macros"] = found
        return found

    def macro_problem(self, name: str, seen: set[str]) -> str | None:
        """None when a function-like macro only computes a value from its arguments, else why not."""
        params, body = self.macros()[name]
        if re.search(r"(?<![=!<>+\-*/%&|^])=(?!=)|\+\+|--|[+\-*/%&|^]=", body):
            return f"calls {name}, a macro that assigns (it may write its argument)"
        seen = seen | {name}
        for callee in re.findall(r"([A-Za-z_]\w*)\s*\(", body):
            if callee in params or callee in seen:
                continue
            why = self.macro_problem(callee, seen) if callee in self.macros() else self.call_problem(callee)
            if why:
                return f"calls {name}, a macro that {why}"
        return None

    def purity(self, name: str) -> str | None:
        """None when a same-file function has no side effects on shared state, else what it does."""
        if name in self._purity:
            return self._purity[name]
        self._purity[name] = None  # recursion: assume pure while analysing
        f = self._func_defs[name]
        why = self._impurity(f)
        self._purity[name] = why
        return why

    def _impurity(self, f: Function) -> str | None:
        if self.fortran:
            st = f.node.named_children[0] if f.node.named_children else None
            head = self.text(st).lower() if st is not None else ""
            if re.search(r"\b(pure|elemental)\b", head) and "impure" not in head:
                return None
            if any(n.type in F_IO_NODES for n in walk(f.node)):
                return "performs I/O"
        return self._shared_write(f) or self._impure_call(f)

    def _shared_write(self, f: Function) -> str | None:
        """What a function writes that outlives the call (globals, statics, its arguments), or None."""
        is_sub = self.fortran and f.node.type == "subroutine"
        for a in f.accesses:
            if a.kind != "W":
                continue
            d = f.decls.get(a.base)
            if d is None:
                if self.fortran and (a.base == f.name.lower()):
                    continue  # the function result
                return f"writes {a.base}"
            if d.storage in ("global", "static", "save"):
                return f"writes {a.base}"
            if d.storage == "param":
                if self.fortran:
                    if is_sub:
                        continue  # the IR records the write at the call site from the dummy's intent
                    return f"writes its argument {a.base}"
                if a.subscripts or d.is_pointer or d.is_array:
                    return "writes through its argument"
        return None

    def _impure_call(self, f: Function) -> str | None:
        """Why a function's first impure callee (other than itself) is impure, or None."""
        for callee, _node in f.calls:
            nm = callee.lower() if self.fortran else callee
            if nm == (f.name.lower() if self.fortran else f.name):
                continue
            why = self.call_problem(nm)
            if why:
                return why
        return None

    # -- scalars ----------------------------------------------------------------------------
