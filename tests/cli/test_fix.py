"""``hpclsp check --fix`` / ``--diff``: preferred fixes applied only when they re-check cleanly."""

from __future__ import annotations

import json

from hpclsp import fixes
from hpclsp.analysis.findings import Edit, Finding, Fix, Span
from hpclsp.analysis.source import SourceFile

from .test_check import hpclsp
from .test_check_workflow import RACY_C


def test_fix_writes_the_preferred_fixes_and_the_file_rechecks_clean(tmp_path):
    src = tmp_path / "race.c"
    src.write_text(RACY_C)
    r = hpclsp("check", "--fix", "--no-hints", str(src))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "applied 2 fix(es)" in r.stderr
    text = src.read_text()
    assert "#pragma omp parallel for reduction(+:sum)" in text
    assert "#pragma omp parallel for private(t)" in text
    assert len(text.splitlines()) == len(RACY_C.splitlines())
    r = hpclsp("check", "--format", "json", "--no-hints", str(src))
    assert r.returncode == 0 and json.loads(r.stdout) == []


def test_diff_prints_the_fixes_and_leaves_the_file(tmp_path):
    src = tmp_path / "race.c"
    src.write_text(RACY_C)
    r = hpclsp("check", "--diff", "--no-hints", "race.c", cwd=str(tmp_path))
    assert r.returncode == 1
    assert r.stdout.startswith("--- a/race.c\n+++ b/race.c\n")
    assert "+#pragma omp parallel for reduction(+:sum)" in r.stdout
    assert "-#pragma omp parallel for\n" in r.stdout
    assert src.read_text() == RACY_C
    clean = tmp_path / "clean.c"
    clean.write_text("int f(void) { return 1; }\n")
    r = hpclsp("check", "--diff", "clean.c", cwd=str(tmp_path))
    assert r.returncode == 0 and r.stdout == ""
    assert hpclsp("check", "--fix", "--diff", "clean.c", cwd=str(tmp_path)).returncode == 2


def test_fix_respects_suppressions(tmp_path):
    src = tmp_path / "race.c"
    text = RACY_C.replace("sum += x[i] * y[i];", "sum += x[i] * y[i]; // hpclsp: ignore[omp-race]")
    src.write_text(text)
    hpclsp("check", "--fix", "--no-hints", str(src))
    fixed = src.read_text()
    assert "reduction(+:sum)" not in fixed and "private(t)" in fixed


def _finding(code: str, line: int, new_text: str) -> Finding:
    span = Span.of(line, 0, line, 1)
    return Finding(
        code, f"problem on line {line + 1}", span, fixes=[Fix("fix", (Edit(span, new_text),), True)]
    )


def test_a_fix_that_adds_a_finding_is_rejected():
    """A stand-in analysis: 'X' is a problem, 'Y' fixes it, 'Z' fixes it but creates another problem."""

    def analyze(src: SourceFile) -> list[Finding]:
        out = []
        for n, line in enumerate(src.text.splitlines()):
            if line.startswith("X"):
                out.append(_finding("demo-x", n, "Z" if n == 0 else "Y"))
            if line.startswith("Z"):
                out.append(Finding("demo-z", "created by a bad fix", Span.of(n, 0, n, 1)))
        return out

    src = SourceFile("t.c", "c", "X0\nX1\nok\n")
    outcome = fixes.fix_source(src, analyze)
    assert outcome.text == "X0\nY1\nok\n"
    assert [f.span.start.line for f in outcome.applied] == [1]
    assert [f.span.start.line for f in outcome.rejected] == [0]
    assert [f.code for f in outcome.remaining] == ["demo-x"]


def test_rechecks_cleanly_ignores_shifted_line_numbers():
    a = Finding("c-1", "conflict with line 10", Span.of(3, 0, 3, 1))
    b = Finding("c-2", "other", Span.of(5, 0, 5, 1))
    moved = Finding("c-1", "conflict with line 12", Span.of(5, 0, 5, 1))
    assert fixes.rechecks_cleanly([a, b], b, [moved])
    assert not fixes.rechecks_cleanly([a, b], b, [moved, b])
    assert not fixes.rechecks_cleanly([a], a, [a])
