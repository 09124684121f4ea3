"""When the advisor's data-sharing clauses and the experts' count as the same (AutoParBench scoring).

Two spellings of one program are not two answers. The comparison first reads the expert pragma
itself for the reductions (AutoParBench's JSON keeps only the last ``reduction`` clause of a pragma
that has several), then drops, from both sides, the tokens that do not change what the loop does:

- ``private(v)`` or ``firstprivate(v)`` for a variable the loop never mentions (its pragmas aside);
- ``firstprivate(v)`` when the loop never assigns ``v`` itself: every thread starts from the value
  it would have read from the shared ``v`` (element writes through a pointer ``v`` reach the same
  memory either way);
- ``firstprivate(v)`` counts as ``private(v)`` when the loop body's first mention of ``v`` is an
  unconditional assignment (``v = ...;`` or ``for (v = ...``) directly in the body: the copied-in
  value is never read;
- ``private(v)`` or ``firstprivate(v)`` for a variable used only inside nested loops that the expert
  parallelized with their own pragmas, each privatizing it (as its index, ``private`` or
  ``firstprivate``): in the experts' program the inner constructs already give each thread its copy
  (``lastprivate`` is kept: it changes the value seen after the loop);
- ``private(v)`` when ``v`` is the index of a loop that the advisor's ``collapse`` folds in: the
  iteration variables of collapsed loops are private anyway.

Lines are 1-based and inclusive; ``text`` is the original (unblanked) source. The loop's text never
includes the ``#pragma omp`` lines inside it (a clause list is not code).
"""

from __future__ import annotations

import re
from typing import Any

_PRAGMA = re.compile(r"^\s*#\s*pragma\s+omp\b")
_REDUCTION = re.compile(r"\breduction\s*\(\s*([^:()]+?)\s*:\s*([^()]*)\)")


def _word(v: str) -> str:
    return rf"(?<![\w.>]){re.escape(v)}(?!\w)"


def pragma_above(lines: list[str], loop_line: int) -> str | None:
    """The ``#pragma omp`` directive written just above a loop (continuation lines joined), if any."""
    k = loop_line - 2
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0:
        return None
    end = k
    while k > 0 and lines[k - 1].rstrip().endswith("\\"):
        k -= 1
    if not _PRAGMA.match(lines[k]):
        return None
    return " ".join(ln.rstrip().rstrip("\\") for ln in lines[k : end + 1])


def pragma_reductions(pragma: str) -> set[str]:
    """``reduction:op:v`` for every variable of every reduction clause of a directive."""
    out = set()
    for op, names in _REDUCTION.findall(pragma):
        out |= {f"reduction:{op.strip()}:{v.strip()}" for v in names.split(",") if v.strip()}
    return out


def assigned(text: str, v: str) -> bool:
    """Whether loop text may assign the variable ``v`` itself (not an element it points to): a plain or
    compound assignment, an increment, a member assignment, its address taken, or ``v`` passed bare to
    a call or macro (which may assign it)."""
    w = _word(v)
    patterns = (
        rf"{w}\s*(?:\.\s*\w+\s*)*(?:=(?!=)|[-+*/%&|^]=|<<=|>>=|\+\+|--)",
        rf"(?:\+\+|--)\s*{w}",
        rf"&\s*{w}",
        rf"[(,]\s*{w}\s*[,)]",
    )
    return any(re.search(p, text) for p in patterns)


def _mentions(text: str, v: str) -> bool:
    return re.search(_word(v), text) is not None


_CONDITIONAL_TAIL = re.compile(r"(?:\)|\belse|:)\s*$")


def _defined_first(code: list[str], v: str) -> bool:
    """Whether the first mention of v in a loop's body (``code[0]`` is the loop header) is an assignment
    that every iteration executes: ``v = ...`` or ``for (v = ...`` starting a statement directly in
    the body, not under an unbraced ``if``/``else``/label, whose value does not read v."""
    depth = code[0].count("{") - code[0].count("}")
    prev = code[0]
    for line in code[1:]:
        m = re.search(_word(v), line)
        if m is None:
            depth += line.count("{") - line.count("}")
            if line.strip():
                prev = line
            continue
        head = line[: m.start()]
        depth += head.count("{") - head.count("}")
        stmt = re.fullmatch(r"\s*(?:for\s*\(\s*)?", head) is not None
        rhs = re.match(r"\s*=(?!=)([^;]*)", line[m.end() :])
        assigns = rhs is not None and not _mentions(rhs.group(1), v)
        return depth <= 1 and stmt and assigns and not _CONDITIONAL_TAIL.search(prev)
    return False


def _privatized_by(inner: dict[str, Any]) -> set[str]:
    """The variables an expert pragma on an inner loop gives each thread its own copy of."""
    out = {inner["induction"]} if inner.get("induction") else set()
    for t in inner["clauses"]:
        kind, _, rest = t.partition(":")
        if kind in ("private", "firstprivate"):
            out.add(rest)
    return out


def normalized(
    tokens: set[str],
    lines: list[str],
    span: tuple[int, int],
    inner: list[tuple[tuple[int, int], dict[str, Any]]],
    collapsed: frozenset[str] = frozenset(),
) -> set[str]:
    """tokens without the ones that do not change the loop (see the module docstring).

    ``span`` is the loop's line range; ``inner`` holds the expert-parallel loops nested in it, each
    with its line range and reference entry; ``collapsed`` the indices of the loops the advisor's
    ``collapse`` clause folds into it (predetermined private, so ``private`` on them changes nothing)."""
    first, last = span
    code = [ln if not _PRAGMA.match(ln) else "" for ln in lines[first - 1 : last]]
    body = "\n".join(code)
    out = set()
    for t in tokens:
        kind, _, rest = t.partition(":")
        name = rest.rpartition(":")[2] if kind == "reduction" else rest
        if kind in ("private", "firstprivate") and not _mentions(body, name):
            continue
        if kind == "firstprivate" and not assigned(body, name):
            continue
        if kind == "firstprivate" and _defined_first(code, name):
            kind, t = "private", f"private:{name}"
        if kind == "private" and name in collapsed:
            continue
        if kind in ("private", "firstprivate") and _inner_private(name, lines, span, inner):
            continue
        out.add(t)
    return out


def _inner_private(
    name: str, lines: list[str], span: tuple[int, int], inner: list[tuple[tuple[int, int], dict[str, Any]]]
) -> bool:
    """True when every line of the loop that mentions name lies in a nested expert-parallel loop whose
    pragma privatizes name (there may be several such loops, one after another)."""
    first, last = span
    covered = [(a, b) for (a, b), ref in inner if name in _privatized_by(ref)]
    if not covered:
        return False
    for n in range(first, last + 1):
        if any(a <= n <= b for a, b in covered):
            continue
        line = lines[n - 1] if n - 1 < len(lines) else ""
        if not _PRAGMA.match(line) and _mentions(line, name):
            return False
    return True
