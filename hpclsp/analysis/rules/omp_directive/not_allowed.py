"""``omp-clause-not-allowed``: a clause the directive does not accept, or no OpenMP clause at all.

The spec's per-directive clause sets (``openmp.spec``) decide; the rule explains the usual
misunderstandings (``nowait`` on a combined ``parallel`` construct, ``copyprivate`` off
``single``) and removes or renames the clause.
"""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Edit, Finding, Fix, Severity
from hpclsp.analysis.openmp import spec
from hpclsp.analysis.rules.omp_directive._common import (
    closest,
    directive_rule,
    directives,
    family_of,
    label,
    prefixed,
    remove_fix,
)

_NOT_ALLOWED_HINTS = {
    "nowait": "a combined construct with a 'parallel' leaf ends with the region's own barrier",
    "copyprivate": "copyprivate belongs on 'single'",
}


@directive_rule(
    "omp-clause-not-allowed",
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
    fam = family_of(src.language)
    lang_clauses = set(spec.clause_names(fam))
    for d in directives(ctx):
        info = d.info
        if info is None:
            continue
        allowed = set(spec.clauses_for(d.name, fam))
        for c in d.clauses:
            if c.name.startswith("ompx_"):
                continue
            if c.name not in lang_clauses:
                cand = closest(c.name, allowed or lang_clauses, cutoff=0.75)
                pre = prefixed(c.name, allowed)
                fixes = []
                if cand is not None:
                    msg = f"unknown clause '{c.name}'; did you mean '{cand[0]}'?"
                    if c.name_span is not None and cand[1] >= 0.8:
                        fixes.append(Fix(f"Rename to '{cand[0]}'", (Edit(c.name_span, cand[0]),), True))
                elif pre:
                    msg = f"unknown clause '{c.name}'; did you mean '{pre[0]}'?"
                else:
                    msg = f"unknown clause '{c.name}' on {label(d)}"
                yield Finding("omp-clause-not-allowed", msg, c.span, Severity.ERROR, fixes=fixes)
                continue
            if c.name in allowed:
                continue
            msg = f"clause '{c.name}' is not allowed on {label(d)}"
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
                fixes=[remove_fix(src, c, f"Remove '{c.name}'")],
            )
