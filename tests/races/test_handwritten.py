"""The held-out, hand-written race corpus (``tests/fixtures/races_handwritten``).

Each program was written individually and labelled from the OpenMP semantics before the checker
was run on it. Files where the checker is right are asserted (verdict and, for racy files, every
labelled line pair); the files it still gets wrong are listed in ``KNOWN_MISSES`` and run as strict
xfails, so a fix turns them into an XPASS failure and the list has to shrink with it.
"""

from __future__ import annotations

import os

import pytest

from bench.races import HANDWRITTEN, corpus_files, matches, race_findings, read_label

FILES = corpus_files(None, HANDWRITTEN)

#: relative path -> why the checker is still wrong on it
KNOWN_MISSES: dict[str, str] = {
    "c/prefix_sum_blocked.c": (
        "false positive: each thread scans its own block [t*chunk, min(t*chunk+chunk, n)); the checker "
        "does not relate loop bounds computed from omp_get_thread_num() to disjoint ranges"
    ),
}


def _id(p: str) -> str:
    return os.path.relpath(p, HANDWRITTEN)


def test_corpus_size_and_balance():
    for lang, minimum in (("c", 50), ("fortran", 35)):
        files = corpus_files(lang, HANDWRITTEN)
        assert len(files) >= minimum, f"{lang}: only {len(files)} files"
        racy = sum(1 for p in files if read_label(p)[0])
        assert 0.35 * len(files) <= racy <= 0.65 * len(files), f"{lang}: {racy} racy of {len(files)}"


def test_known_misses_exist():
    names = {_id(p) for p in FILES}
    assert set(KNOWN_MISSES) <= names


def _check(path: str) -> None:
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
        assert set(f.data or {}) >= {"variable", "accesses", "confidence"}


PARAMS = [
    pytest.param(
        p,
        id=_id(p),
        marks=[pytest.mark.xfail(reason=KNOWN_MISSES[_id(p)], strict=True)] if _id(p) in KNOWN_MISSES else [],
    )
    for p in FILES
]


@pytest.mark.parametrize("path", PARAMS)
def test_verdict(path: str):
    _check(path)
