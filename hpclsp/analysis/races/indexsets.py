"""Indirect subscripts through index arrays whose contents are visible in the file.

``x[idx[i]]`` (or ``t = idx[i]; x[t + c]``) in a parallel loop over ``i``: when ``idx`` is
initialised with a constant list and never written, the elements each iteration touches are
known. Two iterations collide exactly when two entries (shifted by the accesses' offsets) are
equal: then the race is certain; when all are distinct, there is none.
"""

from __future__ import annotations

import re

from hpclsp.analysis.ir import Access, Affine, FileIR, Function, Loop

#: Longest index list evaluated (bounds the work).
MAX_VALUES = 4096


def initial_values(ir: FileIR, name: str) -> list[int] | None:
    """The constant initializer list of a C array (``int idx[N] = {...}``), zero-filled to its size."""
    m = re.search(
        rf"\b{re.escape(name)}\s*\[\s*([A-Za-z_]\w*|\d*)\s*\]\s*=\s*\{{([^{{}}]*)\}}", ir.source.text
    )
    if m is None:
        return None
    try:
        vals = [int(v, 0) for v in re.split(r"\s*,\s*", m.group(2).strip().rstrip(",")) if v]
    except ValueError:
        return None
    size_text = m.group(1)
    size = None
    if size_text.isdigit():
        size = int(size_text)
    elif size_text:
        dm = re.search(rf"^[ \t]*#[ \t]*define[ \t]+{re.escape(size_text)}[ \t]+(\d+)", ir.source.text, re.M)
        size = int(dm.group(1)) if dm else None
    if size is not None and size > len(vals):
        vals += [0] * (size - len(vals))  # the rest of an initialised array is zero
    return vals[:MAX_VALUES]


def _never_written(ir: FileIR, name: str) -> bool:
    return not any(a.base == name and (a.is_write or a.in_call is not None) for a in ir.accesses)


def _lookup(f: Function, lp: Loop, var: str) -> str | None:
    """The index array ``idx`` when the private scalar ``var`` is assigned ``idx[i]`` once in the loop body."""
    p = lp.index or ""
    defs = [a for a in f.accesses if a.base == var and a.is_write and lp.contains(a.start)]
    if len(defs) != 1 or defs[0].stmt is None:
        return None
    text = (defs[0].stmt.text or b"").decode("utf-8", "replace")
    m = re.fullmatch(
        rf"\s*(?:[A-Za-z_][\w\s\*]*\s)?{re.escape(var)}\s*=\s*([A-Za-z_]\w*)\s*\[\s*{re.escape(p)}\s*\]\s*;?\s*",
        text,
    )
    return m.group(1) if m else None


def _offsets(ir: FileIR, f: Function, lp: Loop, e: Affine | None) -> tuple[list[int], int] | None:
    """``(values, c)`` when the subscript is ``t + c`` with ``t`` looked up from a visible index array."""
    if e is None or len(e.coeffs) != 1 or e.coeffs[0][1] != 1:
        return None
    var = e.coeffs[0][0]
    arr = _lookup(f, lp, var)
    if arr is None or not _never_written(ir, arr):
        return None
    vals = initial_values(ir, arr)
    if vals is None:
        return None
    return vals, e.const


def collide(ir: FileIR, f: Function, a: Access, b: Access, lp: Loop) -> bool | None:
    """True: two iterations touch the same element; False: never; None: not decidable here."""
    if len(a.subscripts) != 1 or len(b.subscripts) != 1 or lp.lower is None or lp.upper is None:
        return None
    if not (lp.lower.is_const and lp.upper.is_const) or lp.step != 1:
        return None
    ia, ib = _offsets(ir, f, lp, a.subscripts[0]), _offsets(ir, f, lp, b.subscripts[0])
    if ia is None or ib is None or ia[0] != ib[0]:
        return None
    vals = ia[0]
    lo, hi = lp.lower.const, lp.upper.const
    if lo < 0 or hi >= len(vals):
        return None
    seen: dict[int, list[int]] = {}
    for i in range(lo, hi + 1):
        its = seen.setdefault(vals[i] + ia[1], [])
        if len(its) < 2:
            its.append(i)
    for j in range(lo, hi + 1):
        if any(i != j for i in seen.get(vals[j] + ib[1], ())):
            return True
    return False
