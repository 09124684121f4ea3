"""``omp-clause-malformed``: clause or directive syntax the spec rejects.

The parser records what it could not make sense of; this rule turns those records, and every
argument the spec constrains (reduction operators, schedule/map/depend/defaultmap/order kinds,
``if`` modifiers, positive constants), into one error each at the exact part that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding, Related, Severity, Span
from hpclsp.analysis.openmp import spec, spec_tables
from hpclsp.analysis.openmp.model import Clause, Directive
from hpclsp.analysis.openmp.spec_types import ClauseInfo
from hpclsp.analysis.rules.omp_directive._common import directive_rule, directives, family_of, label

_INT = re.compile(r"[+-]?\s*\d+(?:[uUlL]*|_[A-Za-z0-9_]+)")
_C_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_F_USER_OP = re.compile(r"\.[A-Za-z]+\.")
_POSITIVE = {
    "collapse",
    "ordered",
    "safelen",
    "simdlen",
    "num_threads",
    "num_teams",
    "thread_limit",
    "partial",
}


def _int_value(text: str | None) -> int | None:
    if text is None:
        return None
    t = text.strip()
    while t.startswith("(") and t.endswith(")"):
        t = t[1:-1].strip()
    if not _INT.fullmatch(t):
        return None
    digits = re.match(r"[+-]?\s*\d+", t)
    try:
        return int(digits.group().replace(" ", "")) if digits else None
    except ValueError:
        return None


def _fn_name(mod: str) -> str:
    """``mapper(id)`` -> ``mapper``; plain words unchanged."""
    return mod.split("(", 1)[0].strip()


#: A clause check yields (message, span) problems and returns True when the clause's later checks
#: would only repeat the problem.
_Problems = Generator[tuple[str, Span], None, bool]


def _clause_problems(d: Directive, c: Clause, fam: str) -> Iterator[tuple[str, Span]]:
    """(message, span) for each malformation of one clause."""
    ci = spec.clause_info(c.name)
    if ci is None:
        return
    if (yield from _shape_problems(d, c, ci)):
        return
    check = _ARGUMENT_CHECKS.get(c.name)
    if check is not None and (yield from check(d, c, ci, fam)):
        return
    yield from _constant_problems(c)


def _arg_span(c: Clause) -> Span:
    return c.args_span or c.span


def _mod_span(c: Clause) -> Span:
    return c.modifier_span or _arg_span(c)


def _meta_default(d: Directive, c: Clause) -> bool:
    """``default`` on a metadirective names a directive variant, not a data-sharing kind."""
    return c.name == "default" and d.name in ("metadirective", "begin metadirective")


def _shape_problems(d: Directive, c: Clause, ci: ClauseInfo) -> _Problems:
    """Parser errors, missing or unexpected parentheses, empty arguments and lists."""
    if c.error:
        yield f"'{c.name}': {c.error}", c.span
        if c.error.startswith("missing ')'"):
            return True
    if ci.args == "required" and c.args is None:
        yield f"'{c.name}' needs an argument in parentheses", c.span
        return True
    if ci.args == "none" and c.args is not None:
        yield f"'{c.name}' takes no argument", c.span
        return True
    if c.args is None:
        return True
    if c.args.strip() == "":
        if ci.args == "required" or c.name in ("ordered", "partial", "update", "destroy", "indirect"):
            yield f"'{c.name}' has an empty argument", c.span
        return True
    name = c.name
    if ci.shape in ("list", "mod_list", "list_step") and not c.items and not _meta_default(d, c):
        if not (name in ("depend", "doacross") and c.modifier == "source"):
            if name in ("reduction", "in_reduction", "task_reduction") and c.modifier is None:
                yield f"'{name}' needs an operator and a list: {name}(op: list)", _arg_span(c)
            else:
                yield f"'{name}' has an empty list", _arg_span(c)
            return True
    return False


def _reduction(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    name, arg_span = c.name, _arg_span(c)
    if c.modifier is None:
        yield f"missing reduction operator: write {name}(op: {(c.args or '').strip()})", arg_span
        return True
    op = c.modifier
    ops = spec.reduction_operators(fam)
    valid = (
        op in ops
        or (fam == "c" and _C_IDENT.fullmatch(op))
        or (fam == "fortran" and (_C_IDENT.fullmatch(op) or _F_USER_OP.fullmatch(op)))
    )
    if not valid:
        yield (
            f"invalid reduction operator '{op}' (valid: {', '.join(sorted(ops))}, or a declared reduction)",
            _mod_span(c),
        )
    allowed_mods = spec_tables.REDUCTION_MODIFIERS if name == "reduction" else frozenset()
    for m in c.modifiers[:-1]:
        if m not in allowed_mods:
            yield f"unknown {name} modifier '{m}'", arg_span
    return False


def _schedule(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    kind, arg_span = c.modifier, _arg_span(c)
    if kind not in ci.kinds:
        yield f"unknown {c.name} kind '{kind}' (valid: {', '.join(sorted(ci.kinds))})", _mod_span(c)
        return True
    mods = set(c.modifiers)
    for m in c.modifiers:
        if m not in ci.modifiers:
            yield f"unknown schedule modifier '{m}' (valid: monotonic, nonmonotonic, simd)", arg_span
    if {"monotonic", "nonmonotonic"} <= mods:
        yield "'monotonic' and 'nonmonotonic' cannot both be given", arg_span
    if "nonmonotonic" in mods and kind not in ("dynamic", "guided"):
        yield f"'nonmonotonic' only applies to dynamic or guided schedules, not '{kind}'", arg_span
    if c.value is not None and kind in ("auto", "runtime"):
        yield f"a chunk size cannot be given with schedule({kind})", c.value_span or arg_span
    chunk = _int_value(c.value)
    if chunk is not None and chunk <= 0:
        yield f"chunk size must be positive, got {chunk}", c.value_span or arg_span
    return False


def _keyword(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    if _meta_default(d, c):
        return True
    if c.modifier not in ci.kinds:
        yield (
            f"unknown {c.name} kind '{(c.args or '').strip()}' (valid: {', '.join(sorted(ci.kinds))})",
            _mod_span(c),
        )
    return False


def _map(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    types = [m for m in c.modifiers if m in spec_tables.MAP_TYPES]
    for m in c.modifiers:
        if (
            m not in spec_tables.MAP_TYPES
            and _fn_name(m) not in spec_tables.MAP_TYPE_MODIFIERS
            and not m.startswith("ompx_")
        ):
            yield (
                f"unknown map type or modifier '{m}' (map types: {', '.join(sorted(spec_tables.MAP_TYPES))})",
                _arg_span(c),
            )
    if len(types) > 1:
        yield f"only one map type may be given, found {', '.join(types)}", _arg_span(c)
    return False


def _motion(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    for m in c.modifiers:
        if _fn_name(m) not in spec_tables.MOTION_MODIFIERS:
            yield (
                f"unknown {c.name} modifier '{m}' (valid: present, mapper(...), iterator(...))",
                _arg_span(c),
            )
    return False


def _depend(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    name, arg_span = c.name, _arg_span(c)
    kinds = spec_tables.DEPEND_TYPES if name == "depend" else spec_tables.DOACROSS_TYPES
    if c.modifier is None:
        yield f"missing dependence type: write {name}(in: ...), {name}(out: ...), ...", arg_span
        return True
    if c.modifier not in kinds:
        yield f"unknown dependence type '{c.modifier}' (valid: {', '.join(sorted(kinds))})", _mod_span(c)
    for m in c.modifiers[:-1]:
        if _fn_name(m) != "iterator":
            yield f"unknown {name} modifier '{m}'", arg_span
    return False


def _defaultmap(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    if c.modifier not in spec_tables.DEFAULTMAP_BEHAVIORS:
        yield (
            f"unknown defaultmap behaviour '{c.modifier}' "
            f"(valid: {', '.join(sorted(spec_tables.DEFAULTMAP_BEHAVIORS))})",
            _mod_span(c),
        )
    if c.value is not None and c.value not in spec_tables.DEFAULTMAP_CATEGORIES:
        yield (
            f"unknown defaultmap variable category '{c.value}' "
            f"(valid: {', '.join(sorted(spec_tables.DEFAULTMAP_CATEGORIES))})",
            c.value_span or _arg_span(c),
        )
    return False


def _order(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    if c.modifier not in spec_tables.ORDER_KINDS:
        yield f"unknown order kind '{c.modifier}' (valid: concurrent)", _mod_span(c)
    for m in c.modifiers:
        if m not in spec_tables.ORDER_MODIFIERS:
            yield f"unknown order modifier '{m}' (valid: reproducible, unconstrained)", _arg_span(c)
    return False


def _lastprivate(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    for m in c.modifiers:
        if m != "conditional":
            yield f"unknown lastprivate modifier '{m}' (valid: conditional)", _mod_span(c)
    return False


def _if_modifier(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    """An ``if`` modifier must name a construct of the directive (a leaf, or the directive itself)."""
    if c.modifier is None:
        return False
    allowed = {leaf for leaf in d.leaves if leaf in spec_tables.IF_MODIFIERS}
    if d.name in spec_tables.IF_MODIFIERS:
        allowed.add(d.name)
    if c.modifier not in spec_tables.IF_MODIFIERS:
        yield f"unknown if modifier '{c.modifier}'", _mod_span(c)
    elif c.modifier not in allowed:
        yield (
            f"if modifier '{c.modifier}' does not name a construct of {label(d)}"
            + (f" (valid: {', '.join(sorted(allowed))})" if allowed else ""),
            _mod_span(c),
        )
    if c.value is None:
        yield "missing condition after the if modifier", _arg_span(c)
    return False


def _expr_modifier(d: Directive, c: Clause, ci: ClauseInfo, fam: str) -> _Problems:
    """``grainsize(strict: n)``, ``num_tasks(strict: n)``, ``device(ancestor: n)``."""
    if c.modifier is not None and c.modifier not in ci.modifiers:
        yield (
            f"unknown {c.name} modifier '{c.modifier}' (valid: {', '.join(sorted(ci.modifiers))})",
            _mod_span(c),
        )
    return False


_ArgumentCheck = Callable[[Directive, Clause, ClauseInfo, str], _Problems]
#: The argument check of each clause whose kinds, modifiers or operator the spec constrains.
_ARGUMENT_CHECKS: dict[str, _ArgumentCheck] = {
    **dict.fromkeys(("reduction", "in_reduction", "task_reduction"), _reduction),
    **dict.fromkeys(("schedule", "dist_schedule"), _schedule),
    **dict.fromkeys(
        (
            "default",
            "proc_bind",
            "bind",
            "device_type",
            "atomic_default_mem_order",
            "at",
            "severity",
            "fail",
            "update",
        ),
        _keyword,
    ),
    "map": _map,
    **dict.fromkeys(("to", "from"), _motion),
    **dict.fromkeys(("depend", "doacross"), _depend),
    "defaultmap": _defaultmap,
    "order": _order,
    "lastprivate": _lastprivate,
    "if": _if_modifier,
    **dict.fromkeys(("grainsize", "num_tasks", "device"), _expr_modifier),
}


def _constant_problems(c: Clause) -> Iterator[tuple[str, Span]]:
    """Non-positive constants where the spec requires positive ones."""
    name = c.name
    if name in _POSITIVE or name == "aligned":
        v = _int_value(c.value)
        if v is not None and v <= 0:
            what = "alignment" if name == "aligned" else f"'{name}' argument"
            yield f"{what} must be a positive constant, got {v}", c.value_span or _arg_span(c)
    if name == "sizes":
        for item, sp in zip(c.items, c.item_spans):
            v = _int_value(item)
            if v is not None and v <= 0:
                yield f"tile size must be positive, got {v}", sp


@directive_rule(
    "omp-clause-malformed",
    summary="Malformed clause or directive syntax.",
    what="""
Flags clauses and directives the parser cannot make sense of: missing or unbalanced parentheses,
an empty list (`private()`), a missing required argument (`num_threads` without a value), an
invalid reduction operator (`reduction(/: x)`), an unknown `schedule`, `default`, `proc_bind`,
`map`, `depend`, `defaultmap`, `order` kind, an `if` modifier that names no construct of the
directive, and a non-positive constant where the spec requires a positive one (`collapse(0)`,
`safelen(0)`, `simdlen(-4)`, a zero chunk size), or `simdlen` larger than `safelen`.
""",
    why="""
Compilers reject these directives; in editors the message points at the exact part that is wrong,
which is faster to fix than a compiler's error at the start of the pragma.
""",
    example="""
#pragma omp parallel for schedule(dynmic, 4)    // unknown schedule kind 'dynmic'
#pragma omp parallel for schedule(dynamic, 4)   // ok
""",
)
def check_malformed(ctx: Context) -> Iterator[Finding]:
    """Report malformed clauses and directive syntax errors."""
    fam = family_of(ctx.source.language)
    for d in directives(ctx):
        for msg, sp in d.problems:
            yield Finding(
                "omp-clause-malformed", f"{msg} in {label(d)}" if d.name else msg, sp, Severity.ERROR
            )
        info = d.info
        if info is None:
            continue
        if (
            info.argument == "required"
            and d.argument is None
            and not (fam == "fortran" and d.name == "allocate")
        ):
            yield Finding(
                "omp-clause-malformed",
                f"{label(d)} needs a parenthesised argument",
                d.name_span,
                Severity.ERROR,
            )
        elif d.argument is not None and not d.argument.strip() and info.argument != "none" and not d.problems:
            yield Finding(
                "omp-clause-malformed",
                f"{label(d)} has an empty argument",
                d.argument_span or d.span,
                Severity.ERROR,
            )
        for c in d.clauses:
            for msg, sp in _clause_problems(d, c, fam):
                yield Finding("omp-clause-malformed", msg, sp, Severity.ERROR)
        safelen = d.clause("safelen")
        simdlen = d.clause("simdlen")
        if safelen is not None and simdlen is not None:
            a, b = _int_value(safelen.value), _int_value(simdlen.value)
            if a is not None and b is not None and 0 < a < b:
                yield Finding(
                    "omp-clause-malformed",
                    f"simdlen({b}) must not exceed safelen({a})",
                    simdlen.span,
                    Severity.ERROR,
                    related=[Related(safelen.span, "safelen given here")],
                )
        if d.name == "atomic":
            kinds = [c for c in d.clauses if c.name in ("read", "write", "update")]
            if len({c.name for c in kinds}) > 1:
                yield Finding(
                    "omp-clause-malformed",
                    f"an atomic construct is either read, write or update, not {' and '.join(c.name for c in kinds)}",
                    kinds[1].span,
                    Severity.ERROR,
                )
