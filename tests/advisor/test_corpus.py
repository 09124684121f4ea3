"""The advisor against its annotated corpus: every loop labelled, verdicts and clauses meet the targets."""

from __future__ import annotations

import os

from tests.advisor.corpus import corpus_files, expectations, score


def test_corpus_size_and_labels():
    files = corpus_files()
    assert len(files) >= 40
    assert sum(f.endswith(".f90") for f in files) >= 12
    assert sum(len(expectations(f)) for f in files) >= 300


def test_corpus_verdicts_meet_targets():
    sc = score()
    assert not sc.unlabelled, f"loops without an expect: annotation: {sc.unlabelled[:10]}"
    report = "\n".join(sc.mismatches)
    assert sc.precision >= 0.95, report
    assert sc.recall >= 0.90, report
    assert sc.exact_share >= 0.90, report
    # precision first: a wrong "parallelizable" would insert a race; the corpus has none
    assert sc.fp == 0, report


def test_every_annotation_matches_a_loop():
    # an annotation on a line where the advisor sees no loop would silently drop out of the score
    from hpclsp.analysis import advisor
    from hpclsp.analysis.source import SourceFile

    for path in corpus_files():
        lines = {a.span.start.line for a in advisor.advise(SourceFile.from_path(path))}
        orphans = [e.line + 1 for e in expectations(path) if e.line not in lines]
        assert not orphans, f"{os.path.basename(path)}: annotations on non-loop lines {orphans}"
