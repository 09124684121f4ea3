"""Quick fixes of the omp-directive/omp-clause rules: applying one removes its finding and adds none."""

from __future__ import annotations

import glob
import os

import pytest

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.findings import apply_edits
from hpclsp.analysis.source import SourceFile

from ..conftest import FIXTURES

RULES = (
    "omp-directive-unknown",
    "omp-clause-not-allowed",
    "omp-clause-conflict",
    "omp-clause-duplicate",
    "omp-clause-malformed",
    "omp-directive-unmatched-end",
)
OPTS = Options(select=("omp-directive", "omp-clause"), budget=30.0)


def _bad_files() -> list[str]:
    out: list[str] = []
    for rid in RULES:
        out += sorted(glob.glob(os.path.join(FIXTURES, "rules", rid, "bad*")))
    return out


def _findings(path: str, text: str):
    src = SourceFile(path, SourceFile.from_path(path).language, text)
    return engine.analyze(src, OPTS).findings


@pytest.mark.parametrize("path", _bad_files(), ids=lambda p: os.path.relpath(p, FIXTURES))
def test_each_fix_rechecks_cleanly(path: str):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    before = _findings(path, text)
    for f in before:
        for fix in f.fixes:
            fixed = apply_edits(text, fix.edits)
            after = _findings(path, fixed)
            assert len(after) < len(before), (f.message, fix.title)
            old = {(x.code, x.message) for x in before}
            new = [x for x in after if (x.code, x.message) not in old]
            assert not new, (fix.title, [(x.code, x.message) for x in new])


def test_fixes_are_offered_where_safe():
    text = (
        "void f(int n, double *a) {\n"
        "#pragma omp paralel for nowait privat(n)\n"
        "    for (int i = 0; i < n; i++) a[i] = 0.0;\n"
        "}\n"
    )
    src = SourceFile("t.c", "c", text)
    got = {f.code: f for f in engine.analyze(src, OPTS).findings}
    assert got["omp-directive-unknown"].fixes
    fixed = apply_edits(text, got["omp-directive-unknown"].fixes[0].edits)
    assert "#pragma omp parallel for nowait privat(n)" in fixed
    after = engine.analyze(SourceFile("t.c", "c", fixed), OPTS).findings
    titles = sorted(fx.title for f in after for fx in f.fixes)
    assert titles == ["Remove 'nowait'", "Rename to 'private'"]
    fixed = apply_edits(fixed, [e for f in after for e in f.fixes[0].edits])
    assert "#pragma omp parallel for private(n)\n" in fixed
    assert engine.analyze(SourceFile("t.c", "c", fixed), OPTS).findings == []
