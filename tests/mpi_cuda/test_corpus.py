"""The labelled MPI and CUDA corpus: every program's mpi-*/cuda-* findings equal its `expect:` labels.

Programs live in ``tests/fixtures/mpi`` (C and Fortran) and ``tests/fixtures/cuda``; a correct
program has no labels and must produce no finding of either family.
"""

from __future__ import annotations

import os

import pytest

from hpclsp.analysis import engine, languages
from hpclsp.analysis.context import Options
from hpclsp.analysis.source import SourceFile

from ..conftest import FIXTURES
from ..rules.test_rule_fixtures import expected_pairs

FAMILIES = ("mpi-", "cuda-")


def corpus(kind: str) -> list[str]:
    """Every program of one corpus directory."""
    d = os.path.join(FIXTURES, kind)
    return sorted(os.path.join(d, f) for f in os.listdir(d) if languages.language_for_path(f))


def family_findings(path: str) -> set[tuple[int, str]]:
    """(1-based line, code) of every mpi-/cuda- finding the engine reports for a file."""
    res = engine.analyze(SourceFile.from_path(path), Options(budget=30.0))
    assert not res.errors, res.errors
    return {(f.span.start.line + 1, f.code) for f in res.findings if f.code.startswith(FAMILIES)}


def test_corpus_sizes():
    mpi = corpus("mpi")
    assert len(mpi) >= 60
    assert sum(p.endswith(".c") for p in mpi) >= 20 and sum(p.endswith(".f90") for p in mpi) >= 20
    assert len(corpus("cuda")) >= 40
    for kind in ("mpi", "cuda"):
        labelled = [p for p in corpus(kind) if expected_pairs(p)]
        assert 0 < len(labelled) < len(corpus(kind)), "the corpus must mix correct and buggy programs"


@pytest.mark.parametrize("path", corpus("mpi") + corpus("cuda"), ids=os.path.basename)
def test_corpus_labels(path: str):
    expected = {(ln, c) for ln, c in expected_pairs(path) if c.startswith(FAMILIES)}
    got = family_findings(path)
    assert got == expected, f"missing {sorted(expected - got)}, unexpected {sorted(got - expected)}"
