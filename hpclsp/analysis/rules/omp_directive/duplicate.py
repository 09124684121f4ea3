"""``omp-clause-duplicate``: a clause the spec allows once per directive, given twice.

Uniqueness is a property in the clause table (``openmp.spec_tables``); ``if`` and ``defaultmap``
are unique per construct modifier or variable category and memory-order clauses are unique as a
group, which is why this rule is more than a count of names.
"""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding, Related, Severity
from hpclsp.analysis.openmp import spec, spec_tables
from hpclsp.analysis.openmp.model import Clause
from hpclsp.analysis.rules.omp_directive._common import directive_rule, directives, label, remove_fix

_MEMORY_ORDER = set(spec_tables.MEMORY_ORDERS)


def _norm(text: str | None) -> str:
    return "".join((text or "").split()).lower()


@directive_rule(
    "omp-clause-duplicate",
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
    for d in directives(ctx):
        if d.info is None:
            continue
        first: dict[tuple[str, str], Clause] = {}
        mem_first: Clause | None = None
        for c in d.clauses:
            ci = spec.clause_info(c.name)
            if ci is None:
                continue
            if c.name in _MEMORY_ORDER:
                if mem_first is not None:
                    yield Finding(
                        "omp-clause-duplicate",
                        f"at most one memory-order clause may appear on {label(d)} "
                        f"('{mem_first.name}' and '{c.name}')",
                        c.span,
                        Severity.ERROR,
                        related=[Related(mem_first.span, f"'{mem_first.name}' given here")],
                        fixes=[remove_fix(src, c, f"Remove '{c.name}'")] if mem_first.name == c.name else [],
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
                    f"'{c.name}' may appear at most once on {label(d)}"
                    + ("" if same else f" (first given as '{_clause_text(prev)}')"),
                    c.span,
                    Severity.ERROR,
                    related=[Related(prev.span, f"first '{c.name}' clause")],
                    fixes=[remove_fix(src, c, f"Remove the duplicate '{c.name}'")] if same else [],
                )
                continue
            first[keys[0]] = c


def _clause_text(c: Clause) -> str:
    return c.name if c.args is None else f"{c.name}({c.args})"
