"""Every rule's bad/good fixtures: annotated (line, code) pairs must equal what the engine emits.

Layout: ``tests/fixtures/rules/<rule-id>/bad*.<ext>`` and ``good*.<ext>``. In a bad file each
offending line carries a comment ``expect: code[, code...]`` (or ``expect-next-line: ...`` on
the line above). A good file must produce no finding of that rule, and no warning or error at all.
"""

from __future__ import annotations

import os
import re

import pytest

from hpclsp.analysis import engine, languages
from hpclsp.analysis.context import Options
from hpclsp.analysis.findings import Severity
from hpclsp.analysis.rules import load_rules
from hpclsp.analysis.source import SourceFile

from ..conftest import FIXTURES

RULE_FIXTURES = os.path.join(FIXTURES, "rules")
EXPECT = re.compile(r"expect(-next-line)?:\s*([a-z0-9][a-z0-9, -]*[a-z0-9])")


def _files(kind: str) -> list[tuple[str, str]]:
    out = []
    if not os.path.isdir(RULE_FIXTURES):
        return out
    for rid in sorted(os.listdir(RULE_FIXTURES)):
        d = os.path.join(RULE_FIXTURES, rid)
        for name in sorted(os.listdir(d)):
            if name.startswith(kind) and languages.language_for_path(name):
                out.append((rid, os.path.join(d, name)))
    return out


def expected_pairs(path: str) -> set[tuple[int, str]]:
    """(1-based line, code) pairs annotated in a fixture."""
    pairs = set()
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            for m in EXPECT.finditer(line):
                target = i + 1 if m.group(1) else i
                for code in m.group(2).split(","):
                    pairs.add((target, code.strip()))
    return pairs


def emitted(path: str) -> list:
    src = SourceFile.from_path(path)
    return engine.analyze(src, Options(budget=30.0)).findings


def test_every_rule_has_fixtures():
    missing = [r.id for r in load_rules().values() if not os.path.isdir(os.path.join(RULE_FIXTURES, r.id))]
    assert not missing, f"rules without fixtures: {missing}"


@pytest.mark.parametrize(
    "rule_id,path",
    _files("bad"),
    ids=lambda v: os.path.relpath(v, RULE_FIXTURES) if isinstance(v, str) and os.sep in v else v,
)
def test_bad_fixture(rule_id: str, path: str):
    rule = load_rules()[rule_id]
    expected = expected_pairs(path)
    assert expected, f"{path} has no expect: annotations"
    codes = {c for _, c in expected} | set(rule.codes)
    got = {(f.span.start.line + 1, f.code) for f in emitted(path) if f.code in codes}
    assert got == expected, f"missing {sorted(expected - got)}, unexpected {sorted(got - expected)}"


@pytest.mark.parametrize(
    "rule_id,path",
    _files("good"),
    ids=lambda v: os.path.relpath(v, RULE_FIXTURES) if isinstance(v, str) and os.sep in v else v,
)
def test_good_fixture(rule_id: str, path: str):
    rule = load_rules()[rule_id]
    noisy = [
        (f.span.start.line + 1, f.code, f.message)
        for f in emitted(path)
        if f.code in rule.codes or f.severity <= Severity.WARNING
    ]
    assert not noisy, f"{path} should be silent: {noisy}"
