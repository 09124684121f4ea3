"""The directive cache (``openmp.recall``): a recalled one-line directive equals a fresh parse at its
line, and a caller changing its directive does not change the next one."""

from __future__ import annotations

from hpclsp.analysis.openmp import recall, scanner
from hpclsp.analysis.openmp.scanner import parse_text

C = """#pragma omp parallel for reduction(+:s) schedule(static) private(t)
for (i = 0; i < n; i++) s += a[i];
#pragma omp parallel for reduction(+:s) schedule(static) private(t)
#pragma omp parallel for reduction(+:s) \\
    schedule(static) private(t)
  #pragma omp parallel for reduction(+:s) schedule(static) private(t)
"""

F = """!$omp parallel do private(t) reduction(+:s) linear(val(k):2)
!$omp end parallel do
   !$omp parallel do private(t) reduction(+:s) linear(val(k):2)
!$omp parallel do private(t) &
!$omp& reduction(+:s) linear(val(k):2)
!$omp parallel do private(t) reduction(+:s) linear(val(k):2)
"""


def _parse(key, line, parse, *args):
    return parse(*args)[0]


def _fresh(text: str, language: str) -> list:
    saved = scanner.recalled
    scanner.recalled = _parse  # type: ignore[assignment]
    try:
        return parse_text(text, language)
    finally:
        scanner.recalled = saved


def test_recalled_directives_equal_fresh_parses() -> None:
    for text, language in ((C, "c"), (F, "fortran")):
        recall._CACHE.clear()
        first, again = parse_text(text, language), parse_text(text, language)
        assert first == again == _fresh(text, language)
        assert [d.first_line for d in first] == [d.first_line for d in _fresh(text, language)]


def test_a_changed_directive_does_not_change_the_next() -> None:
    recall._CACHE.clear()
    (d1, _, _, d4) = parse_text(C, "c")
    d1.clauses[0].items.append("x")
    d1.clauses.clear()
    d4.name = "changed"
    assert parse_text(C, "c") == _fresh(C, "c")
