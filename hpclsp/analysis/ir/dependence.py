"""Dependence tests on the IR's affine subscripts (GCD test, exact distances, Banerjee-style bounds).

API (shared by the race checker and the parallelization advisor)::

    from hpclsp.analysis.ir import dependence
    dep = dependence.test(a1, a2, loop)               # Dependence | None
    dep = dependence.test(a1, a2, loop, loops=[outer, inner])   # collapse(2): iterations are pairs
    dep = dependence.test(a1, a2, loop, variant={"k"}, defs={"j": Affine.of(1, i=2)})

``test`` answers: can ``a1`` in one iteration of ``loop`` (or of the collapsed ``loops``) and
``a2`` in a *different* iteration touch the same memory location? ``None`` means proven
independent across iterations (the same iteration may still touch it). Indices of loops nested
inside ``loop`` vary freely and independently for each access; symbols (``n``, outer indices)
are equal for both. ``variant`` names scalars that change between iterations (their appearance
makes a subscript unanalysable); ``defs`` substitutes private scalars defined from the indices.

``Dependence`` carries ``distance`` (per parallel index, in index units; None when not
constant), ``direction`` ("<" when ``a2``'s iteration comes after ``a1``'s, ">" before, "*"
any), ``exact`` (False when a subscript could not be analysed: the answer is "maybe"),
``indirect`` (an unanalysable subscript was an array lookup such as ``a[idx[i]]``), and
``explanation`` (one human sentence).

Subscripts that are polynomial rather than affine (row-major ``a[i*m + j]``, ``Access.polys``) are
delinearized first: ``S*A + R`` with ``R`` provably inside a window of width ``S`` (from the
bounds of the inner loops, ``0 <= j < m``) becomes the two affine dimensions ``A`` and ``R``.
A polynomial whose products involve only symbols (``C[i*n + j]`` inside a ``k`` loop) becomes an
affine expression of opaque symbols.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import TYPE_CHECKING

from hpclsp.analysis.ir.affine import Affine, Poly
from hpclsp.analysis.ir.model import Access, Loop

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclasses.dataclass
class Dependence:
    """A possible cross-iteration dependence between two accesses."""

    a1: Access
    a2: Access
    distance: tuple[int | None, ...]
    direction: tuple[str, ...]
    exact: bool
    indirect: bool = False
    explanation: str = ""

    @property
    def carried_distance(self) -> int | None:
        """Distance along the first parallel index (None when unknown). Under ``collapse`` a distance of
        0 there only says that the two iterations share it and differ in another index: None too."""
        d = self.distance[0] if self.distance else None
        return None if d == 0 and len(self.distance) > 1 else d


def _inner_indices(loop: Loop) -> set[str]:
    got = loop.__dict__.get("_inner_indices")
    if got is None:
        got = loop.__dict__["_inner_indices"] = _collect_inner_indices(loop)
    return set(got)


def _collect_inner_indices(loop: Loop) -> set[str]:
    out: set[str] = set()
    stack = list(loop.children)
    while stack:
        lp = stack.pop()
        if lp.index:
            out.add(lp.index)
        stack.extend(lp.children)
    return out


def _loop_by_index(loop: Loop) -> dict[str, Loop]:
    got = loop.__dict__.get("_loop_by_index")
    if got is None:
        got = loop.__dict__["_loop_by_index"] = _collect_loop_by_index(loop)
    return got


def _collect_loop_by_index(loop: Loop) -> dict[str, Loop]:
    out: dict[str, Loop] = {}
    stack = [loop]
    while stack:
        lp = stack.pop()
        if lp.index and lp.index not in out:
            out[lp.index] = lp
        stack.extend(lp.children)
    return out


def _range(lp: Loop | None) -> tuple[int, int] | None:
    """Constant [lo, hi] of a loop index, when both bounds are constants."""
    if lp is None or lp.lower is None or lp.upper is None or not lp.lower.is_const or not lp.upper.is_const:
        return None
    a, b = lp.lower.const, lp.upper.const
    return (min(a, b), max(a, b))


def size(a1: Access, a2: Access, loop: Loop, loops: Iterable[Loop] | None = None) -> int:
    """The work ``test`` does on a pair, in units: subscript dimensions times the indices of the loop
    nest it ranges over (the parallel loops and the loops nested inside them); at least 1."""
    par = [lp for lp in (list(loops) if loops else [loop]) if lp.index]
    inner = _inner_indices(loop) - {lp.index for lp in par}
    return max(1, max(len(a1.subscripts), len(a2.subscripts)) * (len(par) + len(inner)))


def test(
    a1: Access,
    a2: Access,
    loop: Loop,
    *,
    loops: Iterable[Loop] | None = None,
    variant: set[str] | frozenset[str] = frozenset(),
    defs: dict[str, Affine] | None = None,
) -> Dependence | None:
    """Whether a1 and a2 may touch the same location in two different iterations of the parallel loop(s)."""
    if a1.name != a2.name:
        return None
    par = [lp for lp in (list(loops) if loops else [loop]) if lp.index]
    pidx = [lp.index for lp in par if lp.index]
    if not pidx:
        return Dependence(a1, a2, (None,), ("*",), False, explanation="the loop has no analysable index")
    s1, s2 = a1.subscripts, a2.subscripts
    if not s1 and not s2:
        return _unknown(a1, a2, len(pidx), True, f"`{a1.name}` is the same location in every iteration")
    if len(s1) != len(s2):
        return _unknown(a1, a2, len(pidx), False, "the accesses have different shapes")
    inner = _inner_indices(loop) - set(pidx)
    by_index = _loop_by_index(loop)
    s1, s2 = _expand(a1, a2, set(pidx), inner, by_index)
    system = _System(par, pidx, inner, by_index)
    for e1, e2 in zip(s1, s2):
        if system.independent(e1, e2, variant, defs or {}):
            return None
    fixed, mixed = system.fixed, system.mixed
    if system.steps_exclude():
        return None
    if all(fixed.get(p) == 0 for p in pidx) and not mixed:
        return None  # only the same iteration touches the same element
    dist = tuple(fixed.get(p) for p in pidx)
    dirs = tuple(("<" if d > 0 else ">" if d < 0 else "=") if d is not None else "*" for d in dist)
    if mixed and len(pidx) == 1 and fixed.get(pidx[0]) == 0:
        return None
    exact = system.exact
    pairs = [(e1, e2) for e1, e2 in zip(s1, s2) if e1 is not None and e2 is not None]
    if exact and _clipped(pairs, pidx, inner, by_index):
        exact = False  # the inner ranges that would meet are cut per iteration by min/max bounds
    expl = _explain(a1, a2, pidx, dist, exact)
    return Dependence(
        a1, a2, dist, dirs, exact, indirect=(a1.indirect or a2.indirect) and not exact, explanation=expl
    )


@dataclasses.dataclass
class _System:
    """The constraints that the subscript dimensions of two accesses put on the parallel indices: fixed
    distances, and dimensions that tie parallel and inner indices together (``mixed``)."""

    par: list[Loop]
    pidx: list[str]
    inner: set[str]
    by_index: dict[str, Loop]
    fixed: dict[str, int] = dataclasses.field(default_factory=dict)
    mixed: list[tuple[Affine, Affine]] = dataclasses.field(default_factory=list)
    #: False once a dimension could not be analysed (the answer is then "maybe")
    exact: bool = True

    def independent(
        self,
        e1: Affine | None,
        e2: Affine | None,
        variant: set[str] | frozenset[str],
        defs: dict[str, Affine],
    ) -> bool:
        """Add one dimension ``e1`` vs ``e2``; True when it alone proves the accesses independent."""
        if e1 is None or e2 is None:
            self.exact = False
            return False
        for name, val in defs.items():
            e1, e2 = e1.substitute(name, val), e2.substitute(name, val)
        if (e1.vars | e2.vars) & set(variant):
            self.exact = False
            return False
        tiled = _tile_disjoint(e1, e2, self.pidx, self.inner, self.by_index)
        if tiled is not None:
            if len(self.pidx) == 1:
                return True
            # collapsed loops: this dimension only says that the two iterations share ``tiled``
            if self.fixed.get(tiled, 0) != 0:
                return True
            self.fixed[tiled] = 0
            return False
        diff = e1.without(set(self.pidx) | self.inner) - e2.without(set(self.pidx) | self.inner)
        if not diff.is_const:  # symbols must cancel; diff.const is c1 - c2
            # symbolic offset: independent when it is at least the trip count (a[i] vs a[i + n] for i < n)
            if _symbolic_offset_disjoint(e1, e2, diff, self.par):
                return True
            self.exact = False
            return False
        return self.linear(e1, e2, -diff.const)

    def linear(self, e1: Affine, e2: Affine, c: int) -> bool:
        """``e1(p) + c1 = e2(p') + c2`` with ``c = c2 - c1``: True when it has no solution across iterations."""
        pidx, inner = self.pidx, self.inner
        coeffs = [e1.coeff(p) for p in pidx] + [-e2.coeff(p) for p in pidx]
        coeffs += [e1.coeff(q) for q in inner] + [-e2.coeff(q) for q in inner]
        g = 0
        for k in coeffs:
            g = math.gcd(g, abs(k))
        if g == 0:
            return c != 0  # different constant elements: never the same location
        if c % g != 0:
            return True  # GCD test: no integer solution
        has_inner = any(e1.coeff(q) or e2.coeff(q) for q in inner)
        same_coeffs = all(e1.coeff(p) == e2.coeff(p) for p in pidx)
        used = [p for p in pidx if e1.coeff(p) or e2.coeff(p)]
        if not used:
            return False  # this dimension does not involve the parallel indices: no constraint on them
        if not has_inner and same_coeffs and len(used) == 1:
            p = used[0]
            alpha = e1.coeff(p)
            # alpha * p + c1 = alpha * p' + c2  ->  p' - p = (c1 - c2) / alpha = -c / alpha
            if (-c) % alpha != 0:
                return True
            d = -c // alpha
            if p in self.fixed and self.fixed[p] != d:
                return True
            self.fixed[p] = d
            return False
        if not has_inner and _no_cross_solution(e1, e2, self.par):
            return True
        if has_inner and not _inner_can_reach(e1, e2, pidx, inner, self.by_index):
            return True
        self.mixed.append((e1, e2))
        return False

    def steps_exclude(self) -> bool:
        """A fixed distance that no two iterations have (not a multiple of the step, or beyond the trip count)."""
        for lp in self.par:
            if lp.index is not None and lp.index in self.fixed:
                d = self.fixed[lp.index]
                if lp.step and d % lp.step != 0:
                    return True
                rng = _range(lp)
                if rng is not None and abs(d) > rng[1] - rng[0]:
                    return True
        return False


def _unknown(a1: Access, a2: Access, n: int, exact: bool, why: str) -> Dependence:
    """A dependence of unknown distance and direction along ``n`` parallel indices."""
    return Dependence(a1, a2, (None,) * n, ("*",) * n, exact, explanation=why)


def _clipped(
    mixed: list[tuple[Affine, Affine]], pidx: list[str], inner: set[str], by_index: dict[str, Loop]
) -> bool:
    """An inner index of the colliding dimensions whose bounds are a ``min``/``max`` involving a parallel
    index (generated tile code): its values differ per iteration, so the collision is not established."""
    for e1, e2 in mixed:
        for q in (e1.vars | e2.vars) & inner:
            lp = by_index.get(q)
            if lp is None or (lp.lower is not None and lp.upper is not None):
                continue
            if lp.lower is not None and any((c - lp.lower).is_const for c in lp.upper_caps):
                continue  # a tile of known width: ``_tile_disjoint`` decided it, and wider tiles overlap
            header = (lp.node.text or b"")[: max(0, lp.body_start - lp.node.start_byte)].decode(
                "utf-8", "replace"
            )
            if not ("?" in header or re.search(r"\b(?:min|max|merge)\s*\(", header, re.I)):
                continue
            if any(re.search(rf"\b{re.escape(p)}\b", header) for p in pidx):
                return True
    return False


def _poly_of(acc: Access, k: int) -> Poly | None:
    e = acc.subscripts[k]
    if e is not None:
        return Poly.of_affine(e)
    return acc.polys[k] if k < len(acc.polys) else None


def _expand(
    a1: Access, a2: Access, pidx: set[str], inner: set[str], by_index: dict[str, Loop]
) -> tuple[list[Affine | None], list[Affine | None]]:
    """The subscripts of both accesses with polynomial dimensions turned into affine ones where possible."""
    s1, s2 = list(a1.subscripts), list(a2.subscripts)
    if len(s1) != len(s2):
        return s1, s2
    # inner loops with polynomial bounds (k from b*bs to (b+1)*bs - 1): k = lower + t, t in [0, upper - lower]
    shifted: dict[str, tuple[Poly, Affine]] = {}
    for q in inner:
        lp = by_index.get(q)
        if lp is None or lp.lower is not None or lp.lower_poly is None or lp.upper_poly is None:
            continue
        if lp.step != 1:
            continue
        span = _split(lp.upper_poly - lp.lower_poly, pidx | inner)
        if span is None or span[0] or (span[1].vars & (pidx | inner)):
            continue
        shifted[q] = (lp.lower_poly, span[1])
    if all(e is not None for e in s1 + s2) and not any(
        e.vars & set(shifted) for e in s1 + s2 if e is not None
    ):
        return s1, s2
    o1: list[Affine | None] = []
    o2: list[Affine | None] = []
    for k, (e1, e2) in enumerate(zip(s1, s2)):
        uses_shift = any(e is not None and e.vars & set(shifted) for e in (e1, e2))
        if e1 is not None and e2 is not None and not uses_shift:
            o1.append(e1)
            o2.append(e2)
            continue
        p1, p2 = _poly_of(a1, k), _poly_of(a2, k)
        extra: dict[str, tuple[Affine, Affine]] = {}
        if uses_shift and p1 is not None and p2 is not None:
            p1, p2 = _shift(p1, shifted, extra), _shift(p2, shifted, extra)
        dims = (
            _delinearize(p1, p2, pidx, inner | set(extra), by_index, extra)
            if p1 is not None and p2 is not None
            else None
        )
        if dims is None:
            o1.append(e1)
            o2.append(e2)
        else:
            for d1, d2 in dims:
                o1.append(d1)
                o2.append(d2)
    return o1, o2


def _shift(
    p: Poly, shifted: dict[str, tuple[Poly, Affine]], extra: dict[str, tuple[Affine, Affine]]
) -> Poly | None:
    """Replace each shifted inner index q by ``lower(q) + q~`` (q~ ranging over [0, upper - lower])."""
    d = p.as_dict
    out = Poly()
    for mono, c in d.items():
        qs = [v for v in mono if v in shifted]
        if not qs:
            out = out + Poly(((mono, c),))
            continue
        if len(mono) != 1:
            return None
        q = qs[0]
        low, span = shifted[q]
        t = q + "~"
        extra[t] = (Affine(), span)
        out = out + low.scale(c) + Poly((((t,), c),))
    return out


def _split(p: Poly, xs: set[str]) -> tuple[dict[str, Affine], Affine] | None:
    """(scaled parts {S: A}, rest R) with ``p = sum(S * A_S) + R``; None for products of two indices."""
    scaled: dict[str, Affine] = {}
    rest = Affine()
    for mono, c in p.terms:
        if not mono:
            rest = rest + Affine(const=c)
            continue
        ix = [v for v in mono if v in xs]
        sy = [v for v in mono if v not in xs]
        if len(ix) > 1:
            return None
        if ix and len(sy) == 1:
            scaled[sy[0]] = scaled.get(sy[0], Affine()) + Affine.var(ix[0], c)
        elif ix:
            rest = rest + Affine.var(ix[0], c)
        else:
            rest = rest + Affine.var("*".join(sy), c)  # a product of symbols is one opaque symbol
    return scaled, rest


def _delinearize(
    p1: Poly,
    p2: Poly,
    pidx: set[str],
    inner: set[str],
    by_index: dict[str, Loop],
    extra: dict[str, tuple[Affine, Affine]] | None = None,
) -> list[tuple[Affine, Affine]] | None:
    """Affine dimensions equivalent to ``p1 == p2`` (see the module docstring), or None."""
    xs = pidx | inner
    sp1, sp2 = _split(p1, xs), _split(p2, xs)
    if sp1 is None or sp2 is None:
        return None
    (sc1, r1), (sc2, r2) = sp1, sp2
    if not sc1 and not sc2:
        return [(r1, r2)]
    syms = set(sc1) | set(sc2)
    if len(syms) != 1:
        return None
    sym = syms.pop()
    if sym not in sc1 or sym not in sc2:
        return None
    # the lone symbol S in the rest belongs to the scaled part: (i - 1)*m = i*m - m
    k1, k2 = r1.coeff(sym), r2.coeff(sym)
    a1 = sc1[sym] + Affine(const=k1)
    a2 = sc2[sym] + Affine(const=k2)
    r1, r2 = r1.without({sym}), r2.without({sym})
    if (r1.vars | r2.vars) & pidx:
        return None
    rng1, rng2 = _window(r1, inner, by_index, extra), _window(r2, inner, by_index, extra)
    if rng1 is None or rng2 is None:
        return None
    width = Affine.var(sym) - Affine(const=1)
    for hi, lo in ((rng2[1], rng1[0]), (rng1[1], rng2[0])):
        slack = width - (hi - lo)
        if not slack.is_const or slack.const < 0:
            return None
    return [(a1, a2), (r1, r2)]


def _window(
    r: Affine,
    inner: set[str],
    by_index: dict[str, Loop],
    extra: dict[str, tuple[Affine, Affine]] | None = None,
) -> tuple[Affine, Affine] | None:
    """[min, max] of an affine expression over the bounds of the inner loops it uses."""
    lo = hi = r.without(inner)
    for q in r.vars & inner:
        if extra and q in extra:
            b1, b2 = extra[q]
            c = r.coeff(q)
            lo = lo + (b1.scale(c) if c > 0 else b2.scale(c))
            hi = hi + (b2.scale(c) if c > 0 else b1.scale(c))
            continue
        lp = by_index.get(q)
        if lp is None or lp.lower is None or lp.upper is None or lp.step is None:
            return None
        if (lp.lower.vars | lp.upper.vars) & (inner | set(by_index)):
            return None
        b1, b2 = (lp.lower, lp.upper) if lp.step > 0 else (lp.upper, lp.lower)
        c = r.coeff(q)
        lo = lo + (b1.scale(c) if c > 0 else b2.scale(c))
        hi = hi + (b2.scale(c) if c > 0 else b1.scale(c))
    return lo, hi


def _tile_disjoint(
    e1: Affine, e2: Affine, pidx: list[str], inner: set[str], by_index: dict[str, Loop]
) -> str | None:
    """The parallel index ``p`` for which a dimension is indexed by an inner loop walking one tile per
    value of ``p`` (None if there is none): the two accesses meet in this dimension only when ``p``
    is the same in both iterations.

    ``for (q = a*p + b; q <= min(a*p + b + w, ...); q++)`` inside the parallel loop over ``p``: the
    values of ``q`` for two different ``p`` lie in disjoint windows when ``w < |a|``. With
    ``k*q + r1`` against ``k*q + r2`` (``r1 - r2 = d`` constant) they never meet when
    ``|k|*w + |d| < |k*a|``. Under ``collapse`` the other parallel indices may differ too, so
    neither the rest of the subscript nor the tile's start may use them.
    """
    par = set(pidx)
    for q in (e1.vars | e2.vars) & inner:
        k = e1.coeff(q)
        if not k or e2.coeff(q) != k:
            continue
        rest1, rest2 = e1.without({q}), e2.without({q})
        d = rest1 - rest2
        if not d.is_const or (rest1.vars | rest2.vars) & (inner | par):
            continue
        lp = by_index.get(q)
        if lp is None or lp.lower is None or lp.step != 1:
            continue
        starts = [p for p in pidx if lp.lower.coeff(p)]
        if len(starts) != 1 or lp.lower.vars & (inner - par):
            continue
        p = starts[0]
        a = lp.lower.coeff(p)
        caps = (lp.upper, *lp.upper_caps) if lp.upper is not None else lp.upper_caps
        for cap in caps:
            w = cap - lp.lower
            if w.is_const and 0 <= w.const and abs(k) * w.const + abs(d.const) < abs(k * a):
                return p
    return None


def _symbolic_offset_disjoint(e1: Affine, e2: Affine, diff: Affine, par: list[Loop]) -> bool:
    """a[i] vs a[i + m] with the loop running fewer than m iterations: never the same element."""
    if len(par) != 1:
        return False
    lp = par[0]
    p = lp.index or ""
    if e1.coeff(p) != e2.coeff(p) or abs(e1.coeff(p)) != 1:
        return False
    trip = lp.trip_count
    if trip is None:
        return False
    for off in (diff, -diff):
        rest = off - trip
        if rest.is_const and rest.const >= 0:
            return True
    return False


def _no_cross_solution(e1: Affine, e2: Affine, par: list[Loop]) -> bool:
    """Brute-force check over small constant ranges that no two different iterations collide."""
    ranges = [_range(lp) for lp in par]
    if any(r is None for r in ranges) or len(par) != 1:
        return False
    lo, hi = ranges[0]  # type: ignore[misc]
    if hi - lo > 4096:
        return False
    p = par[0].index or ""
    a1, c1 = e1.coeff(p), e1.const
    a2, c2 = e2.coeff(p), e2.const
    if e1.vars - {p} or e2.vars - {p}:
        return False
    vals2: dict[int, list[int]] = {}
    step = abs(par[0].step or 1)
    start = par[0].lower.const if par[0].lower is not None and par[0].lower.is_const else lo
    its = [x for x in range(lo, hi + 1) if (x - start) % step == 0]
    for x in its:
        vals2.setdefault(a2 * x + c2, []).append(x)
    for x in its:
        for y in vals2.get(a1 * x + c1, []):
            if y != x:
                return False
    return True


def _inner_can_reach(
    e1: Affine, e2: Affine, pidx: list[str], inner: set[str], by_index: dict[str, Loop]
) -> bool:
    """Banerjee-style bound: can the inner-index terms make up the difference for some p != p'?"""
    if len(pidx) != 1:
        return True
    p = pidx[0]
    if e1.coeff(p) != e2.coeff(p) or e1.coeff(p) == 0:
        return True
    alpha = abs(e1.coeff(p))
    # |alpha * (p - p')| >= alpha when p != p'; inner terms span a bounded range when bounds are constant
    span = 0
    for q in inner:
        for e in (e1, e2):
            k = e.coeff(q)
            if not k:
                continue
            rng = _range(by_index.get(q))
            if rng is None:
                return True
            span += abs(k) * (rng[1] - rng[0])
    base = abs(e1.const - e2.const)
    return span + base >= alpha


def _explain(a1: Access, a2: Access, pidx: list[str], dist: tuple[int | None, ...], exact: bool) -> str:
    d = dist[0] if dist else None
    p = pidx[0] if pidx else "i"
    t1, t2 = a1.text or a1.name, a2.text or a2.name
    if d is None:
        if not exact:
            return f"`{t1}` and `{t2}` may refer to the same element in different iterations"
        return f"`{t1}` and `{t2}` refer to the same element in different iterations of `{p}`"
    if d > 0:
        return f"`{t1}` in iteration {p} and `{t2}` in iteration {p}+{d} refer to the same element"
    return f"`{t1}` in iteration {p} and `{t2}` in iteration {p}{d} refer to the same element"
