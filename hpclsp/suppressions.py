"""Suppression comments, honoured the same way by ``hpclsp check`` and the server.

Forms (codes are comma-separated; globs such as ``omp-race-*`` and prefixes such as ``mpi`` work):

- ``// hpclsp: ignore[code, ...]`` or ``/* hpclsp: ignore[code] */`` in C, C++ and CUDA;
  ``! hpclsp: ignore[code]`` in Fortran (``c``/``*`` in column 1 in fixed form too). At the end of
  a line it silences findings that start on that line; alone on its line, findings on the next line.
- ``hpclsp: ignore-file[code, ...]`` in any such comment silences the codes in the whole file.
- ``ignore`` without brackets, or ``ignore[*]``, silences every code.

With ``report_unused`` (``hpclsp check --strict``) a suppression code that silenced nothing
becomes a finding ``hpclsp-unused-suppression``, so stale comments do not pile up.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable

from hpclsp.analysis.findings import Finding, Severity, Span

UNUSED_CODE = "hpclsp-unused-suppression"
#: Codes produced here rather than by a rule (valid in --select/--ignore).
CODES = (UNUSED_CODE,)

_BODY = r"hpclsp:\s*(?P<kind>ignore-file|ignore)\b(?:\s*\[(?P<codes>[^\]]*)\])?"
_C_RE = re.compile(r"(?://|/\*)\s*" + _BODY)
_FORTRAN_RE = re.compile(r"!\s*" + _BODY)
_FIXED_RE = re.compile(r"^[cC*]\s*" + _BODY)


@dataclasses.dataclass
class Suppression:
    """One suppression comment."""

    line: int  # 0-based line of the comment
    col: int  # code-point columns of the comment marker and the end of the match
    end_col: int
    patterns: tuple[str, ...]  # ("*",) silences everything
    file_level: bool
    own_line: bool  # nothing but the comment on its line: it applies to the next line
    used: set[str] = dataclasses.field(default_factory=set)

    def applies_to(self, line: int) -> bool:
        """Whether a finding starting on a 0-based line is in this suppression's reach."""
        return self.file_level or line == self.line or (self.own_line and line == self.line + 1)

    def match(self, code: str) -> str | None:
        """The first pattern that matches a code, or None."""
        from hpclsp.analysis.rules import code_matches

        for p in self.patterns:
            if p == "*" or code_matches(code, (p,)):
                return p
        return None


def parse(text: str, language: str, fixed_form: bool = False) -> list[Suppression]:
    """Every suppression comment in a file's text."""
    if "hpclsp:" not in text:
        return []
    fortran = language == "fortran"
    out: list[Suppression] = []
    for n, line in enumerate(text.splitlines()):
        if "hpclsp:" not in line:
            continue
        m = None
        if fortran and fixed_form:
            m = _FIXED_RE.search(line)
        if m is None:
            m = (_FORTRAN_RE if fortran else _C_RE).search(line)
        if m is None:
            continue
        raw = m.group("codes")
        patterns = tuple(c.strip() for c in raw.split(",") if c.strip()) if raw is not None else ("*",)
        out.append(
            Suppression(
                line=n,
                col=m.start(),
                end_col=m.end(),
                patterns=patterns or ("*",),
                file_level=m.group("kind") == "ignore-file",
                own_line=not line[: m.start()].strip(),
            )
        )
    return out


@dataclasses.dataclass
class Filtered:
    """The findings left after suppressions, and what was silenced."""

    kept: list[Finding]
    suppressed: list[Finding]
    suppressions: list[Suppression]


def apply(text: str, language: str, findings: Iterable[Finding], fixed_form: bool = False) -> Filtered:
    """Drop the findings a suppression comment covers (records which patterns were used)."""
    sups = parse(text, language, fixed_form)
    findings = list(findings)
    if not sups:
        return Filtered(findings, [], [])
    kept: list[Finding] = []
    dropped: list[Finding] = []
    for f in findings:
        hit = False
        for s in sups:
            if s.applies_to(f.span.start.line):
                p = s.match(f.code)
                if p is not None:
                    s.used.add(p)
                    hit = True
        (dropped if hit else kept).append(f)
    return Filtered(kept, dropped, sups)


def filter_findings(
    text: str, language: str, findings: list[Finding], fixed_form: bool = False
) -> list[Finding]:
    """The findings no suppression comment covers (what the server publishes)."""
    if "hpclsp:" not in text:
        return findings
    return apply(text, language, findings, fixed_form).kept


def unused(
    sups: list[Suppression], known_codes: Iterable[str], is_enabled: Callable[[str], bool]
) -> list[Finding]:
    """``hpclsp-unused-suppression`` findings for patterns that silenced nothing.

    A pattern naming only rules that are switched off is not reported (the comment may matter in
    another configuration); one that names no rule at all is.
    """
    from hpclsp.analysis.rules import code_matches

    known = list(known_codes)
    out: list[Finding] = []
    for s in sups:
        for p in s.patterns:
            if p in s.used:
                continue
            matching = known if p == "*" else [c for c in known if code_matches(c, (p,))]
            if not matching:
                msg = f"suppression names '{p}', which matches no hpclsp rule"
            elif not any(is_enabled(c) for c in matching):
                continue
            else:
                what = "any finding" if p == "*" else f"'{p}'"
                scope = "in this file" if s.file_level else "here"
                msg = f"unused suppression: no {what} to silence {scope}"
            out.append(
                Finding(
                    code=UNUSED_CODE,
                    message=msg,
                    span=Span.of(s.line, s.col, s.line, s.end_col),
                    severity=Severity.WARNING,
                )
            )
    return out
