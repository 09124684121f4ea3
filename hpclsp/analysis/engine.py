"""The one analysis engine behind the server, ``hpclsp check`` and ``hpclsp suggest``."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable
from typing import Any

from hpclsp.analysis import rules as rules_pkg
from hpclsp.analysis.findings import Finding
from hpclsp.analysis.source import SourceFile

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Options:
    """Engine options (a subset of the settings, no LSP types)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: Include low-confidence findings such as indirect-subscript races.
    low_confidence: bool = True
    #: Emit omp-parallelizable-loop hints.
    hints: bool = True
    #: Wall-clock budget for one analysis, in seconds; rules past it are skipped.
    budget: float = 2.0
    #: Extra options rules may read (e.g. CUDA error-check strictness).
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Context:
    """What a rule's check function receives."""

    source: SourceFile
    options: Options


@dataclasses.dataclass
class Result:
    """Findings plus what went wrong on the way (never raised)."""

    findings: list[Finding]
    errors: list[str] = dataclasses.field(default_factory=list)
    partial: bool = False
    elapsed: float = 0.0


def enabled(code: str, options: Options, default_enabled: bool = True) -> bool:
    """Whether a diagnostic code passes select/ignore."""
    if options.ignore and rules_pkg.code_matches(code, options.ignore):
        return False
    if options.select:
        return rules_pkg.code_matches(code, options.select)
    return default_enabled


def analyze(source: SourceFile, options: Options | None = None) -> Result:
    """Run every applicable rule on a source file; exceptions in a rule are logged, not raised."""
    options = options or Options()
    t0 = time.perf_counter()
    out: list[Finding] = []
    errors: list[str] = []
    partial = False
    ctx = Context(source, options)
    for r in rules_pkg.all_rules():
        if source.language not in r.languages:
            continue
        if not any(enabled(c, options, r.default_enabled) for c in r.codes):
            continue
        if time.perf_counter() - t0 > options.budget:
            partial = True
            log.warning(
                "%s: analysis budget of %.2fs exceeded; skipped %s", source.path, options.budget, r.id
            )
            continue
        try:
            for f in r.check(ctx):
                if enabled(f.code, options, r.default_enabled):
                    out.append(f)
        except RecursionError:
            errors.append(f"{r.id}: input too deeply nested")
            log.warning("%s: rule %s gave up on deeply nested input", source.path, r.id)
        except Exception as exc:  # a broken rule must not take the others down
            errors.append(f"{r.id}: {type(exc).__name__}: {exc}")
            log.exception("%s: rule %s failed", source.path, r.id)
    out = dedupe(out)
    out.sort(key=Finding.sort_key)
    return Result(out, errors, partial, time.perf_counter() - t0)


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Drop findings with the same code, span and message."""
    seen: set[tuple[str, Any, str]] = set()
    res = []
    for f in findings:
        key = (f.code, f.span, f.message)
        if key not in seen:
            seen.add(key)
            res.append(f)
    return res
