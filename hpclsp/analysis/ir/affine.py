"""Affine and polynomial forms of integer expressions (loop bounds and array subscripts)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Affine:
    """``const + sum(coeffs[v] * v)``; variables are loop indices or opaque symbols."""

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
class Poly:
    """A polynomial subscript such as ``i*m + j`` (what ``Affine`` cannot hold).

    ``terms`` maps monomials (sorted tuples of variable names; ``()`` is the constant) to integer
    coefficients. Used by ``dependence.test`` to delinearize row-major subscripts."""

    terms: tuple[tuple[tuple[str, ...], int], ...] = ()

    @staticmethod
    def _make(d: dict[tuple[str, ...], int]) -> Poly:
        return Poly(tuple(sorted((k, v) for k, v in d.items() if v != 0)))

    @staticmethod
    def of_affine(a: Affine) -> Poly:
        """The polynomial of an affine expression."""
        d: dict[tuple[str, ...], int] = {(k,): v for k, v in a.coeffs}
        d[()] = a.const
        return Poly._make(d)

    @property
    def as_dict(self) -> dict[tuple[str, ...], int]:
        """The terms as a dict."""
        return dict(self.terms)

    def __add__(self, other: Poly) -> Poly:
        d = self.as_dict
        for k, v in other.terms:
            d[k] = d.get(k, 0) + v
        return Poly._make(d)

    def __sub__(self, other: Poly) -> Poly:
        return self + other.scale(-1)

    def scale(self, k: int) -> Poly:
        """Multiply by an integer."""
        return Poly._make({m: c * k for m, c in self.terms})

    def __mul__(self, other: Poly) -> Poly:
        d: dict[tuple[str, ...], int] = {}
        for m1, c1 in self.terms:
            for m2, c2 in other.terms:
                m = tuple(sorted(m1 + m2))
                d[m] = d.get(m, 0) + c1 * c2
        return Poly._make(d)

    @property
    def degree(self) -> int:
        """The largest monomial degree."""
        return max((len(m) for m, _ in self.terms), default=0)
