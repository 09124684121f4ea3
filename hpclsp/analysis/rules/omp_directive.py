"""``omp-directive-*`` / ``omp-clause-*`` rules: malformed or contradictory OpenMP directives.

Every rule here works on the directive list from ``hpclsp.analysis.directives`` and the OpenMP
5.2 tables in ``hpclsp.analysis.omp_spec``; none needs the syntax tree, so they are cheap and
run on half-typed code. They report only what the spec (and therefore every compiler) rejects.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator

from hpclsp.analysis import omp_spec
from hpclsp.analysis.directives import Clause, Directive, parse_directives
from hpclsp.analysis.engine import Context
from hpclsp.analysis.findings import Edit, Finding, Fix, Related, Severity, Span
from hpclsp.analysis.rules import rule
from hpclsp.analysis.source import SourceFile

FAMILY = "omp-directive"


def _fam(language: str) -> str:
    return "fortran" if language == "fortran" else "c"


def _directives(ctx: Context) -> list[Directive]:
    return parse_directives(ctx.source)


def _close(word: str, candidates: Iterable[str], cutoff: float = 0.8) -> tuple[str, float] | None:
    """The closest candidate and its similarity ratio, when at least ``cutoff``."""
    best: tuple[str, float] | None = None
    for cand in candidates:
        r = difflib.SequenceMatcher(None, word, cand).ratio()
        if r >= cutoff and (best is None or r > best[1]):
            best = (cand, r)
    return best


def _prefixed(word: str, candidates: Iterable[str]) -> list[str]:
    return sorted(c for c in candidates if c.startswith(word) and c != word) if word else []


def _removal_span(src: SourceFile, c: Clause) -> Span:
    """The clause plus the blank (and comma) before it, so removing it leaves a tidy directive."""
    sp = c.span
    if sp.start.line != sp.end.line or sp.start.line >= len(src.lines):
        return sp
    line = src.lines[sp.start.line]
    a, b = sp.start.col, sp.end.col
    k = a
    while k > 0 and line[k - 1] in " \t":
        k -= 1
    if k > 0 and line[k - 1] == ",":
        k -= 1
        while k > 0 and line[k - 1] in " \t":
            k -= 1
    if k > 0 and line[k - 1] in "&(":  # start of a continuation line / just after a bracket
        k = a
    if k == a:
        while b < len(line) and line[b] in " \t,":
            b += 1
    return Span.of(sp.start.line, k, sp.end.line, b)


def _remove_fix(src: SourceFile, c: Clause, title: str) -> Fix:
    return Fix(title, (Edit(_removal_span(src, c), ""),), preferred=True)


def _label(d: Directive) -> str:
    return f"'{d.name}'"


# =============================================================================================
# omp-directive-unknown
# =============================================================================================


def _word_spans(src: SourceFile, d: Directive) -> list[Span] | None:
    """Spans of the words of an unknown directive name (None when it is split over lines)."""
    sp = d.name_span
    if sp.start.line != sp.end.line or sp.start.line >= len(src.lines):
        return None
    line = src.lines[sp.start.line]
    out = []
    for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", line[sp.start.col : sp.end.col]):
        out.append(Span.of(sp.start.line, sp.start.col + m.start(), sp.start.line, sp.start.col + m.end()))
    return out


@rule(
    "omp-directive-unknown",
    family=FAMILY,
    scope="unit",  # per top-level unit, cached by the engine
    options=(),
    severity=Severity.ERROR,
    summary="Unknown OpenMP directive name.",
    what="""
Flags an `#pragma omp` / `!$omp` line whose directive name is not an OpenMP 5.2 directive in
this language, suggesting the closest known name (a quick fix replaces a near miss such as
`paralel` or the other language's spelling, `parallel do` in C).
""",
    why="""
Compilers ignore (or only warn about) an OpenMP pragma they do not recognise, so a typo in the
directive name silently turns a parallel loop into a sequential one.
""",
    example="""
#pragma omp paralel for      // unknown: did you mean 'parallel for'?
#pragma omp parallel for     // ok
""",
)
def check_unknown(ctx: Context) -> Iterator[Finding]:
    """Report directives whose name is not a known OpenMP directive."""
    src = ctx.source
    fam = _fam(src.language)
    names = omp_spec.directive_names(fam)
    for d in _directives(ctx):
        if d.known:
            continue
        if not d.name:
            yield Finding(
                "omp-directive-unknown",
                f"missing OpenMP directive name after '{d.sentinel}'",
                d.span,
                Severity.ERROR,
            )
            continue
        if d.name.startswith("ompx") or d.name.startswith("ompx_"):
            continue  # vendor extensions
        if d.spelling_hint:
            other = "Fortran" if fam == "c" else "C/C++"
            yield Finding(
                "omp-directive-unknown",
                f"'{d.name}' is the {other} spelling; write '{d.spelling_hint}'",
                d.name_span,
                Severity.ERROR,
                fixes=[Fix(f"Replace with '{d.spelling_hint}'", (Edit(d.name_span, d.spelling_hint),), True)],
            )
            continue
        words = d.name.split()
        spans = _word_spans(src, d)
        best: tuple[str, float, int] | None = None
        for k in range(len(words), 0, -1):
            cand = " ".join(words[:k])
            pool = [n for n in names if len(n.split()) in (k - 1, k, k + 1)]
            m = _close(cand, pool, cutoff=0.6)
            if m is not None and (best is None or m[1] > best[1]):
                best = (m[0], m[1], k)
        fixes = []
        if best is not None and best[1] >= 0.8:
            msg = f"unknown OpenMP directive '{d.name}'; did you mean '{best[0]}'?"
            if spans is not None and len(spans) >= best[2]:
                rng = Span(spans[0].start, spans[best[2] - 1].end)
                fixes.append(Fix(f"Replace with '{best[0]}'", (Edit(rng, best[0]),), True))
        else:
            pre = _prefixed(words[0], names)
            if pre:
                msg = f"unknown OpenMP directive '{d.name}'; did you mean '{pre[0]}'?"
            elif best is not None:
                msg = f"unknown OpenMP directive '{d.name}'; did you mean '{best[0]}'?"
            else:
                msg = f"unknown OpenMP directive '{d.name}'"
        yield Finding("omp-directive-unknown", msg, d.name_span, Severity.ERROR, fixes=fixes)


# =============================================================================================
# omp-clause-not-allowed
# =============================================================================================

_NOT_ALLOWED_HINTS = {
    "nowait": "a combined construct with a 'parallel' leaf ends with the region's own barrier",
    "copyprivate": "copyprivate belongs on 'single'",
}


@rule(
    "omp-clause-not-allowed",
    family=FAMILY,
    scope="unit",  # per top-level unit, cached by the engine
    options=(),
    severity=Severity.ERROR,
    summary="Clause not allowed on this directive (or unknown clause).",
    what="""
Flags a clause that the OpenMP 5.2 specification does not allow on the directive it is written
on (for example `nowait` on `parallel for`, `schedule` on `parallel`, `copyprivate` on `for`),
and clause names that are not OpenMP clauses at all. The quick fix removes the clause (or, for a
misspelt clause, renames it).
""",
    why="""
Compilers reject the directive, and the clause usually reflects a misunderstanding of what the
construct does: a `nowait` on a combined `parallel for` cannot remove the barrier that ends the
parallel region.
""",
    example="""
#pragma omp parallel for nowait          // 'nowait' is not allowed on 'parallel for'
#pragma omp parallel
#pragma omp for nowait                   // ok: the for construct has its own barrier
""",
)
def check_not_allowed(ctx: Context) -> Iterator[Finding]:
    """Report clauses that the directive does not accept."""
    src = ctx.source
    fam = _fam(src.language)
    lang_clauses = set(omp_spec.clause_names(fam))
    for d in _directives(ctx):
        info = d.info
        if info is None:
            continue
        allowed = set(omp_spec.clauses_for(d.name, fam))
        for c in d.clauses:
            if c.name.startswith("ompx_"):
                continue
            if c.name not in lang_clauses:
                cand = _close(c.name, allowed or lang_clauses, cutoff=0.75)
                pre = _prefixed(c.name, allowed)
                fixes = []
                if cand is not None:
                    msg = f"unknown clause '{c.name}'; did you mean '{cand[0]}'?"
                    if c.name_span is not None and cand[1] >= 0.8:
                        fixes.append(Fix(f"Rename to '{cand[0]}'", (Edit(c.name_span, cand[0]),), True))
                elif pre:
                    msg = f"unknown clause '{c.name}'; did you mean '{pre[0]}'?"
                else:
                    msg = f"unknown clause '{c.name}' on {_label(d)}"
                yield Finding("omp-clause-not-allowed", msg, c.span, Severity.ERROR, fixes=fixes)
                continue
            if c.name in allowed:
                continue
            msg = f"clause '{c.name}' is not allowed on {_label(d)}"
            hint = _NOT_ALLOWED_HINTS.get(c.name)
            if c.name == "nowait" and "parallel" in info.leaves:
                msg += f" ({hint})"
            elif c.name == "copyprivate" and hint:
                msg += f" ({hint})"
            elif d.is_end and not allowed:
                msg = f"'{d.name}' takes no clauses; '{c.name}' is not allowed here"
            yield Finding(
                "omp-clause-not-allowed",
                msg,
                c.span,
                Severity.ERROR,
                fixes=[_remove_fix(src, c, f"Remove '{c.name}'")],
            )


# =============================================================================================
# omp-clause-conflict
# =============================================================================================

#: Pairs of data-sharing clauses that may not name the same variable on one directive
#: (OpenMP 5.2 §5.4: a list item may appear in at most one data-sharing attribute clause,
#: except firstprivate together with lastprivate).
_ALWAYS_CONFLICT = {
    frozenset({"private", "firstprivate"}),
    frozenset({"private", "lastprivate"}),
    frozenset({"private", "reduction"}),
    frozenset({"private", "linear"}),
    frozenset({"firstprivate", "reduction"}),
    frozenset({"lastprivate", "reduction"}),
    frozenset({"firstprivate", "linear"}),
    frozenset({"reduction", "linear"}),
}
#: Conflicts only when both clauses apply to the same leaf, i.e. on non-combined directives
#: (on ``parallel for``, ``shared`` goes to ``parallel`` and the privatising clause to ``for``).
_LEAF_CONFLICT = {
    frozenset({"shared", "private"}),
    frozenset({"shared", "firstprivate"}),
    frozenset({"shared", "lastprivate"}),
    frozenset({"shared", "reduction"}),
    frozenset({"shared", "linear"}),
}
_SAME_CLAUSE_TWICE = {"private", "firstprivate", "lastprivate", "shared", "linear", "reduction"}


def _base(item: str, fortran: bool) -> str:
    """The variable an item names: ``a`` for ``a[0:n]`` / ``a(1:n)``; components keep their path."""
    item = item.strip()
    m = re.match(r"[A-Za-z_][A-Za-z0-9_]*", item)
    if m is None:
        key = "".join(item.split())
    else:
        rest = item[m.end() :].lstrip()
        key = m.group() if not rest or rest[0] in "[(" else "".join(item.split())
    return key.lower() if fortran else key


@rule(
    "omp-clause-conflict",
    family=FAMILY,
    scope="unit",  # per top-level unit, cached by the engine
    options=(),
    severity=Severity.ERROR,
    summary="A variable appears in two conflicting data-sharing clauses.",
    what="""
Flags a variable listed in two data-sharing clauses of the same directive that the spec forbids
together: `private(x) shared(x)`, `private(x) reduction(+:x)`, `firstprivate(x) reduction(+:x)`,
a variable twice in `private`, a `copyprivate` variable that is also private on the `single`, or
a `map` and a privatising clause on `target`. `firstprivate(x) lastprivate(x)` is allowed and is
not reported; on combined constructs `shared` goes to the outer leaf and is not in conflict with
the inner leaf's privatising clauses.
""",
    why="""
A variable has exactly one data-sharing attribute in a region; the compiler rejects the
directive, and the two clauses usually show that the author was unsure whether the variable
should be shared or private — exactly the confusion behind data races.
""",
    example="""
#pragma omp parallel for private(sum) reduction(+: sum)   // conflict on 'sum'
#pragma omp parallel for reduction(+: sum)                // ok
""",
)
def check_conflict(ctx: Context) -> Iterator[Finding]:
    """Report variables named in conflicting data-sharing clauses of one directive."""
    fortran = ctx.source.language == "fortran"
    for d in _directives(ctx):
        info = d.info
        if info is None:
            continue
        combined = info.combined
        seen: dict[str, list[tuple[str, Span]]] = {}
        reported: set[tuple[str, str, str]] = set()
        for c in d.clauses:
            cls = c.name if c.name in ("private", "firstprivate", "lastprivate", "shared", "linear", "reduction",
                                      "copyprivate", "map") else None  # fmt: skip
            if cls is None:
                continue
            for item, sp in zip(c.items, c.item_spans):
                key = _base(item, fortran)
                for prev_cls, prev_sp in seen.get(key, []):
                    pair = frozenset({prev_cls, cls})
                    why = None
                    if prev_cls == cls and cls in _SAME_CLAUSE_TWICE:
                        why = f"'{item}' appears twice in '{cls}' clauses"
                    elif prev_cls != cls and pair in _ALWAYS_CONFLICT:
                        why = f"'{item}' cannot be both {prev_cls} and {cls}"
                    elif prev_cls != cls and pair in _LEAF_CONFLICT and not combined:
                        why = f"'{item}' cannot be both {prev_cls} and {cls}"
                    elif pair in ({"copyprivate", "private"}, {"copyprivate", "firstprivate"}):
                        why = f"a copyprivate variable ('{item}') cannot be {next(iter(pair - {'copyprivate'}))}"
                    elif pair in ({"map", "private"}, {"map", "firstprivate"}) and not combined:
                        why = f"'{item}' cannot be both mapped and {next(iter(pair - {'map'}))} on '{d.name}'"
                    if why is None:
                        continue
                    tag = (key, prev_cls, cls)
                    if tag in reported:
                        continue
                    reported.add(tag)
                    yield Finding(
                        "omp-clause-conflict",
                        f"{why} on {_label(d)}",
                        sp,
                        Severity.ERROR,
                        related=[Related(prev_sp, f"'{item}' already listed in '{prev_cls}' here")],
                        data={"variable": item, "clauses": [prev_cls, cls]},
                    )
                seen.setdefault(key, []).append((cls, sp))


# =============================================================================================
# omp-clause-duplicate
# =============================================================================================

_MEMORY_ORDER = set(omp_spec.MEMORY_ORDERS)


def _norm(text: str | None) -> str:
    return "".join((text or "").split()).lower()


@rule(
    "omp-clause-duplicate",
    family=FAMILY,
    scope="unit",  # per top-level unit, cached by the engine
    options=(),
    severity=Severity.ERROR,
    summary="A clause that may appear only once appears twice.",
    what="""
Flags a second `default`, `num_threads`, `collapse`, `schedule`, `ordered`, `proc_bind`,
`safelen`, `simdlen`, `nowait`, ... on one directive, a second `if` for the same construct (an
`if` without a modifier applies to every leaf), a second `defaultmap` for the same variable
category, and two memory-order clauses on one `atomic`/`flush`. When both copies are identical
the quick fix removes the second.
""",
    why="""
The specification allows these clauses at most once; compilers reject the directive, and two
different values (`num_threads(4) num_threads(8)`) leave the intended one unclear.
""",
    example="""
#pragma omp parallel for schedule(static) schedule(dynamic)   // duplicate 'schedule'
#pragma omp parallel for schedule(dynamic)                    // ok
""",
)
def check_duplicate(ctx: Context) -> Iterator[Finding]:
    """Report unique clauses that appear more than once on a directive."""
    src = ctx.source
    for d in _directives(ctx):
        if d.info is None:
            continue
        first: dict[tuple[str, str], Clause] = {}
        mem_first: Clause | None = None
        for c in d.clauses:
            ci = omp_spec.clause_info(c.name)
            if ci is None:
                continue
            if c.name in _MEMORY_ORDER:
                if mem_first is not None:
                    yield Finding(
                        "omp-clause-duplicate",
                        f"at most one memory-order clause may appear on {_label(d)} "
                        f"('{mem_first.name}' and '{c.name}')",
                        c.span,
                        Severity.ERROR,
                        related=[Related(mem_first.span, f"'{mem_first.name}' given here")],
                        fixes=[_remove_fix(src, c, f"Remove '{c.name}'")] if mem_first.name == c.name else [],
                    )
                else:
                    mem_first = c
                continue
            if c.name == "if":
                keys = [(c.name, c.modifier or "*")]
                # an if without modifier conflicts with any other if
                clash = [
                    k for k in first if k[0] == "if" and (k[1] == "*" or keys[0][1] == "*" or k == keys[0])
                ]
            elif c.name == "defaultmap":
                keys = [(c.name, c.value or "*")]
                clash = [
                    k
                    for k in first
                    if k[0] == "defaultmap" and (k[1] == "*" or keys[0][1] == "*" or k == keys[0])
                ]
            elif ci.unique and not (d.name == "metadirective" and c.name == "default"):
                keys = [(c.name, "")]
                clash = [k for k in keys if k in first]
            else:
                continue
            if clash:
                prev = first[clash[0]]
                same = _norm(prev.args) == _norm(c.args) and prev.modifier == c.modifier
                yield Finding(
                    "omp-clause-duplicate",
                    f"'{c.name}' may appear at most once on {_label(d)}"
                    + ("" if same else f" (first given as '{_clause_text(prev)}')"),
                    c.span,
                    Severity.ERROR,
                    related=[Related(prev.span, f"first '{c.name}' clause")],
                    fixes=[_remove_fix(src, c, f"Remove the duplicate '{c.name}'")] if same else [],
                )
                continue
            first[keys[0]] = c


def _clause_text(c: Clause) -> str:
    return c.name if c.args is None else f"{c.name}({c.args})"


# =============================================================================================
# omp-clause-malformed
# =============================================================================================

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


def _clause_problems(d: Directive, c: Clause, fam: str) -> Iterator[tuple[str, Span]]:
    """(message, span) for each malformation of one clause."""
    ci = omp_spec.clause_info(c.name)
    if ci is None:
        return
    if c.error:
        yield f"'{c.name}': {c.error}", c.span
        if c.error.startswith("missing ')'"):
            return
    meta_default = c.name == "default" and d.name in ("metadirective", "begin metadirective")
    if ci.args == "required" and c.args is None:
        yield f"'{c.name}' needs an argument in parentheses", c.span
        return
    if ci.args == "none" and c.args is not None:
        yield f"'{c.name}' takes no argument", c.span
        return
    if c.args is None:
        return
    arg_span = c.args_span or c.span
    if c.args.strip() == "":
        if ci.args == "required" or c.name in ("ordered", "partial", "update", "destroy", "indirect"):
            yield f"'{c.name}' has an empty argument", c.span
        return
    mod_span = c.modifier_span or arg_span
    name = c.name
    if ci.shape in ("list", "mod_list", "list_step") and not c.items and not meta_default:
        if not (name in ("depend", "doacross") and c.modifier == "source"):
            if name in ("reduction", "in_reduction", "task_reduction") and c.modifier is None:
                yield f"'{name}' needs an operator and a list: {name}(op: list)", arg_span
            else:
                yield f"'{name}' has an empty list", arg_span
            return
    if name in ("reduction", "in_reduction", "task_reduction"):
        if c.modifier is None:
            yield f"missing reduction operator: write {name}(op: {c.args.strip()})", arg_span
            return
        op = c.modifier
        ops = omp_spec.reduction_operators(fam)
        valid = (
            op in ops
            or (fam == "c" and _C_IDENT.fullmatch(op))
            or (fam == "fortran" and (_C_IDENT.fullmatch(op) or _F_USER_OP.fullmatch(op)))
        )
        if not valid:
            yield (
                f"invalid reduction operator '{op}' (valid: {', '.join(sorted(ops))}, or a declared reduction)",
                mod_span,
            )
        extra = c.modifiers[:-1]
        allowed_mods = omp_spec.REDUCTION_MODIFIERS if name == "reduction" else frozenset()
        for m in extra:
            if m not in allowed_mods:
                yield f"unknown {name} modifier '{m}'", arg_span
    elif name in ("schedule", "dist_schedule"):
        kind = c.modifier
        if kind not in ci.kinds:
            yield f"unknown {name} kind '{kind}' (valid: {', '.join(sorted(ci.kinds))})", mod_span
            return
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
    elif name in ("default", "proc_bind", "bind", "device_type", "atomic_default_mem_order", "at", "severity",
                  "fail", "update"):  # fmt: skip
        if meta_default:
            return
        if c.modifier not in ci.kinds:
            yield f"unknown {name} kind '{c.args.strip()}' (valid: {', '.join(sorted(ci.kinds))})", mod_span
    elif name == "map":
        types = [m for m in c.modifiers if m in omp_spec.MAP_TYPES]
        for m in c.modifiers:
            if (
                m not in omp_spec.MAP_TYPES
                and _fn_name(m) not in omp_spec.MAP_TYPE_MODIFIERS
                and not m.startswith("ompx_")
            ):
                yield (
                    f"unknown map type or modifier '{m}' (map types: {', '.join(sorted(omp_spec.MAP_TYPES))})",
                    arg_span,
                )
        if len(types) > 1:
            yield f"only one map type may be given, found {', '.join(types)}", arg_span
    elif name in ("to", "from"):
        for m in c.modifiers:
            if _fn_name(m) not in omp_spec.MOTION_MODIFIERS:
                yield f"unknown {name} modifier '{m}' (valid: present, mapper(...), iterator(...))", arg_span
    elif name in ("depend", "doacross"):
        kinds = omp_spec.DEPEND_TYPES if name == "depend" else omp_spec.DOACROSS_TYPES
        if c.modifier is None:
            yield f"missing dependence type: write {name}(in: ...), {name}(out: ...), ...", arg_span
            return
        if c.modifier not in kinds:
            yield f"unknown dependence type '{c.modifier}' (valid: {', '.join(sorted(kinds))})", mod_span
        for m in c.modifiers[:-1]:
            if _fn_name(m) != "iterator":
                yield f"unknown {name} modifier '{m}'", arg_span
    elif name == "defaultmap":
        if c.modifier not in omp_spec.DEFAULTMAP_BEHAVIORS:
            yield (
                f"unknown defaultmap behaviour '{c.modifier}' "
                f"(valid: {', '.join(sorted(omp_spec.DEFAULTMAP_BEHAVIORS))})",
                mod_span,
            )
        if c.value is not None and c.value not in omp_spec.DEFAULTMAP_CATEGORIES:
            yield (
                f"unknown defaultmap variable category '{c.value}' "
                f"(valid: {', '.join(sorted(omp_spec.DEFAULTMAP_CATEGORIES))})",
                c.value_span or arg_span,
            )
    elif name == "order":
        if c.modifier not in omp_spec.ORDER_KINDS:
            yield f"unknown order kind '{c.modifier}' (valid: concurrent)", mod_span
        for m in c.modifiers:
            if m not in omp_spec.ORDER_MODIFIERS:
                yield f"unknown order modifier '{m}' (valid: reproducible, unconstrained)", arg_span
    elif name == "lastprivate":
        for m in c.modifiers:
            if m != "conditional":
                yield f"unknown lastprivate modifier '{m}' (valid: conditional)", mod_span
    elif name == "if" and c.modifier is not None:
        allowed = {leaf for leaf in d.leaves if leaf in omp_spec.IF_MODIFIERS}
        if d.name in omp_spec.IF_MODIFIERS:
            allowed.add(d.name)
        if c.modifier not in omp_spec.IF_MODIFIERS:
            yield f"unknown if modifier '{c.modifier}'", mod_span
        elif c.modifier not in allowed:
            yield (
                f"if modifier '{c.modifier}' does not name a construct of {_label(d)}"
                + (f" (valid: {', '.join(sorted(allowed))})" if allowed else ""),
                mod_span,
            )
        if c.value is None:
            yield "missing condition after the if modifier", arg_span
    elif name in ("grainsize", "num_tasks", "device") and c.modifier is not None:
        if c.modifier not in ci.modifiers:
            yield (
                f"unknown {name} modifier '{c.modifier}' (valid: {', '.join(sorted(ci.modifiers))})",
                mod_span,
            )
    if name in _POSITIVE or name == "aligned":
        v = _int_value(c.value)
        if v is not None and v <= 0:
            what = "alignment" if name == "aligned" else f"'{name}' argument"
            yield f"{what} must be a positive constant, got {v}", c.value_span or arg_span
    if name == "sizes":
        for item, sp in zip(c.items, c.item_spans):
            v = _int_value(item)
            if v is not None and v <= 0:
                yield f"tile size must be positive, got {v}", sp


@rule(
    "omp-clause-malformed",
    family=FAMILY,
    scope="unit",  # per top-level unit, cached by the engine
    options=(),
    severity=Severity.ERROR,
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
    fam = _fam(ctx.source.language)
    for d in _directives(ctx):
        for msg, sp in d.problems:
            yield Finding(
                "omp-clause-malformed", f"{msg} in {_label(d)}" if d.name else msg, sp, Severity.ERROR
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
                f"{_label(d)} needs a parenthesised argument",
                d.name_span,
                Severity.ERROR,
            )
        elif d.argument is not None and not d.argument.strip() and info.argument != "none" and not d.problems:
            yield Finding(
                "omp-clause-malformed",
                f"{_label(d)} has an empty argument",
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


# =============================================================================================
# omp-directive-unmatched-end
# =============================================================================================


def _opens(d: Directive, fortran: bool) -> str:
    """End kind of an opener: 'required', 'optional' or 'none'."""
    if not fortran:
        if d.name.startswith("begin "):
            return "required"
        if d.name == "declare target" and not d.clauses and d.argument is None:
            return "required"
        return "none"
    if d.name == "ordered" and (d.clause("depend") or d.clause("doacross")):
        return "none"
    return omp_spec.end_kind(d.name, "fortran")


def _end_target(d: Directive, fortran: bool) -> set[str]:
    base = d.name[4:]
    if fortran:
        return {base}
    return {base, "begin " + base}


def _arg_key(d: Directive) -> str:
    return "".join((d.argument or "").split()).lower()


@rule(
    "omp-directive-unmatched-end",
    family=FAMILY,
    scope="unit",  # per top-level unit, cached by the engine
    options=(),
    severity=Severity.ERROR,
    summary="Fortran end directive without its construct, or a block construct never closed.",
    what="""
In Fortran, pairs `!$omp X` with `!$omp end X`: flags an `end X` with no open `X`, an `end X`
while a different construct is still open inside it, an `end critical(name)` whose name differs,
and a block construct that needs an end (`parallel`, `sections`, `single`, `critical`, `task`,
`target`, `teams`, `workshare`, `masked`, block `ordered`, ...) that never gets one. Ends of loop
constructs (`end do`, `end parallel do`, `end simd`, ...) and `end atomic` are optional and are
only checked when written. In C/C++ only the paired `begin ...`/`declare target` and
`end ...` pragmas are checked.
""",
    why="""
A missing or misplaced end directive changes which statements run in parallel: the compiler
either rejects the unit or, worse, the region silently ends somewhere else than intended.
""",
    example="""
!$omp parallel
!$omp single
call work()
!$omp end parallel     ! 'end parallel' while 'single' is still open
""",
)
def check_unmatched_end(ctx: Context) -> Iterator[Finding]:
    """Report end directives that close nothing, the wrong construct, or constructs never closed."""
    fortran = ctx.source.language == "fortran"
    stack: list[tuple[Directive, str]] = []
    mentioned: set[int] = set()  # openers already named by a mismatch message: not reported again at EOF
    for d in _directives(ctx):
        if not d.known:
            continue
        if not d.is_end:
            kind = _opens(d, fortran)
            if kind != "none":
                stack.append((d, kind))
            continue
        targets = _end_target(d, fortran)
        if not fortran and not any(t.startswith("begin ") or t == "declare target" for t in targets):
            continue
        idx = -1
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][0].name in targets:
                idx = k
                break
        label = d.name[4:]
        if idx < 0:
            top = next((o for o, kind in reversed(stack) if kind == "required"), None)
            near = stack[-1][0] if stack else None
            if near is not None and near.name.endswith(" " + label) and (top is None or near is not top):
                # "end do" after "parallel do": the likely intent is the combined end
                msg = (
                    f"'{d.name}' has no matching '{label}'; did you mean 'end {near.name}' "
                    f"(for the '{near.name}' at line {near.first_line + 1})?"
                )
                related = [Related(near.name_span, f"'{near.name}' opened here")]
            elif top is not None:
                msg = (
                    f"'{d.name}' does not match the open '{top.name}' (line {top.first_line + 1}); "
                    f"expected 'end {top.name}'"
                )
                related = [Related(top.name_span, f"'{top.name}' opened here")]
                mentioned.add(id(top))
            else:
                msg = f"'{d.name}' has no matching '{label}'"
                related = []
            yield Finding("omp-directive-unmatched-end", msg, d.name_span, Severity.ERROR, related=related)
            continue
        inner_required = [o for o, kind in stack[idx + 1 :] if kind == "required"]
        opener = stack[idx][0]
        if inner_required:
            o = inner_required[-1]
            yield Finding(
                "omp-directive-unmatched-end",
                f"'{d.name}' while '{o.name}' (line {o.first_line + 1}) is still open; expected 'end {o.name}' first",
                d.name_span,
                Severity.ERROR,
                related=[Related(o.name_span, f"'{o.name}' opened here")],
            )
        elif (
            opener.name == "critical" and _arg_key(opener) != _arg_key(d) and (opener.argument or d.argument)
        ):
            yield Finding(
                "omp-directive-unmatched-end",
                f"'end critical{'(' + d.argument + ')' if d.argument else ''}' does not match "
                f"'critical{'(' + opener.argument + ')' if opener.argument else ''}' (line {opener.first_line + 1})",
                d.name_span,
                Severity.ERROR,
                related=[Related(opener.name_span, "critical section opened here")],
            )
        del stack[idx:]
    for o, kind in stack:
        if kind != "required" or id(o) in mentioned:
            continue
        end = f"!$omp end {o.name}" if fortran else f"#pragma omp end {o.name.removeprefix('begin ')}"
        yield Finding(
            "omp-directive-unmatched-end",
            f"'{o.name}' is never closed: add '{end}' after its block",
            o.name_span,
            Severity.ERROR,
        )
