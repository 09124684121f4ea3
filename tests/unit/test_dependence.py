"""Dependence tests on affine subscripts."""

from __future__ import annotations

from hpclsp.analysis.ir import Affine, build_ir, dependence
from hpclsp.analysis.source import SourceFile


def _loop_and_accesses(body: str, header: str = "for (i = 0; i < n; i++)"):
    text = f"void f(int n, double *a, double *b) {{\n  int i, j;\n  {header} {{\n{body}\n  }}\n}}\n"
    ir = build_ir(SourceFile("t.c", "c", text))
    lp = ir.loops[0]
    arr = [a for a in lp.accesses if a.name == "a"]
    return lp, arr


def _dep(body: str, header: str = "for (i = 0; i < n; i++)"):
    lp, arr = _loop_and_accesses(body, header)
    w = next(a for a in arr if a.is_write)
    r = next((a for a in arr if not a.is_write), w)
    return dependence.test(w, r, lp)


def test_distance_one_forward():
    d = _dep("a[i] = a[i + 1];")
    # the write in iteration i meets the read of iteration i - 1 (the read comes first)
    assert d is not None and d.exact and d.distance == (-1,) and d.direction == (">",)


def test_same_element_is_not_carried():
    assert _dep("a[i] = a[i] * 2;") is None


def test_gcd_proves_independence():
    assert _dep("a[2 * i] = a[2 * i + 1];") is None


def test_step_skips_the_other_element():
    assert _dep("a[i] = a[i + 1];", "for (i = 0; i < n; i += 2)") is None


def test_trip_count_bounds_distance():
    assert _dep("a[i] = a[i + 10];", "for (i = 0; i < 4; i++)") is None


def test_symbolic_half_split():
    assert _dep("a[i] = a[i + n / 2];", "for (i = 0; i < n / 2; i++)") is None


def test_constant_element_every_iteration():
    d = _dep("a[0] = a[0] + b[i];")
    assert d is not None and d.distance == (None,)


def test_indirect_is_inexact():
    lp, arr = _loop_and_accesses("a[b[i]] = 1;")
    d = dependence.test(arr[0], arr[0], lp)
    assert d is not None and not d.exact


def test_affine_arithmetic():
    e = Affine.of(3, i=2) - Affine.var("i") + Affine.var("n")
    assert e.coeff("i") == 1 and e.coeff("n") == 1 and e.const == 3
    assert str(Affine.of(-1, i=1)) == "i - 1"
