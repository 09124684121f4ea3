"""Summaries of the functions of one file, so that a call of a function defined in the same file is
not "unknown" to the data flow.

A summary says what a call gives back: the return value (a C ``return`` or a Fortran function
result) and the value stored through each pointer, reference or Fortran dummy argument, each as a
``Value`` (its affine form kept only over the built-in atoms such as the thread id or the rank, which
mean the same in caller and callee) together with the communicators whose rank the function asks
for. Summaries are made on demand, callees first, once per file; a function on a recursive cycle
has none (unknown), and so has a function deeper than ``MAX_DEPTH`` nested summaries.

Only *candidates* are summarised: functions whose text names a dependence source, or calls a
candidate (a closure over the text, so no graph is built for the others). A call of any other
function keeps the answer of a call of an unknown function.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from hpclsp.analysis import cfg
from hpclsp.analysis.cfg.graph import Node
from hpclsp.analysis.source import SourceFile
from hpclsp.analysis.treeutil import fortran_dummies, function_parameters, parameter_name
from hpclsp.analysis.values.affine import NPROCS, NTHREADS, RANK, TID, UNKNOWN_VALUE, Value

#: The synthetic variable holding a C-family function's return value.
RET = "<return>"
#: Summaries nested deeper than this are not made (the call stays unknown).
MAX_DEPTH = 24
#: Atoms that mean the same in every function of a process or thread.
_BUILTIN_ATOMS = frozenset({TID, NTHREADS, RANK, NPROCS})
_CUDA_BASES = frozenset({"threadIdx", "blockIdx", "blockDim", "gridDim"})
_PARAM_DECLARATORS = frozenset({"pointer_declarator", "reference_declarator", "array_declarator"})


@dataclasses.dataclass(frozen=True)
class Summary:
    """What a call of one function gives back to its caller."""

    ret: Value
    #: (parameter index, value stored through it) for the parameters the function writes.
    outs: tuple[tuple[int, Value], ...]
    #: Communicators whose rank the function asks for: a parameter index, or the callee's own node.
    comms: tuple[int | Node, ...]

    @property
    def deps(self) -> frozenset[str]:
        """Every source the results depend on."""
        return self.ret.deps.union(*(v.deps for _, v in self.outs))

    def comm_args(self, args: list[Node]) -> list[Node]:
        """The communicators a call with arguments ``args`` asks the rank of, as the caller names them."""
        return [
            c if not isinstance(c, int) else args[c]
            for c in self.comms
            if not isinstance(c, int) or c < len(args)
        ]


def callee(call: Node, source: SourceFile) -> str | None:
    """The name a call names (``f`` in ``f(x)``, ``call f(x)``), as written."""
    fn = call.child_by_field_name("function") or call.child_by_field_name("subroutine")
    if fn is None and call.named_children:
        fn = call.named_children[0]
    if fn is None or fn.type not in ("identifier", "name"):
        return None
    return source.node_text(fn)


def call_args(call: Node) -> list[Node]:
    """The arguments of a call, in order (comments left out)."""
    al = call.child_by_field_name("arguments") or next(
        (c for c in call.named_children if c.type == "argument_list"), None
    )
    if al is None:
        return []
    return [a for a in al.named_children if a.type != "comment"]


def portable(v: Value) -> Value:
    """A callee's value as its caller sees it: the affine form only when it is over built-in atoms."""
    if v.affine is None or all(_builtin(a) for a in v.affine.vars):
        return v
    return Value(None, v.deps)


def _builtin(atom: str) -> bool:
    return atom in _BUILTIN_ATOMS or atom.split(".", 1)[0] in _CUDA_BASES


def parameters(source: SourceFile, fn: Node) -> list[tuple[str, bool]]:
    """(name, may be written through) for each parameter of a function, in order: C pointers,
    references and arrays, and every Fortran dummy argument, may be."""
    if source.language == "fortran":
        return [(source.node_text(k).lower(), True) for k in fortran_dummies(fn)]
    out: list[tuple[str, bool]] = []
    for p in function_parameters(fn):
        decl = p.child_by_field_name("declarator")
        ident = parameter_name(p)
        out_capable = decl is not None and decl.type in _PARAM_DECLARATORS
        out.append((source.node_text(ident) if ident is not None else "", out_capable))
    return out


def result_name(source: SourceFile, fn: Node) -> str | None:
    """The variable holding a Fortran function's result (its ``result`` name or its own name)."""
    head = fn.named_children[0] if fn.named_children else None
    if fn.type != "function" or head is None:
        return None
    res = next((c for c in head.named_children if c.type == "function_result"), None)
    ident = next((c for c in res.named_children if c.type == "identifier"), None) if res else None
    if ident is not None:
        return source.node_text(ident).lower()
    return cfg.build_fortran.unit_name(fn)


def summarize(source: SourceFile, fn: Node, exit_state: dict[str, Value], comms: list[Node]) -> Summary:
    """The summary of a function from its variables' values at its exit and the communicators whose
    rank it asks for."""
    fortran = source.language == "fortran"
    result = result_name(source, fn) if fortran else RET
    ret = portable(exit_state[result]) if result is not None and result in exit_state else UNKNOWN_VALUE
    params = parameters(source, fn)
    outs = []
    for i, (name, writable) in enumerate(params):
        v = exit_state.get(name)
        if (
            writable
            and v is not None
            and (v.deps or (v.affine is not None and v.affine.vars & _BUILTIN_ATOMS))
        ):
            outs.append((i, portable(v)))
    index = {name: i for i, (name, _) in enumerate(params)}
    mapped: list[int | Node] = []
    for c in comms:
        text = source.node_text(c)
        at = index.get(text.lower() if fortran else text) if c.type in ("identifier", "name") else None
        mapped.append(at if at is not None else c)
    return Summary(ret, tuple(outs), tuple(mapped))


def _calls_of(names: set[str]) -> re.Pattern[str]:
    """A pattern finding calls (``name(``) of the given names, any case."""
    return re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\s*\(", re.I)


class FileSummaries:
    """The summaries of one file's functions, made on first use (``solve`` summarises one definition)."""

    def __init__(
        self, source: SourceFile, keywords: tuple[str, ...], solve: Callable[[Node], Summary | None]
    ) -> None:
        self.source = source
        self.keywords = keywords
        self.fortran = source.language == "fortran"
        self.definitions = cfg.definitions(source)
        self._solve = solve
        self._done: dict[str, Summary | None] = {}
        self._stack: list[str] = []
        self._cyclic: set[str] = set()
        self._candidates: frozenset[str] | None = None
        self._callers: frozenset[str] | None = None

    def key(self, name: str) -> str:
        """A function name as the definitions are keyed (Fortran: lower case)."""
        return name.lower() if self.fortran else name

    @property
    def candidates(self) -> frozenset[str]:
        """Functions whose text names one of the keywords (lower case), or calls such a function."""
        if self._candidates is None:
            self._find_candidates()
        assert self._candidates is not None
        return self._candidates

    @property
    def callers(self) -> frozenset[str]:
        """The candidates whose text calls another candidate."""
        if self._callers is None:
            self._find_candidates()
        assert self._callers is not None
        return self._callers

    def _find_candidates(self) -> None:
        texts = {n: self.source.node_text(f) for n, f in self.definitions.items()}
        found = {n for n, t in texts.items() if any(k in t.lower() for k in self.keywords)}
        new = set(found)
        for _ in range(MAX_DEPTH):  # deeper callers would not get a summary anyway
            if not new:
                break
            words = _calls_of(new)
            new = {n for n, t in texts.items() if n not in found and words.search(t)}
            found |= new
        self._candidates = frozenset(found)
        words = _calls_of(found)
        self._callers = frozenset(
            n for n in found if any(self.key(m.group(1)) != n for m in words.finditer(texts[n]))
        )

    @contextmanager
    def solving(self, name: str) -> Iterator[None]:
        """Mark a function as being solved (a call back to it is a recursive cycle)."""
        if self._stack and self._stack[-1] == name:
            yield
            return
        self._stack.append(name)
        try:
            yield
        finally:
            self._stack.pop()

    def get(self, name: str) -> Summary | None:
        """The summary of the function called ``name`` (None: not a candidate, recursive or too deep)."""
        name = self.key(name)
        if name in self._done:
            return self._done[name]
        if name in self._stack:
            self._cyclic.update(self._stack[self._stack.index(name) :])
            return None
        fn = self.definitions.get(name)
        if fn is None or name not in self.candidates or len(self._stack) >= MAX_DEPTH:
            return None
        with self.solving(name):
            got = self._solve(fn)
        if name in self._cyclic:
            got = None
        self._done[name] = got
        return got
