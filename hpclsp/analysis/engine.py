"""The one analysis engine behind the server, ``hpclsp check`` and ``hpclsp suggest``.

Rules whose registry entry says ``scope="unit"`` (the race checker, the parallelization advisor) are
run per component of top-level units (``hpclsp.analysis.units``): each component is analysed in a small
synthetic file made of the text outside every unit plus the component's units, and the findings are
mapped back to the original lines. Their findings are kept in a process-wide LRU cache keyed by
(rule id, the options the rule reads, language, the synthetic text), so re-analysing a file after a
one-line edit runs those rules only on the component that changed; the other components' findings are
re-based onto their current lines (or, when a component's lines did not move either, taken as
mapped last time: each result gets its own copies). ``Options(incremental=False)`` runs every rule
on the whole file.
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
    options = options or Options()
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
    partial = False
    okeys = {r.id: _options_key(r, options) for r in rules}
    mapped_key = (_MAPPED, repr([(r.id, okeys[r.id]) for r in rules]))
    owner = split.owner
    for comp in split.components:
        syn = split.synthetic(comp)
        digest = hashlib.blake2b(
            syn.text.encode("utf-8", "surrogatepass"), digest_size=20, person=b"hpclsp-unit"
        ).digest()
        entry = CACHE.entry((source.language, bool(source.fixed_form), digest))
        line_map = tuple(syn.line_map)
        memo = entry.get(mapped_key)
        if memo is not None and memo[0] == line_map:
            CACHE.hits += len(rules)
            mapped = memo[1]
        else:
            found = _component_findings(source, syn, rules, okeys, entry, options, t0, errors)
            if found is None:
                if not partial:
                    log.warning(
                        "%s: analysis budget of %.2fs exceeded; unit analysis cut short",
                        source.path,
                        options.budget,
                    )
                partial = True
                continue
            mapper = _LineMapper(syn.line_map)
            mapped = [mapper.finding(f) for fs in found for f in fs]
            if all((r.id, okeys[r.id]) in entry for r in rules):  # a failed rule is retried next time
                entry[mapped_key] = (line_map, mapped)
        for g in mapped:
            line = g.span.start.line
            k = owner[line] if line < len(owner) else -1
            if k < 0 or k in syn.units:
                out.append(_fresh(g))
    return partial


#: The key, in a cache entry, of its findings already mapped to a file's lines (with the line map
#: and the rules they were mapped for): a component whose synthetic text and line map did not
#: change since the last analysis skips the mapping. Rule keys are (id, options) pairs, never this.
_MAPPED = "mapped"


def _component_findings(
    source: SourceFile,
    syn: units_mod.Synthetic,
    rules: list[rules_pkg.Rule],
    okeys: dict[str, tuple[Any, ...]],
    entry: dict[tuple[Any, ...], Any],
    options: Options,
    t0: float,
    errors: list[str],
) -> list[list[Finding]] | None:
    """Each rule's findings (synthetic coordinates) for one component, from the cache or run now;
    None when rules are missing and the budget is spent."""
    found: list[list[Finding]] = []
    missing: list[rules_pkg.Rule] = []
    for r in rules:
        hit = entry.get((r.id, okeys[r.id]))
        if hit is None:
            missing.append(r)
        else:
            found.append(hit)
    CACHE.hits += len(found)
    CACHE.misses += len(missing)
    if not missing:
        return found
    if time.perf_counter() - t0 > options.budget:
        return None
    if syn.text == source.text:  # one component covering the whole file: share its tree and caches
        sub = source
    else:
        sub = SourceFile(source.path, source.language, syn.text, fixed_form=source.fixed_form)
    ctx = Context(sub, options)
    for r in missing:
        res: list[Finding] = []
        if _run_rule(r, ctx, res, errors):
            entry[(r.id, okeys[r.id])] = res
        found.append(res)
    return found


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
