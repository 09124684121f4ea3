"""The OpenMP directive parser: C/C++ pragmas, Fortran free and fixed form, clauses and spans."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from hpclsp.analysis.findings import Span
from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.openmp.scanner import parse_directives, parse_text
from hpclsp.analysis.source import SourceFile


def one(text: str, language: str = "c", fixed: bool = False) -> Directive:
    ds = parse_text(text, language, fixed)
    assert len(ds) == 1, ds
    return ds[0]


def span_text(text: str, span: Span) -> str:
    """The source text a span covers (single- or multi-line)."""
    lines = text.splitlines()
    if span.start.line == span.end.line:
        return lines[span.start.line][span.start.col : span.end.col]
    parts = [lines[span.start.line][span.start.col :]]
    parts += lines[span.start.line + 1 : span.end.line]
    parts.append(lines[span.end.line][: span.end.col])
    return "\n".join(parts)


# ------------------------------------------------------------------------------------- C / C++


def test_c_basic_combined_directive_and_clauses():
    src = "  #pragma omp parallel for reduction(+:sum) private(i, j) schedule(dynamic, 4)\n"
    d = one(src)
    assert d.name == "parallel for" and d.known and d.sentinel == "#pragma omp"
    assert span_text(src, d.name_span) == "parallel for"
    assert [c.name for c in d.clauses] == ["reduction", "private", "schedule"]
    red = d.clause("reduction")
    assert red.modifier == "+" and red.items == ["sum"]
    assert span_text(src, red.item_spans[0]) == "sum"
    assert span_text(src, red.span) == "reduction(+:sum)"
    assert span_text(src, red.args_span) == "+:sum"
    priv = d.clause("private")
    assert priv.items == ["i", "j"]
    assert [span_text(src, s) for s in priv.item_spans] == ["i", "j"]
    sched = d.clause("schedule")
    assert sched.modifier == "dynamic" and sched.value == "4" and sched.modifiers == []
    assert d.span.start.col == 2 and d.first_line == d.last_line == 0


def test_c_whitespace_after_hash_and_longest_name():
    d = one("#  pragma   omp   target teams distribute parallel for simd map(tofrom: a[0:n])")
    assert d.name == "target teams distribute parallel for simd"
    assert d.leaves == ("target", "teams", "distribute", "parallel", "for", "simd")
    m = d.clause("map")
    assert m.modifier == "tofrom" and m.items == ["a[0:n]"]


def test_c_not_a_directive():
    assert parse_text("#pragma once\n#pragma ompx foo\n#include <omp.h>\nint omp = 1;\n") == []


def test_c_continuation_lines_and_comments():
    src = (
        "#pragma omp parallel for /* block */ \\\n"
        "        private(tmp) \\\n"
        "        reduction(max: best) // trailing comment\n"
        "for (i = 0; i < n; i++) {}\n"
    )
    d = one(src)
    assert d.name == "parallel for"
    assert d.first_line == 0 and d.last_line == 2
    assert [c.name for c in d.clauses] == ["private", "reduction"]
    tmp = d.clause("private").item_spans[0]
    assert tmp.start.line == 1 and span_text(src, tmp) == "tmp"
    red = d.clause("reduction")
    assert red.modifier == "max" and red.items == ["best"]
    assert span_text(src, red.item_spans[0]) == "best"
    assert d.span.end.line == 2


def test_c_comment_swallowing_the_clauses_and_block_comment_spanning_lines():
    assert one("#pragma omp parallel // private(x)").clauses == []
    src = "#pragma omp parallel /* a\n comment */ shared(a)\nint x;\n"
    d = one(src)
    assert d.last_line == 1 and d.clause("shared").items == ["a"]


def test_c_pragma_inside_block_comment_is_ignored():
    src = "/*\n#pragma omp parallel\n*/\n#pragma omp barrier\n"
    ds = parse_text(src)
    assert [d.name for d in ds] == ["barrier"] and ds[0].first_line == 3


def test_c_modifiers():
    d = one(
        "#pragma omp parallel for linear(val(x): 2) aligned(p: 64) if(parallel: n > 100) "
        "lastprivate(conditional: z) reduction(inscan, +: s) schedule(nonmonotonic: guided, 8)"
    )
    lin = d.clause("linear")
    assert lin.items == ["x"] and lin.modifier == "val" and lin.value == "2"
    al = d.clause("aligned")
    assert al.items == ["p"] and al.value == "64"
    cond = d.clause("if")
    assert cond.modifier == "parallel" and cond.value == "n > 100"
    lp = d.clause("lastprivate")
    assert lp.modifier == "conditional" and lp.items == ["z"]
    red = d.clause("reduction")
    assert red.modifiers == ["inscan", "+"] and red.modifier == "+" and red.items == ["s"]
    s = d.clause("schedule")
    assert s.modifiers == ["nonmonotonic"] and s.modifier == "guided" and s.value == "8"


def test_c_more_clause_shapes():
    d = one(
        "#pragma omp target map(always, close, to: a[0:n], b) depend(iterator(it = 0:n), in: c[it]) "
        "defaultmap(tofrom: scalar) device(ancestor: 1) num_threads(4) default(none) proc_bind(spread)"
    )
    m = d.clause("map")
    assert m.modifiers == ["always", "close", "to"] and m.modifier == "to" and m.items == ["a[0:n]", "b"]
    dep = d.clause("depend")
    assert dep.modifier == "in" and dep.items == ["c[it]"] and dep.modifiers[0].startswith("iterator(")
    dm = d.clause("defaultmap")
    assert dm.modifier == "tofrom" and dm.value == "scalar"
    assert d.clause("device").modifier == "ancestor" and d.clause("device").value == "1"
    assert d.clause("num_threads").value == "4"
    assert d.clause("default").modifier == "none"
    assert d.clause("proc_bind").modifier == "spread"


def test_c_linear_52_syntax_and_ternary_if():
    lin = one("#pragma omp simd linear(i, j: step(2), val)").clause("linear")
    assert lin.items == ["i", "j"] and lin.value == "2" and "val" in lin.modifiers
    cond = one("#pragma omp parallel if(n > 10 ? 1 : 0)").clause("if")
    assert cond.modifier is None and cond.value == "n > 10 ? 1 : 0"


def test_c_nested_parens_and_cpp_scope():
    src = "#pragma omp parallel for reduction(+: s) firstprivate(f(a, (b)), c) map(to: ns::arr[0:(n+1)])"
    d = one(src)
    assert d.clause("firstprivate").items == ["f(a, (b))", "c"]
    m = d.clause("map")
    assert m.modifier == "to" and m.items == ["ns::arr[0:(n+1)]"]
    assert span_text(src, m.item_spans[0]) == "ns::arr[0:(n+1)]"


def test_c_directive_arguments():
    ds = parse_text(
        "#pragma omp critical(update_lock) hint(omp_sync_hint_contended)\n"
        "#pragma omp threadprivate(counter, buffer)\n"
        "#pragma omp flush(a, b)\n"
        "#pragma omp flush acq_rel\n"
        "#pragma omp allocate(work) allocator(omp_high_bw_mem_alloc)\n"
        "#pragma omp declare reduction(vmax : struct vec : omp_out = vmax(omp_out, omp_in)) "
        "initializer(omp_priv = omp_orig)\n"
    )
    crit, tp, fl, fl2, al, dr = ds
    assert crit.name == "critical" and crit.argument == "update_lock" and crit.clause("hint")
    assert tp.name == "threadprivate" and tp.argument_items == ["counter", "buffer"]
    assert fl.name == "flush" and fl.argument_items == ["a", "b"]
    assert fl2.name == "flush" and fl2.argument is None and fl2.clause("acq_rel")
    assert al.name == "allocate" and al.argument_items == ["work"] and al.clause("allocator").value
    assert dr.name == "declare reduction"
    assert dr.argument_items == ["vmax", "struct vec", "omp_out = vmax(omp_out, omp_in)"]
    assert dr.clause("initializer").args == "omp_priv = omp_orig"


def test_c_atomic_cancel_ordered():
    at = one("#pragma omp atomic compare capture seq_cst")
    assert at.name == "atomic" and at.atomic_kind == "compare capture"
    assert one("#pragma omp atomic").atomic_kind == "update"
    c = one("#pragma omp cancel for if(cancel: err)")
    assert c.name == "cancel" and c.clause("for") is not None
    cp = one("#pragma omp cancellation point parallel")
    assert cp.name == "cancellation point" and cp.clause("parallel") is not None
    o = one("#pragma omp ordered depend(sink: i - 1, j) ")
    assert o.name == "ordered" and o.clause("depend").modifier == "sink"
    assert o.clause("depend").items == ["i - 1", "j"]
    assert one("#pragma omp ordered depend(source)").clause("depend").modifier == "source"


def test_c_other_language_spelling_is_flagged():
    d = one("#pragma omp parallel do private(x)")
    assert d.name == "parallel do" and not d.known and d.spelling_hint == "parallel for"
    assert d.clause("private").items == ["x"]


def test_unknown_directive_keeps_words_and_clauses():
    d = one("#pragma omp paralel for private(x)")
    assert not d.known and d.name == "paralel for"
    assert d.clause("private").items == ["x"]
    empty = one("#pragma omp")
    assert empty.name == "" and not empty.known


def test_half_typed_directives_do_not_raise():
    d = one("#pragma omp parallel for reduc")
    assert d.name == "parallel for" and d.clauses[-1].name == "reduc"
    d = one("#pragma omp parallel for reduction(+: s")
    assert d.clause("reduction").error == "missing ')'" and d.clause("reduction").items == ["s"]
    d = one("#pragma omp parallel for private(a,,b)")
    assert d.clause("private").error == "empty list item" and d.clause("private").items == ["a", "b"]
    d = one("#pragma omp parallel ) shared(x)")
    assert d.problems and d.problems[0][0] == "unbalanced ')'"
    one("#pragma omp critical(")
    one("#pragma omp declare reduction(")
    one("#pragma omp target map(to:")


# ------------------------------------------------------------------------------------- Fortran


def test_fortran_free_form_case_insensitive_with_continuation():
    src = (
        "program p\n"
        "  !$OMP PARALLEL DO PRIVATE(i) &\n"
        "  !$omp& REDUCTION(.AND.: ok) & ! a comment\n"
        "  !$omp   schedule(Static)\n"
        "  do i = 1, n\n"
        "  end do\n"
        "  !$omp end parallel do\n"
    )
    ds = parse_text(src, "fortran")
    assert [d.name for d in ds] == ["parallel do", "end parallel do"]
    d = ds[0]
    assert d.first_line == 1 and d.last_line == 3 and d.sentinel == "!$OMP"
    red = d.clause("reduction")
    assert red.modifier == ".and." and red.items == ["ok"]
    assert span_text(src, red.item_spans[0]) == "ok" and red.item_spans[0].start.line == 2
    assert d.clause("schedule").modifier == "static"
    assert span_text(src, d.clause("private").item_spans[0]) == "i"
    assert ds[1].is_end


def test_fortran_inline_comment_ends_directive_and_conditional_compilation_is_not_a_directive():
    src = "!$omp parallel shared(a) ! private(b)\n!$ nthreads = omp_get_num_threads()\n!$omp end parallel\n"
    ds = parse_text(src, "fortran")
    assert [d.name for d in ds] == ["parallel", "end parallel"]
    assert [c.name for c in ds[0].clauses] == ["shared"]


def test_fortran_array_sections_and_blank_free_names():
    src = "!$omp target map(tofrom: a(1:n), b(:, j))\n!$omp enddo nowait\n!$omp end paralleldo\n"
    t, e, e2 = parse_text(src, "fortran")
    assert t.clause("map").items == ["a(1:n)", "b(:, j)"]
    assert span_text(src, t.clause("map").item_spans[1]) == "b(:, j)"
    assert e.name == "end do" and e.clause("nowait") is not None
    assert e2.name == "end parallel do"


def test_fortran_critical_names_and_c_spelling_flagged():
    c, ec = parse_text("!$omp critical (acc)\n!$omp end critical(acc)\n", "fortran")
    assert c.argument == "acc" and ec.name == "end critical" and ec.argument == "acc"
    d = one("!$omp parallel for", "fortran")
    assert not d.known and d.spelling_hint == "parallel do"


def test_fortran_fixed_form():
    src = (
        "      program p\n"
        "c$omp parallel do\n"
        "c$omp+ private(i)\n"
        "C$OMP& reduction(+:s)\n"
        "      do 10 i = 1, n\n"
        "   10 continue\n"
        "*$omp end parallel do\n"
        "!$omp barrier\n"
        "c     $omp not a directive\n"
    )
    ds = parse_text(src, "fortran", True)
    assert [d.name for d in ds] == ["parallel do", "end parallel do", "barrier"]
    d = ds[0]
    assert d.first_line == 1 and d.last_line == 3
    assert d.clause("private").items == ["i"] and d.clause("reduction").modifier == "+"
    assert span_text(src, d.clause("reduction").item_spans[0]) == "s"
    assert ds[1].sentinel == "*$omp"


def test_fixed_form_sentinels_not_recognised_in_free_form():
    assert parse_text("c$omp parallel\n", "fortran", False) == []
    assert [d.name for d in parse_text("!$omp parallel\n", "fortran", True)] == ["parallel"]


def test_fortran_half_typed():
    d = one("!$omp do private(", "fortran")
    assert d.name == "do" and d.clause("private").error == "missing ')'"
    one("!$omp parallel &", "fortran")
    one("!$omp", "fortran")
    one("c$omp+ private(x)\nc$omp", "fortran", True)


def test_parse_directives_uses_source_form_and_caches():
    src = SourceFile("k.f", "fortran", "c$omp parallel\nc$omp end parallel\n")
    assert src.fixed_form
    ds = parse_directives(src)
    assert [d.name for d in ds] == ["parallel", "end parallel"]
    assert parse_directives(src) is ds and src.cache["directives"] is ds


def test_non_ascii_columns_are_code_points():
    src = "#pragma omp parallel /* é */ private(x)\n"
    d = one(src)
    assert span_text(src, d.clause("private").item_spans[0]) == "x"


def test_many_directives_parse_quickly():
    chunk = "#pragma omp parallel for reduction(+:s) private(t)\nfor (i = 0; i < n; i++) s += a[i];\n" + (
        "x[i] = y[i] + 1;\n" * 48
    )
    text = chunk * 100  # 5,000 lines, 100 directives
    t0 = time.perf_counter()
    ds = parse_text(text)
    elapsed = time.perf_counter() - t0
    assert len(ds) == 100
    print(f"parse 5000 lines / 100 directives: {elapsed * 1000:.1f} ms")


# ------------------------------------------------------------------------------------- properties

_ALPHABET = st.sampled_from(
    list("#!$&()[]{}:,;+-*/\\'\"\n \t.c0C=")
    + ["pragma", "omp", "!$omp", "c$omp", "parallel", "do", "for", "private", "reduction", "end", "map"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60), st.sampled_from(["c", "cpp", "cuda", "fortran"]), st.booleans())
def test_never_raises_on_arbitrary_text(tokens, language, fixed):
    text = "".join(tokens)
    for prefix in ("#pragma omp ", "!$omp ", "c$omp", ""):
        src = SourceFile("x", language, prefix + text, fixed_form=fixed)
        for d in parse_directives(src):
            assert d.first_line <= d.last_line


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["c", "fortran"]), st.booleans())
def test_never_raises_on_arbitrary_unicode(text, language, fixed):
    parse_text("#pragma omp " + text, language, fixed)
    parse_text("!$omp " + text, language, fixed)
