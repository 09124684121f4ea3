"""The vetting's incremental reparse: the tree of the text with the suggestions inserted is the tree a
fresh parse gives, and the vetting falls back to a fresh parse where the two could count differently;
and the throwaway IR of the text route is freed without the cyclic garbage collector."""

from __future__ import annotations

import gc

from hpclsp.analysis import languages
from hpclsp.analysis.advisor import advise, vetting
from hpclsp.analysis.advisor.pragma import all_suggestion_edits
from hpclsp.analysis.findings import apply_edits
from hpclsp.analysis.source import SourceFile, encode

C = """#include <math.h>
double a[100000], b[100000];
void f(int n) {
    for (int i = 0; i < n; i++)
        a[i] = sqrt(b[i] * 2.0 + 1.0);
    for (int i = 1; i < n; i++) { a[i] = a[i - 1] + b[i]; }
}
"""

F = """module m
  implicit none
contains
  subroutine s(n, a, b)
    integer, intent(in) :: n
    double precision, intent(inout) :: a(n), b(n)
    integer :: i, j
    do j = 1, n
      do i = 1, n
        b(i) = b(i) + a(j)
      end do
    end do
  end subroutine s
end module m
"""


def _shape(tree) -> list[tuple]:
    out, stack = [], [tree.root_node]
    while stack:
        n = stack.pop()
        out.append((n.type, n.start_byte, n.end_byte, n.start_point, n.end_point, n.is_missing))
        stack.extend(reversed(n.children))
    return out


def _check(path: str, language: str, text: str) -> None:
    src = SourceFile(path, language, text)
    edits = all_suggestion_edits(src, advise(src, vet_races=False))
    assert edits, "the sample must get a suggestion"
    new = apply_edits(text, edits)
    tree = vetting._reparsed(src, edits, new)
    assert tree is not None
    assert _shape(tree) == _shape(languages.parse(language, encode(new)))


def test_incremental_reparse_equals_a_fresh_parse_in_c() -> None:
    _check("t.c", "c", C)


def test_incremental_reparse_equals_a_fresh_parse_in_fortran() -> None:
    _check("t.f90", "fortran", F)


def test_other_line_breaks_and_non_ascii_text_parse_afresh() -> None:
    for text in (C.replace("\n", "\r\n"), C.replace("math", "mäth")):
        src = SourceFile("t.c", "c", text)
        edits = all_suggestion_edits(src, advise(src, vet_races=False))
        assert edits
        assert vetting._reparsed(src, edits, apply_edits(text, edits)) is None


def _vetting_garbage(monkeypatch, release: bool) -> int:
    """Objects the cyclic collector finds after vetting the Fortran sample on the text route (the one
    that builds a throwaway IR)."""
    from hpclsp.analysis.ir.model import FileIR

    monkeypatch.setattr(vetting.inplace, "races", lambda *args: None)
    if not release:
        monkeypatch.setattr(FileIR, "break_cycles", lambda self: None)
    src = SourceFile("t.f90", "fortran", F)
    advice = advise(src, vet_races=False)
    gc.collect()
    gc.disable()
    try:
        vetting.vet(src, advice)
        return gc.collect()
    finally:
        gc.enable()


def test_the_vetting_ir_is_freed_without_the_garbage_collector(monkeypatch) -> None:
    kept = _vetting_garbage(monkeypatch, release=True)
    assert kept * 5 < _vetting_garbage(monkeypatch, release=False)
