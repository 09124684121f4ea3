"""Verified suggestions: a completion that inserts or changes an OpenMP directive is re-checked
with the race checker on the text with the completion applied.

A completion "introduces" a race when the patched text has an ``omp-race*`` finding (code and
variable) that the original text does not have.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import re

from hpclsp.analysis.findings import Finding

log = logging.getLogger(__name__)

_OMP_SENTINEL = re.compile(r"(#\s*pragma\s+omp\b|[!cC*]\$omp\b)", re.IGNORECASE)
RACE_SELECT = ("omp-race",)


@dataclasses.dataclass
class Verdict:
    """What the check found."""

    checked: bool
    new_findings: list[Finding] = dataclasses.field(default_factory=list)

    @property
    def racy(self) -> bool:
        """True when the completion introduces a race finding."""
        return bool(self.new_findings)


def apply(text: str, line: int, col: int, completion: str) -> str:
    """The document text with the completion inserted at (line, col) (code points)."""
    lines = text.split("\n")
    if line >= len(lines):
        lines.extend([""] * (line - len(lines) + 1))
    cur = lines[line]
    lines[line] = cur[:col] + completion + cur[col:]
    return "\n".join(lines)


def touches_directive(text: str, line: int, col: int, completion: str) -> bool:
    """True when the completion writes (part of) an OpenMP directive."""
    if _OMP_SENTINEL.search(completion):
        return True
    lines = text.split("\n")
    cur = lines[line] if line < len(lines) else ""
    return bool(_OMP_SENTINEL.search(cur[:col] + completion.split("\n", 1)[0]))


def _keys(findings: list[Finding]) -> collections.Counter[tuple[str, str]]:
    keys: collections.Counter[tuple[str, str]] = collections.Counter()
    for f in findings:
        var = str((f.data or {}).get("variable", "")) if isinstance(f.data, dict) else ""
        keys[(f.code, var or f.message)] += 1
    return keys


def race_findings(text: str, language: str, path: str = "<completion>") -> list[Finding]:
    """The race checker's findings on text."""
    from hpclsp.analysis import engine
    from hpclsp.analysis.context import Options
    from hpclsp.analysis.source import SourceFile

    src = SourceFile(path, language, text)
    res = engine.analyze(src, Options(select=RACE_SELECT, hints=False, budget=1.0))
    return [f for f in res.findings if f.code.startswith("omp-race")]


def check(text: str, language: str, line: int, col: int, completion: str, path: str = "") -> Verdict:
    """Run the race checker when the completion touches a directive; report new race findings."""
    if not completion or not touches_directive(text, line, col, completion):
        return Verdict(False)
    try:
        before = _keys(race_findings(text, language, path or "<before>"))
        after_list = race_findings(apply(text, line, col, completion), language, path or "<after>")
    except Exception:  # the checker must never take completion down
        log.exception("race verification failed; completion left unverified")
        return Verdict(False)
    after = _keys(after_list)
    added = after - before
    new = [f for f in after_list if (f.code, str((f.data or {}).get("variable", "")) or f.message) in added]
    return Verdict(True, new)
