"""What the advisor learns from file scope and quoted headers (``static`` scratch variables that need
no value after a loop, function-like macros), and the clauses of collapsed loops."""

from __future__ import annotations

import pathlib

from hpclsp.analysis import advisor
from hpclsp.analysis.advisor.headers import file_statics
from hpclsp.analysis.source import SourceFile

HEADER = """\
#ifndef DEFS_H
#define DEFS_H
#include "more.h"
#include <stdio.h>
static double t1, t2;
double shared_g;
int proto(int x);
#endif
"""
MORE = """\
static int scratch_n;
#define sq(a) ((a)*(a))
#define setre(c, a) (c.re = (a))
#define logged(a) (printf("%g", (a)), (a))
"""


def _write(tmp_path: pathlib.Path, body: str) -> SourceFile:
    (tmp_path / "inc").mkdir(exist_ok=True)
    (tmp_path / "inc" / "defs.h").write_text(HEADER)
    (tmp_path / "inc" / "more.h").write_text(MORE)
    src = tmp_path / "k.c"
    src.write_text('#include "inc/defs.h"\n' + body)
    return SourceFile.from_path(str(src))


def _by_line(source: SourceFile) -> dict[int, advisor.LoopAdvice]:
    return {a.span.start.line + 1: a for a in advisor.advise(source)}


def test_headers_are_read_transitively_relative_to_the_includer(tmp_path):
    statics = file_statics(_write(tmp_path, "static int own_s;\nint main(void) { return 0; }\n"))
    assert statics == {"t1", "t2", "scratch_n", "own_s"}  # not shared_g, not the prototype


def test_a_missing_header_adds_nothing(tmp_path):
    src = tmp_path / "k.c"
    src.write_text('#include "nowhere.h"\nstatic int own;\nint main(void) { return 0; }\n')
    assert file_statics(SourceFile.from_path(str(src))) == {"own"}


def test_a_pure_macro_of_a_header_is_no_call_of_unknown_effect(tmp_path):
    body = """\
double a[100], b[100];
void f(void) {
    for (int i = 0; i < 100; i++)
        a[i] = sq(b[i]);
}
"""
    loop = _by_line(_write(tmp_path, body))[4]
    assert loop.parallelizable and loop.suggested, loop.reason


def test_header_macros_that_assign_or_print_keep_the_loop_serial(tmp_path):
    body = """\
struct cx { double re; } c;
double a[100], b[100];
void f(void) {
    for (int i = 0; i < 100; i++)
        setre(c, b[i]);
    for (int i = 0; i < 100; i++)
        a[i] = logged(b[i]);
}
"""
    loops = _by_line(_write(tmp_path, body))
    assert not loops[5].parallelizable and "macro that assigns" in loops[5].reason
    assert not loops[7].parallelizable and "I/O" in loops[7].reason, loops[7].reason


def test_static_scratch_variable_is_private_not_lastprivate(tmp_path):
    body = """\
double a[100], b[100];
void f(void) {
    for (int i = 0; i < 100; i++) {
        t1 = 1.0 / b[i];
        a[i] = t1 * t1;
    }
}
void g(void) {
    t1 = 2.0;
    b[0] = t1;
}
"""
    loops = _by_line(_write(tmp_path, body))
    assert loops[4].private == ["t1"] and not loops[4].lastprivate, loops[4].reason


def test_static_read_before_written_elsewhere_keeps_lastprivate(tmp_path):
    body = """\
double a[100], b[100];
void f(void) {
    for (int i = 0; i < 100; i++) {
        t2 = 1.0 / b[i];
        a[i] = t2;
    }
}
double g(void) { return t2; }
"""
    loops = _by_line(_write(tmp_path, body))
    assert loops[4].lastprivate == ["t2"] and not loops[4].private


def test_external_global_or_address_taken_static_keeps_lastprivate(tmp_path):
    body = """\
double a[100], b[100];
void h(double *p);
void f(void) {
    for (int i = 0; i < 100; i++) {
        shared_g = b[i];
        a[i] = shared_g;
    }
    for (int i = 0; i < 100; i++) {
        t1 = b[i];
        a[i] = t1;
    }
    h(&t1);
}
"""
    loops = _by_line(_write(tmp_path, body))
    assert loops[5].lastprivate == ["shared_g"]
    assert loops[9].lastprivate == ["t1"]


def test_collapsed_loop_keeps_the_clauses_it_needs_on_its_own():
    text = """\
double a[64][64], b[64][64];
void f(int n, int m) {
    double t;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            t = b[i][j];
            a[i][j] = t * t;
        }
}
"""
    outer, inner = advisor.advise(SourceFile("t.c", "c", text))
    assert outer.suggested and outer.collapse == 2 and outer.private == ["t"]
    assert inner.parallelizable and not inner.suggested and inner.pragma is None
    assert inner.private == ["t"] and "collapsed" in inner.reason


def test_a_changed_header_is_read_again(tmp_path):
    source = _write(tmp_path, "int main(void) { return 0; }\n")
    assert "t1" in file_statics(source)
    header = tmp_path / "inc" / "defs.h"
    header.write_text(HEADER.replace("static double t1, t2;", "static double u1, t2;") + "\n")
    again = file_statics(SourceFile.from_path(source.path))
    assert "u1" in again and "t1" not in again
