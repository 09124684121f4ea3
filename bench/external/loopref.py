"""A per-loop reference from OpenMP pragmas already in a file (DataRaceBench's race-free kernels).

A loop is parallel in the reference when an OpenMP *loop* directive stands just above it in the
original file (blank lines and comments between them allowed): a directive whose construct names
include ``for``, ``do``, ``simd``, ``distribute``, ``taskloop`` or ``loop`` (so ``parallel for``,
``for`` inside a parallel region, ``target teams distribute parallel for``, ``taskloop``, ``simd``
...). Every other counted loop (C ``for``, Fortran counted ``do``) is serial, including the loops
nested in a parallel one. The loops a ``collapse(n)`` folds into a directive's loop (the n-1 loops that
follow it) are left out: they are not loops the experts parallelized on their own.

The clause tokens are the directive's own data-sharing clauses (``private``, ``firstprivate``,
``lastprivate``, ``reduction``), in AutoParBench's form (``private:t``, ``reduction:+:s``); clauses
of an enclosing ``parallel`` construct are not read. Fortran names are lowercased.
"""

from __future__ import annotations

import re
from typing import Any

from bench.external import clauses, neutral

_LOOP_NAMES = {"for", "do", "simd", "distribute", "taskloop", "loop"}
_CONSTRUCT_NAMES = _LOOP_NAMES | {"parallel", "target", "teams", "master", "masked"}
_C_FOR = re.compile(r"\bfor\s*\(")
_C_INDEX = re.compile(r"\bfor\s*\(\s*(?:[A-Za-z_]\w*\s+)*([A-Za-z_]\w*)\s*=")
_F_DO = re.compile(r"^(\s*(?:\d+\s+)?(?:[a-z_]\w*\s*:\s*)?)do\s+(?:\d+\s*,?\s*)?([a-z_]\w*)\s*=", re.I)
_F_DIRECTIVE = re.compile(r"^\s*[!cC*]\$omp&?", re.I)
_CLAUSE = re.compile(r"(?<![\w])(private|firstprivate|lastprivate|reduction|collapse)\s*\(([^()]*)\)", re.I)


def directive_names(directive: str) -> list[str]:
    """The construct names a directive starts with (``parallel for`` of ``parallel for private(t)``)."""
    body = re.sub(r"^\s*(?:#\s*pragma\s+omp|[!cC*]\$omp)\s*", "", directive, flags=re.I)
    names = []
    for m in re.finditer(r"([A-Za-z_]\w*)(\s*\()?", body):
        word = m.group(1).lower()
        if m.group(2) or word not in _CONSTRUCT_NAMES:
            break
        names.append(word)
    return names


def is_loop_directive(directive: str) -> bool:
    """Whether a directive parallelizes (or vectorizes) the loop below it."""
    return bool(_LOOP_NAMES & set(directive_names(directive)))


def directive_clauses(directive: str, fortran: bool) -> tuple[set[str], int]:
    """The data-sharing clause tokens of a directive and its ``collapse`` count (1 without one)."""
    tokens: set[str] = set()
    collapse = 1
    for kind, args in _CLAUSE.findall(directive):
        kind = kind.lower()
        args = args.lower() if fortran else args
        if kind == "collapse":
            collapse = int(args.strip()) if args.strip().isdigit() else 1
        elif kind == "reduction":
            op, _, names = args.rpartition(":")
            tokens |= {f"reduction:{op.strip().lower()}:{v.strip()}" for v in names.split(",") if v.strip()}
        else:
            names = args.rpartition(":")[2]  # lastprivate(conditional: x)
            tokens |= {f"{kind}:{v.strip()}" for v in names.split(",") if v.strip()}
    return tokens, collapse


def fortran_directive_above(lines: list[str], loop_line: int) -> str | None:
    """The ``!$omp`` directive written just above a Fortran loop (continuation lines joined), if any."""
    k = loop_line - 2
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0 or not _F_DIRECTIVE.match(lines[k]):
        return None
    end = k
    while k > 0 and _F_DIRECTIVE.match(lines[k - 1]) and lines[k - 1].rstrip().endswith("&"):
        k -= 1
    parts = [_F_DIRECTIVE.sub("", ln).strip().rstrip("&").lstrip("&") for ln in lines[k : end + 1]]
    return "!$omp " + " ".join(parts)


def _fortran_do(line: str) -> re.Match[str] | None:
    """A counted Fortran ``do`` statement on a line (group 1: what precedes ``do``; 2: the index)."""
    return None if _F_DIRECTIVE.match(line) else _F_DO.match(line)


def fortran_do_index(line: str) -> str | None:
    """The (lowercased) index of a counted Fortran ``do`` statement on a line, if the line is one."""
    m = _fortran_do(line)
    return m.group(2).lower() if m else None


def _loops(lines: list[str], fortran: bool) -> list[tuple[int, int, str | None]]:
    """(1-based line, 1-based column, index variable) of every counted loop, in document order."""
    out: list[tuple[int, int, str | None]] = []
    for n, line in enumerate(lines, start=1):
        if fortran:
            m = _fortran_do(line)
            if m:
                out.append((n, len(m.group(1)) + 1, m.group(2).lower()))
            continue
        for m in _C_FOR.finditer(line):
            idx = _C_INDEX.match(line, m.start())
            out.append((n, m.start() + 1, idx.group(1) if idx else None))
    return out


def reference_from_pragmas(text: str, path: str) -> list[dict[str, Any]]:
    """The reference loops of a file (see the module docstring), in AutoParBench's entry form."""
    fortran = path.lower().endswith((".f", ".f90", ".f95", ".f03", ".f08", ".for", ".f77"))
    lines = neutral.blank_comments(text, path).splitlines()
    loops = _loops(lines, fortran)
    folded: set[int] = set()
    out = []
    for k, (line, col, ind) in enumerate(loops):
        if k in folded:
            continue
        above = fortran_directive_above(lines, line) if fortran else clauses.pragma_above(lines, line)
        parallel = above is not None and is_loop_directive(above)
        tokens: set[str] = set()
        if parallel and above is not None:
            tokens, collapse = directive_clauses(above, fortran)
            tokens = {t for t in tokens if t.partition(":")[2] != ind}
            folded.update(range(k + 1, k + collapse))
        out.append({"line": line, "column": col, "parallel": parallel, "induction": ind, "clauses": tokens})
    return out
