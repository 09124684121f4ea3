"""Polynomial forms of integer subscripts (``Poly``); affine forms are ``values.affine.Affine``."""

from __future__ import annotations

import dataclasses

from hpclsp.analysis.values.affine import Affine


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
