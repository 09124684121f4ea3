"""The README's generated tables and docs/rules.md match the registry and settings (no drift)."""

from __future__ import annotations

import os

from hpclsp.commands import rules

from ..conftest import ROOT


def test_readme_tables_are_current():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    assert rules.update_text(text) == text, "README tables are stale: run `make readme`"


def test_rule_docs_are_current():
    with open(os.path.join(ROOT, "docs", "rules.md"), encoding="utf-8") as fh:
        assert fh.read() == rules.rules_docs() + "\n", "docs/rules.md is stale: run `make readme`"


def test_every_rule_is_documented():
    from hpclsp.analysis.rules import all_rules

    for r in all_rules():
        assert r.summary and r.what and r.why and r.example, r.id
        assert r.id.replace("-", "").isalnum() and r.id == r.id.lower()
