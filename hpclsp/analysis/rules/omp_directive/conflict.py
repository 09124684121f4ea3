"""``omp-clause-conflict``: one variable in two data-sharing clauses the spec forbids together.

A variable has one data-sharing attribute per region; two conflicting clauses show the confusion
behind many races, so the rule reports them on the directive itself, with the first listing as
related information. Combined constructs split clauses over their leaves, which this rule
respects.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding, Related, Severity, Span
from hpclsp.analysis.rules.omp_directive._common import directive_rule, directives, label

_PRIVATISING = ("private", "firstprivate", "lastprivate", "reduction", "linear")
#: Pairs of data-sharing clauses that may not name the same variable on one directive
#: (OpenMP 5.2 §5.4: a list item may appear in at most one data-sharing attribute clause,
#: except firstprivate together with lastprivate; lastprivate with linear is not reported).
_ALWAYS_CONFLICT = {frozenset(p) for p in itertools.combinations(_PRIVATISING, 2)} - {
    frozenset({"firstprivate", "lastprivate"}),
    frozenset({"lastprivate", "linear"}),
}
#: Conflicts only when both clauses apply to the same leaf, i.e. on non-combined directives
#: (on ``parallel for``, ``shared`` goes to ``parallel`` and the privatising clause to ``for``).
_LEAF_CONFLICT = {frozenset({"shared", c}) for c in _PRIVATISING}
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


@directive_rule(
    "omp-clause-conflict",
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
    for d in directives(ctx):
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
                        f"{why} on {label(d)}",
                        sp,
                        Severity.ERROR,
                        related=[Related(prev_sp, f"'{item}' already listed in '{prev_cls}' here")],
                        data={"variable": item, "clauses": [prev_cls, cls]},
                    )
                seen.setdefault(key, []).append((cls, sp))
