"""Thread-id branches: code under ``if (omp_get_thread_num() == c)`` runs on one thread only.

Two accesses guarded by the same constant thread id are executed by the same thread, in program
order, so they never race with each other (they still race with other threads' accesses). The
thread id is either a direct ``omp_get_thread_num()`` call or a private variable assigned from
it (``Function.thread_ids``).
"""

from __future__ import annotations

import re

from hpclsp.analysis.ir import Access

_NAME = r"(omp_get_thread_num\s*\(\s*\)|[A-Za-z_]\w*)"
_EQ = re.compile(rf"^{_NAME}\s*(?:==|\.eq\.)\s*(\d+)$", re.I)
_EQ_REV = re.compile(rf"^(\d+)\s*(?:==|\.eq\.)\s*{_NAME}$", re.I)


def _strip(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        inner = text[1:-1].strip()
        depth = 0
        for ch in inner:
            depth += (ch == "(") - (ch == ")")
            if depth < 0:
                return text
        text = inner
    return text


def thread_guard(access: Access, tids: set[str], stop: int, fortran: bool) -> int | None:
    """The constant ``c`` when the access only runs in the *then* branch of ``if (tid == c)`` (below ``stop``)."""
    got = thread_branch(access, tids, stop, fortran)
    return got[0] if got is not None else None


def thread_branch(access: Access, tids: set[str], stop: int, fortran: bool) -> tuple[int, int, int] | None:
    """``(c, start, end)``: the thread id and byte extent of the ``if (tid == c)`` the access runs under."""
    node = access.node
    p = node.parent
    names = {t.lower() for t in tids} if fortran else set(tids)
    while p is not None and p.start_byte > stop:
        if p.type == "if_statement":
            cond = p.child_by_field_name("condition")
            if cond is None:
                cond = next((c for c in p.named_children if c.type == "parenthesized_expression"), None)
            alt = p.child_by_field_name("alternative")
            in_else = any(
                c.start_byte <= node.start_byte < c.end_byte
                for c in p.named_children
                if c.type in ("else_clause", "elseif_clause") or (alt is not None and c.id == alt.id)
            )
            if cond is not None and not in_else and not (cond.start_byte <= node.start_byte < cond.end_byte):
                text = _strip(cond.text.decode("utf-8", "replace") if cond.text else "")
                m = _EQ.match(text)
                name, val = (m.group(1), m.group(2)) if m else (None, None)
                if m is None:
                    m = _EQ_REV.match(text)
                    name, val = (m.group(2), m.group(1)) if m else (None, None)
                if name is not None and val is not None:
                    key = name.lower() if fortran else name
                    if re.match(r"omp_get_thread_num\s*\(", key, re.I) or key in names:
                        return int(val), p.start_byte, p.end_byte
        p = p.parent
    return None
