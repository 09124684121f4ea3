"""Affine forms ``c0 + c1*a1 + ... + cn*an`` over atoms, and the abstract value of one variable.

An atom is a quantity the analysis does not know but can name: a variable's value at function
entry (``i``) or at a join point such as a loop head (``i@12``, node 12), the OpenMP thread id
(``TID``), the MPI rank (``RANK``), a CUDA built-in (``threadIdx.x``). ``Value`` pairs the affine form (None when the value is not affine) with the
set of sources the value depends on (data or control dependence).
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
    """A constant plus integer multiples of atoms (``terms`` sorted, no zero coefficients)."""

    const: int = 0
    terms: tuple[tuple[str, int], ...] = ()

    @staticmethod
    def of(atom: str, coef: int = 1) -> Affine:
        """The form ``coef * atom``."""
        return Affine(0, ((atom, coef),)) if coef else Affine()

    @property
    def atoms(self) -> frozenset[str]:
        """The atoms with a non-zero coefficient."""
        return frozenset(a for a, _ in self.terms)

    @property
    def is_constant(self) -> bool:
        """True when no atom occurs."""
        return not self.terms

    def coef(self, atom: str) -> int:
        """The coefficient of ``atom`` (0 when absent)."""
        return dict(self.terms).get(atom, 0)

    def __add__(self, other: Affine) -> Affine:
        acc = dict(self.terms)
        for a, c in other.terms:
            acc[a] = acc.get(a, 0) + c
        return Affine(self.const + other.const, tuple(sorted((a, c) for a, c in acc.items() if c)))

    def scale(self, k: int) -> Affine:
        """``k`` times the form."""
        if k == 0:
            return Affine()
        return Affine(self.const * k, tuple((a, c * k) for a, c in self.terms))

    def __neg__(self) -> Affine:
        return self.scale(-1)

    def __sub__(self, other: Affine) -> Affine:
        return self + (-other)

    def __str__(self) -> str:
        parts = [f"{c}*{a}" if c != 1 else a for a, c in self.terms]
        if self.const or not parts:
            parts.append(str(self.const))
        return " + ".join(parts)


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
            affine = Affine.of(atom)
        return Value(affine, self.deps | other.deps)

    def with_deps(self, deps: frozenset[str]) -> Value:
        """The same value, also depending on ``deps``."""
        return self if deps <= self.deps else Value(self.affine, self.deps | deps)


UNKNOWN_VALUE = Value(None)
