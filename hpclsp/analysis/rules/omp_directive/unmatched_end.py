"""``omp-directive-unmatched-end``: a Fortran ``end`` directive without its construct, or one never closed.

Pairing openers with ``end`` directives needs a stack over the whole directive list (and, in C,
the ``begin``/``end`` pragma pairs), unlike the per-directive checks of the other rules; a wrong
pairing silently moves the end of a region.
"""

from __future__ import annotations

from collections.abc import Iterator

from hpclsp.analysis.context import Context
from hpclsp.analysis.findings import Finding, Related, Severity
from hpclsp.analysis.openmp import spec
from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.rules.omp_directive._common import directive_rule, directives


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
    return spec.end_kind(d.name, "fortran")


def _end_target(d: Directive, fortran: bool) -> set[str]:
    base = d.name[4:]
    if fortran:
        return {base}
    return {base, "begin " + base}


def _arg_key(d: Directive) -> str:
    return "".join((d.argument or "").split()).lower()


@directive_rule(
    "omp-directive-unmatched-end",
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
    for d in directives(ctx):
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
