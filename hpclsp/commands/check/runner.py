"""One file's work for ``hpclsp check``: read, analyse, suppress, fix; run in this process or in a pool.

Jobs and results are plain picklable objects so ``-j N`` can hand them to worker processes; the
baseline is handed to each worker once, by the pool initializer, not with every job.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Iterator

from hpclsp import baseline as baseline_mod
from hpclsp import fixes, project, suppressions
from hpclsp.analysis import engine, languages
from hpclsp.analysis.context import Options
from hpclsp.analysis.findings import Finding
from hpclsp.analysis.source import SourceFile, decode


@dataclasses.dataclass
class Job:
    """What to do with one file."""

    path: str
    options: Options
    strict: bool = False
    fix: bool = False  # compute the fixed text (for --fix or --diff)
    database: str | None = None
    use_database: bool = True


@dataclasses.dataclass
class FileResult:
    """What one file produced (findings in the order they are reported)."""

    path: str
    findings: list[Finding] = dataclasses.field(default_factory=list)
    fingerprints: list[str] = dataclasses.field(default_factory=list)
    #: Findings before the baseline, with their fingerprints (for --write-baseline).
    unbaselined: list[tuple[Finding, str]] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    internal: list[str] = dataclasses.field(default_factory=list)
    fixed_text: str | None = None
    diff: str = ""
    applied: int = 0
    suppressed: int = 0


_BASELINE: baseline_mod.Baseline | None = None


def init_worker(base: baseline_mod.Baseline | None) -> None:
    """Pool initializer (and the in-process equivalent): remember the baseline."""
    global _BASELINE
    _BASELINE = base


def _read(path: str) -> tuple[str, bool]:
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return decode(raw), False


class _Checker:
    """Analysis of one file's successive texts, as the user would see them."""

    def __init__(self, job: Job, result: FileResult) -> None:
        self.job = job
        self.result = result
        self.pre_baseline: list[Finding] = []

    def is_enabled(self, code: str) -> bool:
        from hpclsp.analysis.rules import rule_for_code

        rule = rule_for_code(code)
        return engine.enabled(code, self.job.options, rule.default_enabled if rule else True)

    def visible(self, src: SourceFile) -> list[Finding]:
        """Findings after suppressions (plus unused ones under --strict), then after the baseline."""
        job = self.job
        a = project.analyze(src, job.options, job.database, job.use_database)
        self.result.internal = [f"internal error in {e}" for e in a.result.errors]
        self.result.suppressed = len(a.filtered.suppressed)
        found = list(a.result.findings)
        if job.strict and a.filtered.suppressions and self.is_enabled(suppressions.UNUSED_CODE):
            from hpclsp.analysis.rules import all_codes

            found += suppressions.unused(a.filtered.suppressions, all_codes(), self.is_enabled)
            found.sort(key=Finding.sort_key)
        self.pre_baseline = found
        if _BASELINE is None:
            return found
        return _BASELINE.filter(src.path, src.lines, found)


def check_file(job: Job) -> FileResult:
    """Analyse one file (never raises: problems become errors of the result)."""
    result = FileResult(job.path)
    lang = languages.language_for_path(job.path)
    if lang is None:
        result.errors.append(f"{job.path}: not a C, C++, CUDA or Fortran file (by extension)")
        return result
    try:
        text, valid = _read(job.path)
    except OSError as exc:
        result.errors.append(f"{job.path}: {exc.strerror or exc}")
        return result
    src = SourceFile(job.path, lang, text)
    checker = _Checker(job, result)
    try:
        if job.fix:
            outcome = fixes.fix_source(src, checker.visible)
            findings = outcome.remaining
            if outcome.text != text:
                if not valid:
                    result.errors.append(f"{job.path}: not valid UTF-8; fixes not applied")
                else:
                    result.fixed_text = outcome.text
                    result.applied = len(outcome.applied)
                    result.diff = "".join(
                        difflib.unified_diff(
                            text.splitlines(keepends=True),
                            outcome.text.splitlines(keepends=True),
                            fromfile=job.path if os.path.isabs(job.path) else f"a/{job.path}",
                            tofile=job.path if os.path.isabs(job.path) else f"b/{job.path}",
                        )
                    )
            final = SourceFile(job.path, lang, result.fixed_text or text)
            if outcome.rejected or final.text != outcome.text:  # the last analysis saw another text
                findings = checker.visible(final)
        else:
            findings = checker.visible(src)
            final = src
    except Exception as exc:  # one broken file must not stop the run
        result.errors.append(f"{job.path}: internal error: {type(exc).__name__}: {exc}")
        return result
    result.findings = findings
    result.fingerprints = baseline_mod.fingerprints(final.lines, findings)
    prints = baseline_mod.fingerprints(final.lines, checker.pre_baseline)
    result.unbaselined = list(zip(checker.pre_baseline, prints, strict=True))
    return result


def run_jobs(jobs: list[Job], workers: int, base: baseline_mod.Baseline | None) -> Iterator[FileResult]:
    """Results in job order, computed here (workers <= 1) or in a pool of processes."""
    if workers <= 1 or len(jobs) <= 1:
        init_worker(base)
        for job in jobs:
            yield check_file(job)
        return
    import concurrent.futures
    import multiprocessing

    workers = min(workers, len(jobs))
    ctx = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=init_worker, initargs=(base,)
    ) as pool:
        chunk = max(1, min(16, len(jobs) // (workers * 8)))
        yield from pool.map(check_file, jobs, chunksize=chunk)
