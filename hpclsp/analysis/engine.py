"""The one analysis engine behind the server, ``hpclsp check`` and ``hpclsp suggest``.

Rules whose registry entry says ``scope="unit"`` (the race checker, the parallelization advisor) are
run per component of top-level units (``hpclsp.analysis.units``): each component is analysed in a small
synthetic file made of the text outside every unit plus the component's units, and the findings are
mapped back to the original lines. Their findings are kept in a process-wide LRU cache keyed by
(rule id, the options the rule reads, language, the synthetic text), so re-analysing a file after a
one-line edit runs those rules only on the component that changed; the other components' findings are
re-based onto their current lines (or, when a component's lines did not move either, taken as
mapped last time: each result gets its own copies). ``Options(incremental=False)`` runs every rule
on the whole file. A cold batch of big components is spread over worker processes as well
(``hpclsp.analysis.pool``).
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from hpclsp.analysis import gcpolicy
from hpclsp.analysis import pool as pool_mod
from hpclsp.analysis import rules as rules_pkg
from hpclsp.analysis import units as units_mod
from hpclsp.analysis.context import Context, Options
from hpclsp.analysis.findings import Edit, Finding, Fix, Related
from hpclsp.analysis.source import SourceFile

log = logging.getLogger(__name__)


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
    with gcpolicy.fewer_collections():
        return _analyze(source, options or Options())


def _analyze(source: SourceFile, options: Options) -> Result:
    t0 = time.perf_counter()
    out: list[Finding] = []
    errors: list[str] = []
    partial = False
    ctx = Context(source, options)
    active = [
        r
        for r in rules_pkg.all_rules()
        if source.language in r.languages and any(enabled(c, options, r.default_enabled) for c in r.codes)
    ]
    per_unit = [r for r in active if r.scope == "unit"] if options.incremental else []
    split = None
    if per_unit:
        try:
            split = units_mod.split(source)
        except RecursionError:
            split = None
        if split is None:
            per_unit = []
    unit_ids = {r.id for r in per_unit}
    for r in active:
        if r.id in unit_ids:
            continue
        if time.perf_counter() - t0 > options.budget:
            partial = True
            log.warning(
                "%s: analysis budget of %.2fs exceeded; skipped %s", source.path, options.budget, r.id
            )
            continue
        _run_rule(r, ctx, out, errors)
    if per_unit and split is not None:
        partial = _run_units(source, split, per_unit, options, t0, out, errors) or partial
    out = dedupe(out)
    out.sort(key=Finding.sort_key)
    return Result(out, errors, partial, time.perf_counter() - t0)


def _run_rule(r: rules_pkg.Rule, ctx: Context, out: list[Finding], errors: list[str]) -> bool:
    """Run one rule, appending its enabled findings; False when it failed."""
    try:
        for f in r.check(ctx):
            if enabled(f.code, ctx.options, r.default_enabled):
                out.append(f)
        return True
    except RecursionError:
        errors.append(f"{r.id}: input too deeply nested")
        log.warning("%s: rule %s gave up on deeply nested input", ctx.source.path, r.id)
    except Exception as exc:  # a broken rule must not take the others down
        errors.append(f"{r.id}: {type(exc).__name__}: {exc}")
        log.exception("%s: rule %s failed", ctx.source.path, r.id)
    return False


# --------------------------------------------------------------------------------------------
# Unit-scoped rules and their cache


class FindingCache:
    """A thread-safe LRU cache of unit-scoped findings (in synthetic-file coordinates).

    One entry per synthetic text (language, fixed form, digest of the text), holding the findings of
    each (rule id, options the rule reads) already run on it, and those findings mapped to the lines
    of the file last analysed with it (``_MAPPED``); ``hits``/``misses`` count rule lookups.
    """

    def __init__(self, size: int = 20000) -> None:
        self.size = size
        self._data: collections.OrderedDict[tuple[Any, ...], dict[tuple[Any, ...], Any]] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def entry(self, key: tuple[Any, ...]) -> dict[tuple[Any, ...], Any]:
        """The (possibly new, empty) per-rule findings of one synthetic text, marked as recently used."""
        with self._lock:
            v = self._data.get(key)
            if v is None:
                v = self._data[key] = {}
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
            else:
                self._data.move_to_end(key)
            return v

    def get(self, key: tuple[Any, ...]) -> list[Finding] | None:
        """The cached findings for (rule id, options key, *text key), or None."""
        v: list[Finding] | None = self.entry(key[2:]).get(key[:2])
        with self._lock:
            if v is None:
                self.misses += 1
            else:
                self.hits += 1
        return v

    def put(self, key: tuple[Any, ...], findings: list[Finding]) -> None:
        """Store findings for (rule id, options key, *text key)."""
        entry = self.entry(key[2:])
        with self._lock:
            entry[key[:2]] = findings

    def clear(self) -> None:
        """Forget everything (tests; settings changes need not call it: options are in the key)."""
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)


#: The process-wide cache of unit-scoped findings.
CACHE = FindingCache()


def _options_key(r: rules_pkg.Rule, options: Options) -> tuple[Any, ...]:
    names = r.options if r.options is not None else ("low_confidence", "hints", "extra")
    key = []
    for n in names:
        v = getattr(options, n, None)
        if isinstance(v, dict):
            v = tuple(sorted((str(k), repr(x)) for k, x in v.items()))
        key.append((n, v))
    return tuple(key)


@dataclasses.dataclass
class Job:
    """Unit-scoped rules to run on one component's synthetic text (it may go to a worker process)."""

    path: str
    language: str
    fixed_form: bool
    text: str
    rule_ids: tuple[str, ...]


#: Per rule id: its findings and whether it ran to the end; then the job's errors.
Answer = tuple[dict[str, tuple[list[Finding], bool]], list[str]]


def run_job(job: Job, options: Options, deadline: float, source: SourceFile | None = None) -> Answer | None:
    """Run a job's rules (here or in a worker); None when the budget ran out before it started."""
    if time.monotonic() > deadline:
        return None
    by_id = rules_pkg.load_rules()
    sub = source or SourceFile(job.path, job.language, job.text, fixed_form=job.fixed_form)
    ctx = Context(sub, options)
    found: dict[str, tuple[list[Finding], bool]] = {}
    errors: list[str] = []
    for rid in job.rule_ids:
        res: list[Finding] = []
        ok = _run_rule(by_id[rid], ctx, res, errors)
        found[rid] = (res, ok)
    if sub is not source:  # a throwaway file: free its analysis now, not in the cyclic collector
        sub.break_cycles()
    return found, errors


def _run_jobs(source: SourceFile, jobs: list[Job], options: Options, deadline: float) -> list[Answer | None]:
    """Answers in job order; a big cold batch is spread over the worker processes (``pool``)."""
    workers = pool_mod.current()
    if workers is None or len(jobs) < 2 or sum(len(j.text) for j in jobs) < pool_mod.MIN_CHARS:
        # One component covering the whole file shares the file's tree and caches.
        return [run_job(j, options, deadline, source if j.text == source.text else None) for j in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].text))
    answers = workers.run(run_job, [jobs[i] for i in order], options, deadline, weight=lambda j: len(j.text))
    out: list[Answer | None] = [None] * len(jobs)
    for i, ans in zip(order, answers, strict=True):
        out[i] = ans
    return out


def _run_units(
    source: SourceFile,
    split: units_mod.Split,
    rules: list[rules_pkg.Rule],
    options: Options,
    t0: float,
    out: list[Finding],
    errors: list[str],
) -> bool:
    """Run unit-scoped rules per component (cached); returns True when the budget cut the analysis short."""
    okeys = {r.id: _options_key(r, options) for r in rules}
    mapped_key = (_MAPPED, repr([(r.id, okeys[r.id]) for r in rules]))
    plan = [_plan(source, split.synthetic(comp), rules, okeys, mapped_key) for comp in split.components]
    jobs = [p.job for p in plan if p.job is not None]
    deadline = time.monotonic() + options.budget - (time.perf_counter() - t0)
    answers = iter(_run_jobs(source, jobs, options, deadline) if jobs else [])
    partial = False
    owner = split.owner
    for p in plan:
        mapped = p.mapped
        if mapped is None:
            if p.job is not None and not _take(next(answers), p, okeys, errors):
                partial = True
                continue
            mapper = _LineMapper(p.syn.line_map)
            mapped = [mapper.finding(f) for fs in p.found for f in fs]
            if all((r.id, okeys[r.id]) in p.entry for r in rules):  # a failed rule is retried next time
                p.entry[mapped_key] = (p.line_map, mapped)
        for g in mapped:
            line = g.span.start.line
            k = owner[line] if line < len(owner) else -1
            if k < 0 or k in p.syn.units:
                out.append(_fresh(g))
    if partial:
        log.warning(
            "%s: analysis budget of %.2fs exceeded; unit analysis cut short", source.path, options.budget
        )
    return partial


#: The key, in a cache entry, of its findings already mapped to a file's lines (with the line map
#: and the rules they were mapped for): a component whose synthetic text and line map did not
#: change since the last analysis skips the mapping. Rule keys are (id, options) pairs, never this.
_MAPPED = "mapped"


@dataclasses.dataclass
class _Component:
    """One component of an analysis: its cache entry, what the cache holds and what is left to run."""

    syn: units_mod.Synthetic
    entry: dict[tuple[Any, ...], Any]
    line_map: tuple[int, ...]
    mapped: list[Finding] | None = None
    found: list[list[Finding]] = dataclasses.field(default_factory=list)
    job: Job | None = None


def _plan(
    source: SourceFile,
    syn: units_mod.Synthetic,
    rules: list[rules_pkg.Rule],
    okeys: dict[str, tuple[Any, ...]],
    mapped_key: tuple[str, str],
) -> _Component:
    """A component's cached findings (mapped ones when its lines did not move) and the rules to run."""
    digest = hashlib.blake2b(
        syn.text.encode("utf-8", "surrogatepass"), digest_size=20, person=b"hpclsp-unit"
    ).digest()
    entry = CACHE.entry((source.language, bool(source.fixed_form), digest))
    comp = _Component(syn, entry, tuple(syn.line_map))
    memo = entry.get(mapped_key)
    if memo is not None and memo[0] == comp.line_map:
        CACHE.hits += len(rules)
        comp.mapped = memo[1]
        return comp
    missing = []
    for r in rules:
        hit = entry.get((r.id, okeys[r.id]))
        if hit is None:
            missing.append(r.id)
        else:
            comp.found.append(hit)
    CACHE.hits += len(comp.found)
    CACHE.misses += len(missing)
    if missing:
        comp.job = Job(source.path, source.language, bool(source.fixed_form), syn.text, tuple(missing))
    return comp


def _take(ans: Answer | None, comp: _Component, okeys: dict[str, tuple[Any, ...]], errors: list[str]) -> bool:
    """Add a job's answer to its component (and the cache); False when the budget had run out."""
    if ans is None:
        return False
    results, errs = ans
    errors.extend(errs)
    for rid, (res, ok) in results.items():
        if ok:
            comp.entry[(rid, okeys[rid])] = res
        comp.found.append(res)
    return True


def _plain_copy(d: Any) -> Any:
    """A copy of plain data (dicts, lists, tuples of scalars and strings) sharing nothing mutable."""
    t = type(d)
    if t is dict:
        return {k: _plain_copy(v) for k, v in d.items()}
    if t is list:
        return [_plain_copy(v) for v in d]
    if t is tuple:
        return tuple(_plain_copy(v) for v in d)
    return d


def _fresh(f: Finding) -> Finding:
    """A finding for one result: equal to ``f`` (kept in the cache), sharing none of its mutable parts
    (spans, related locations and fixes are frozen and are shared)."""
    return Finding(f.code, f.message, f.span, f.severity, list(f.related), list(f.fixes), _plain_copy(f.data))


class _LineMapper(units_mod.LineMap):
    """Maps positions, messages and data of findings from a synthetic file to the original file."""

    def data(self, d: Any, key: str = "") -> Any:
        if isinstance(d, dict):
            return {k: self.data(v, k) for k, v in d.items()}
        if isinstance(d, list):
            return [self.data(v) for v in d]
        if isinstance(d, tuple):
            return tuple(self.data(v) for v in d)
        if isinstance(d, str):
            return self.text(d)
        if key == "line" and isinstance(d, int) and not isinstance(d, bool):
            return self.line(d)
        return d

    def finding(self, f: Finding) -> Finding:
        """A new finding in original coordinates (the cached one is never shared or mutated)."""
        return dataclasses.replace(
            f,
            message=self.text(f.message),
            span=self.span(f.span),
            related=[Related(self.span(r.span), self.text(r.message), r.path) for r in f.related],
            fixes=[
                Fix(
                    self.text(x.title),
                    tuple(Edit(self.span(e.span), e.new_text) for e in x.edits),
                    x.preferred,
                )
                for x in f.fixes
            ],
            data=self.data(f.data),
        )


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
