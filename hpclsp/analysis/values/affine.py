"""Affine forms ``c0 + c1*a1 + ... + cn*an`` over atoms, and the abstract value of one variable.

The one affine form of the analyses: loop bounds and subscripts in the IR (``analysis.ir``), values in
the data flow (``values.dependence``).

An atom is a quantity the analysis does not know but can name: a variable's value at function
entry (``i``) or at a join point such as a loop head (``i@12``, node 12), the OpenMP thread id
(``TID``), the MPI rank (``RANK``), a CUDA built-in (``threadIdx.x``). ``Value`` pairs the affine form (None when the value is not affine) with the
set of sources the value depends on (data or control dependence); ``join_states`` meets the
variables' values where paths join.
"""

from __future__ import annotations

import dataclasses

#: Atoms for the built-in quantities (not valid identifiers, so they never clash with variables).
TID = "<omp_thread_num>"
NTHREADS = "<omp_num_threads>"
RANK = "<mpi_rank>"
NPROCS = "<mpi_size>"


@dataclasses.dataclass(frozen=True)
class Affine:
    """``const + sum(coeffs[v] * v)`` with ``coeffs`` sorted and non-zero; the variables are atoms:
    loop indices, program variables, the built-in quantities above or opaque symbols."""

    coeffs: tuple[tuple[str, int], ...] = ()
    const: int = 0

    @staticmethod
    def of(const: int = 0, **coeffs: int) -> Affine:
        """Build from keyword coefficients (for tests)."""
        return Affine._make(dict(coeffs), const)

    @staticmethod
    def var(name: str, coeff: int = 1) -> Affine:
        """A single variable."""
        return Affine(((name, coeff),) if coeff else ())

    @staticmethod
    def _make(coeffs: dict[str, int], const: int) -> Affine:
        return Affine(tuple(sorted((k, v) for k, v in coeffs.items() if v != 0)), const)

    @property
    def terms(self) -> dict[str, int]:
        """The coefficients as a dict."""
        return dict(self.coeffs)

    def coeff(self, v: str) -> int:
        """Coefficient of variable v (0 when absent)."""
        for k, c in self.coeffs:
            if k == v:
                return c
        return 0

    @property
    def vars(self) -> set[str]:
        """Variables with a non-zero coefficient."""
        return {k for k, _ in self.coeffs}

    @property
    def is_const(self) -> bool:
        """True when no variable appears."""
        return not self.coeffs

    def __add__(self, other: Affine) -> Affine:
        if not other.coeffs:  # the terms stay sorted and non-zero: only the constant changes
            return Affine(self.coeffs, self.const + other.const)
        if not self.coeffs:
            return Affine(other.coeffs, self.const + other.const)
        d = self.terms
        for k, v in other.coeffs:
            d[k] = d.get(k, 0) + v
        return Affine._make(d, self.const + other.const)

    def __neg__(self) -> Affine:
        # negation keeps the variables, their order and their non-zero coefficients
        return Affine(tuple((k, -v) for k, v in self.coeffs), -self.const)

    def __sub__(self, other: Affine) -> Affine:
        return self + (-other)

    def scale(self, k: int) -> Affine:
        """Multiply by an integer."""
        if k == 1:
            return self
        # a non-zero factor keeps the variables, their order and their non-zero coefficients
        return Affine(tuple((v, c * k) for v, c in self.coeffs) if k else (), self.const * k)

    def without(self, names: set[str] | frozenset[str]) -> Affine:
        """Drop the given variables."""
        kept = tuple((k, v) for k, v in self.coeffs if k not in names)
        return self if len(kept) == len(self.coeffs) else Affine(kept, self.const)

    def substitute(self, name: str, value: Affine) -> Affine:
        """Replace a variable by an affine expression."""
        c = self.coeff(name)
        if not c:
            return self
        return self.without({name}) + value.scale(c)

    def __str__(self) -> str:
        parts = []
        for k, v in self.coeffs:
            parts.append(k if v == 1 else f"-{k}" if v == -1 else f"{v}*{k}")
        s = " + ".join(parts).replace("+ -", "- ")
        if self.const or not parts:
            s = f"{s} + {self.const}" if parts else str(self.const)
            s = s.replace("+ -", "- ")
        return s


@dataclasses.dataclass(frozen=True)
class Value:
    """What is known of one value: its affine form (None: not affine) and the sources it depends on."""

    affine: Affine | None
    deps: frozenset[str] = frozenset()

    def join(self, other: Value, atom: str) -> Value:
        """The value on either of two paths; two different forms meet as ``atom`` (the variable's value at
        the join)."""
        if self == other:
            return self
        if self.affine is None or other.affine is None:
            affine = None
        elif self.affine == other.affine:
            affine = self.affine
        else:
            affine = Affine.var(atom)
        return Value(affine, self.deps | other.deps)

    def with_deps(self, deps: frozenset[str]) -> Value:
        """The same value, also depending on ``deps``."""
        return self if deps <= self.deps else Value(self.affine, self.deps | deps)


UNKNOWN_VALUE = Value(None)


def join_states(states: list[dict[str, Value]], at: int) -> dict[str, Value]:
    """The states meeting at node ``at``: a variable arriving with different forms becomes the atom
    ``name@at`` (its value at that node), so that atoms of different nodes are never confused."""
    if not states:
        return {}
    first = states[0]
    if all(s is first or s == first for s in states[1:]):
        return first
    out: dict[str, Value] = {}
    for name in set().union(*states):
        vals = [st.get(name) for st in states]
        v0 = vals[0]
        if v0 is not None and all(v is v0 for v in vals):
            out[name] = v0
            continue
        entry = Value(Affine.var(name))
        acc = v0 if v0 is not None else entry
        for v in vals[1:]:
            acc = acc.join(v if v is not None else entry, f"{name}@{at}")
        out[name] = acc
    return out
