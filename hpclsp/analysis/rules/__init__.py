"""The rule registry: every rule has an id, a family, docs and a check function.

Rule modules live in this package, one per family, and register themselves with ``@rule``;
``load_rules()`` imports every module here, so adding a module adds its rules everywhere
(server, ``hpclsp check``, the README's rule table).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from hpclsp.analysis.findings import Finding, Severity

if TYPE_CHECKING:
    from hpclsp.analysis.context import Context

CheckFn = Callable[["Context"], Iterable[Finding]]

DOCS_URL = "https://github.com/hpclsp/hpclsp/blob/main/docs/rules.md#{id}"


@dataclasses.dataclass(frozen=True)
class Rule:
    """One rule: a stable kebab-case id, its family, default severity, docs and check."""

    id: str
    family: str
    severity: Severity
    summary: str
    what: str
    why: str
    example: str
    check: CheckFn
    languages: frozenset[str] = frozenset({"c", "cpp", "cuda", "fortran"})
    #: Several ids can be emitted by one check; they are listed here so select/ignore and docs know them.
    emits: tuple[str, ...] = ()
    default_enabled: bool = True
    #: ``"file"``: the check sees the whole file. ``"unit"``: the check's findings inside a top-level unit
    #: (a C/C++/CUDA function definition, a Fortran program unit or module procedure) depend only on that
    #: unit, the units it references by name and the text outside every unit; the engine then runs it per
    #: unit and caches the results (see ``hpclsp.analysis.engine``).
    scope: str = "file"
    #: Names of the ``context.Options`` fields the check reads (``None``: any of them); part of the unit cache key.
    options: tuple[str, ...] | None = None

    @property
    def url(self) -> str:
        """Link to this rule's documentation."""
        return DOCS_URL.format(id=self.id)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every diagnostic code this rule may emit."""
        return self.emits or (self.id,)


_REGISTRY: dict[str, Rule] = {}
_BY_CODE: dict[str, Rule] = {}
_loaded = False


def rule(
    id: str,
    *,
    family: str,
    summary: str,
    what: str,
    why: str,
    example: str,
    severity: Severity = Severity.WARNING,
    languages: Iterable[str] = ("c", "cpp", "cuda", "fortran"),
    emits: Iterable[str] = (),
    default_enabled: bool = True,
    scope: str = "file",
    options: Iterable[str] | None = None,
) -> Callable[[CheckFn], CheckFn]:
    """Decorator registering a check function as a rule (``scope``/``options``: see ``Rule``)."""
    if scope not in ("file", "unit"):
        raise ValueError(f"rule {id}: scope must be 'file' or 'unit', not {scope!r}")

    def deco(fn: CheckFn) -> CheckFn:
        if id in _REGISTRY:
            raise ValueError(f"duplicate rule id {id}")
        _REGISTRY[id] = Rule(
            id=id,
            family=family,
            severity=severity,
            summary=summary,
            what=what.strip(),
            why=why.strip(),
            example=example.strip("\n"),
            check=fn,
            languages=frozenset(languages),
            emits=tuple(emits),
            default_enabled=default_enabled,
            scope=scope,
            options=None if options is None else tuple(options),
        )
        return fn

    return deco


def load_rules() -> dict[str, Rule]:
    """Import every rule module in this package (once) and return the registry."""
    global _loaded
    if not _loaded:
        for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if not mod.name.startswith("_"):
                importlib.import_module(f"{__name__}.{mod.name}")
        _loaded = True
    return _REGISTRY


def all_rules() -> list[Rule]:
    """Every registered rule, ordered by id."""
    return sorted(load_rules().values(), key=lambda r: r.id)


def all_codes() -> list[str]:
    """Every diagnostic code any rule may emit."""
    return sorted({c for r in load_rules().values() for c in r.codes})


def code_matches(code: str, patterns: Iterable[str]) -> bool:
    """True when a code matches one of the patterns: exact, prefix (``omp-race``) or glob."""
    for p in patterns:
        p = p.strip()
        if not p:
            continue
        if code == p or code.startswith(p.rstrip("-*") + "-") or fnmatch.fnmatchcase(code, p):
            return True
    return False


def rule_for_code(code: str) -> Rule | None:
    """The rule that emits a diagnostic code (looked up once per code: diagnostics call this per finding)."""
    if not _BY_CODE:
        _BY_CODE.update({c: r for r in load_rules().values() for c in r.codes})
    return _BY_CODE.get(code)
