"""IR and dependence additions made for the held-out corpus: polynomial subscripts, index guards,
``omp_get_thread_num()`` in subscripts, struct-array fields, static initializers."""

from __future__ import annotations

from hpclsp.analysis.ir import THREAD_NUM_SYMBOL, Affine, Poly, build_ir, dependence, index_guard
from hpclsp.analysis.source import SourceFile


def _ir(text: str, lang: str = "c"):
    return build_ir(SourceFile("t.c" if lang == "c" else "t.f90", lang, text))


def _pair(text: str, name: str = "a"):
    ir = _ir(text)
    lp = ir.loops[0]
    acc = [a for a in lp.accesses if a.name == name]
    w = next(a for a in acc if a.is_write)
    r = next((a for a in acc if not a.is_write), w)
    return lp, w, r


ROWS = "void f(int n, int m, double *a) {{\n  for (int i = 1; i < n; i++)\n    for (int j = 0; j < m; j++)\n      {body}\n}}\n"


def test_poly_arithmetic():
    p = Poly.of_affine(Affine.of(2, i=1)) * Poly.of_affine(Affine.var("m"))
    assert p.as_dict == {("i", "m"): 1, ("m",): 2}
    assert (p - p).terms == ()
    assert p.degree == 2


def test_rowmajor_subscript_has_a_poly():
    _, w, _ = _pair(ROWS.format(body="a[i * m + j] = 2.0 * a[i * m + j];"))
    assert w.subscripts == [None]
    assert w.polys[0] is not None and w.polys[0].as_dict == {("i", "m"): 1, ("j",): 1}


def test_delinearized_same_row_is_independent():
    lp, w, r = _pair(ROWS.format(body="a[i * m + j] = 2.0 * a[i * m + j];"))
    assert dependence.test(w, r, lp) is None
    assert dependence.test(w, w, lp) is None


def test_delinearized_previous_row_is_carried():
    lp, w, r = _pair(ROWS.format(body="a[i * m + j] = a[(i - 1) * m + j];"))
    d = dependence.test(w, r, lp)
    assert d is not None and d.exact and d.distance == (1,)  # read by the next iteration


def test_window_wider_than_a_row_is_not_proven():
    lp, w, r = _pair(ROWS.format(body="a[i * m + j] = a[i * m + j + 1];").replace("j < m", "j <= m"))
    d = dependence.test(w, r, lp)
    assert d is not None and not d.exact


def test_symbol_products_are_opaque_symbols():
    text = "void f(int n, double *c) {\n  int i = 3, j = 4;\n  for (int k = 0; k < n; k++)\n    c[i * n + j] += k;\n}\n"
    lp, w, r = _pair(text, "c")
    d = dependence.test(w, w, lp)
    assert d is not None and d.exact


def test_index_guard():
    text = "void f(int n, double *v, double *h) {\n  for (int i = 0; i < n; i++) {\n    if (i == 0) h[0] = v[i];\n    else h[1] = v[i];\n  }\n}\n"
    ir = _ir(text)
    hs = [a for a in ir.accesses if a.name == "h"]
    assert index_guard(hs[0], "i") == 0
    assert index_guard(hs[1], "i") is None
    ftext = "subroutine s(n, v, w)\n  integer :: n, i\n  real :: v(n), w\n  do i = 1, n\n    if (i .eq. 1) w = v(i)\n  end do\nend subroutine s\n"
    fir = _ir(ftext, "fortran")
    assert index_guard(next(a for a in fir.accesses if a.name == "w"), "i") == 1


def test_thread_num_call_in_subscript_is_affine():
    text = "void f(double *s) {\n#pragma omp parallel\n  s[omp_get_thread_num()] = 1.0;\n}\n"
    ir = _ir(text)
    a = next(a for a in ir.accesses if a.name == "s")
    assert a.subscripts == [Affine.var(THREAD_NUM_SYMBOL)] and not a.indirect
    assert THREAD_NUM_SYMBOL in ir.functions[0].thread_ids


def test_struct_array_field_keeps_its_subscript():
    text = "typedef struct { double x; } P;\nvoid f(int n, P *p) {\n  for (int k = 0; k < n; k++) p[k].x += 1.0;\n}\n"
    a = next(a for a in _ir(text).accesses if a.base == "p" and a.is_write)
    assert a.subscripts == [Affine.var("k")]


def test_static_local_initializer_is_not_a_write():
    text = "void f(void) {\n  static int calls = 0;\n  int here = 1;\n  calls += here;\n}\n"
    ir = _ir(text)
    writes = [a.name for a in ir.accesses if a.is_write]
    assert "here" in writes and writes.count("calls") == 1


def test_block_bounds_with_symbolic_size_are_disjoint():
    text = (
        "void f(int nb, int bs, float *v) {\n  for (int b = 0; b < nb; b++)\n"
        "    for (int k = b * bs; k < (b + 1) * bs; k++)\n      v[k] *= 2.0f;\n}\n"
    )
    ir = _ir(text)
    inner = ir.loops[1]
    assert inner.lower is None and inner.lower_poly is not None and inner.upper_poly is not None
    w = next(a for a in ir.accesses if a.name == "v" and a.is_write)
    assert dependence.test(w, w, ir.loops[0]) is None
    shifted = text.replace("v[k] *= 2.0f;", "v[k + bs] = v[k];")
    ir2 = _ir(shifted)
    w2 = next(a for a in ir2.accesses if a.name == "v" and a.is_write)
    r2 = next(a for a in ir2.accesses if a.name == "v" and not a.is_write)
    assert dependence.test(w2, r2, ir2.loops[0]) is not None  # block b writes into block b + 1


def test_cpp_default_parameter_is_declared_a_parameter():
    """``int b = 0`` declares ``b`` like ``int b``; a default value (``g``) is no access of the body."""
    text = "int g;\nvoid f(double *a, int b = 0, int *p = &g) { a[b] = 1; }\n"
    f = build_ir(SourceFile("t.cpp", "cpp", text)).functions[0]
    assert {n: (d.storage, d.is_pointer) for n, d in f.decls.items()} == {
        "a": ("param", True),
        "b": ("param", False),
        "p": ("param", True),
    }
    assert sorted(a.name for a in f.accesses) == ["a", "b"]


REFERENCE_RETURNING = """double data[100];
double &slot(int k)
{
    data[0] += k;
    return data[k];
}
void fill(void)
{
#pragma omp parallel for
    for (int i = 1; i < 100; i++)
        slot(i) = 1.0;
}
"""


def test_a_function_returning_a_reference_is_named_and_its_race_found():
    """``double &slot(int k)`` is ``slot`` (it was ``?``): the race analysis follows the call into it
    and finds every iteration updating ``data[0]``."""
    from hpclsp.analysis import engine

    src = SourceFile("t.cpp", "cpp", REFERENCE_RETURNING)
    assert [f.name for f in build_ir(src).functions] == ["slot", "fill"]
    found = [
        (f.code, f.span.start.line + 1)
        for f in engine.analyze(SourceFile("t.cpp", "cpp", REFERENCE_RETURNING)).findings
    ]
    assert ("omp-race-loop-carried", 4) in found
