"""``hpclsp check --fix``: apply the preferred fix of each finding, keeping only fixes that re-check cleanly.

A fix is kept when, after applying it and analysing the file again, the finding it fixes is gone and
no finding appears that was not there before. Findings are compared by code and message with
numbers masked, because a fix that inserts lines shifts the line numbers other messages mention.
"""

from __future__ import annotations

import collections
import dataclasses
import re
from collections.abc import Callable

from hpclsp.analysis.findings import Finding, Fix, apply_edits
from hpclsp.analysis.source import SourceFile

#: Analyses a source and returns the findings a user would see (suppressions and baseline applied).
AnalyzeFn = Callable[[SourceFile], list[Finding]]

_DIGITS = re.compile(r"\d+")


@dataclasses.dataclass
class Outcome:
    """The fixed text, the findings whose fixes were applied, and those left."""

    text: str
    applied: list[Finding]
    rejected: list[Finding]
    remaining: list[Finding]


def _key(f: Finding) -> tuple[str, str]:
    return (f.code, _DIGITS.sub("#", f.message))


def preferred_fix(f: Finding) -> Fix | None:
    """The fix a finding marks as preferred, if any."""
    return next((x for x in f.fixes if x.preferred and x.edits), None)


def rechecks_cleanly(before: list[Finding], fixed: Finding, after: list[Finding]) -> bool:
    """True when ``after`` holds no finding beyond ``before`` minus the fixed one."""
    budget = collections.Counter(_key(f) for f in before)
    budget[_key(fixed)] -= 1
    now = collections.Counter(_key(f) for f in after)
    return all(n <= budget[k] for k, n in now.items())


def fix_source(source: SourceFile, analyze: AnalyzeFn, max_fixes: int = 200) -> Outcome:
    """Apply every preferred fix that re-checks cleanly, one at a time, re-analysing after each."""
    text = source.text
    findings = analyze(source)
    applied: list[Finding] = []
    rejected: list[Finding] = []
    tried: set[tuple[str, str, str, int]] = set()
    attempts = 0
    while attempts < max_fixes:
        lines = text.splitlines()
        cand = None
        occurrences: collections.Counter[tuple[str, str, str]] = collections.Counter()
        for f in findings:
            line = lines[f.span.start.line].strip() if f.span.start.line < len(lines) else ""
            base = (*_key(f), line)
            occurrences[base] += 1
            tkey = (*base, occurrences[base])
            if tkey not in tried and preferred_fix(f) is not None:
                cand = f
                tried.add(tkey)
                break
        if cand is None:
            break
        attempts += 1
        fix = preferred_fix(cand)
        assert fix is not None
        new_text = apply_edits(text, fix.edits)
        if new_text == text:
            rejected.append(cand)
            continue
        new_source = SourceFile(source.path, source.language, new_text, fixed_form=source.fixed_form)
        after = analyze(new_source)
        if rechecks_cleanly(findings, cand, after):
            applied.append(cand)
            text, findings = new_text, after
        else:
            rejected.append(cand)
    return Outcome(text, applied, rejected, findings)
