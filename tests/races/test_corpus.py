"""The labelled race corpus: per-file verdicts and the reported line pair must match the labels."""

from __future__ import annotations

import os

import pytest

from bench.races import corpus_files, matches, race_findings, read_label
from hpclsp.analysis import engine
from hpclsp.analysis.findings import apply_edits
from hpclsp.analysis.source import SourceFile

FILES = corpus_files()


def test_corpus_size_and_balance():
    for lang, minimum in (("c", 150), ("fortran", 100)):
        files = corpus_files(lang)
        assert len(files) >= minimum, f"{lang}: only {len(files)} files"
        racy = sum(1 for p in files if read_label(p)[0])
        assert abs(racy - (len(files) - racy)) <= len(files) // 10, f"{lang}: {racy} racy of {len(files)}"


@pytest.mark.parametrize(
    "path", FILES, ids=[os.path.relpath(p, os.path.dirname(os.path.dirname(p))) for p in FILES]
)
def test_verdict(path: str):
    racy, kind, pairs = read_label(path)
    findings, _ = race_findings(path)
    if not racy:
        assert not findings, [(f.span.start.line + 1, f.code, f.message) for f in findings]
        return
    assert findings, f"missed race ({kind}) at {pairs}"
    for pair in pairs:
        assert any(matches(f, pair) for f in findings), (
            pair,
            [(f.span.start.line + 1, f.code) for f in findings],
        )
    for f in findings:
        assert f.code.startswith("omp-race-")
        assert f.related, "a race must point at the conflicting access"
        assert set(f.data or {}) >= {"variable", "accesses", "confidence"}


RACY = [p for p in FILES if read_label(p)[0]]


@pytest.mark.parametrize("path", RACY, ids=[os.path.basename(p) for p in RACY])
def test_fixes_recheck_clean(path: str):
    """Every quickfix removes the race it fixes and introduces no other race."""
    src = SourceFile.from_path(path)
    before = engine.analyze(src).findings
    for f in before:
        for fx in f.fixes:
            fixed = SourceFile(path, src.language, apply_edits(src.text, fx.edits))
            after = [g for g in engine.analyze(fixed).findings if g.code.startswith("omp-race")]
            same_var = [g for g in after if (g.data or {}).get("variable") == (f.data or {}).get("variable")]
            assert not same_var, (fx.title, [(g.span.start.line + 1, g.code) for g in same_var])
            assert len(after) <= len([b for b in before if b.code.startswith("omp-race")]) - 1, fx.title
