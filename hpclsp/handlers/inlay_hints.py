"""textDocument/inlayHint: the data-sharing attribute of every variable at an OpenMP construct.

At the end of each directive that opens a data environment (``parallel``, ``for``/``do``,
``task``, ``target``, ``teams``, ``sections``, ``single``, ``simd``...) one hint lists the
variables the construct's code uses, grouped by attribute: ``shared: a, n · private: i, t ·
reduction(+): s``. Implicit attributes count as much as the written ones (the loop index is
private, variables declared inside are private, the rest is shared by default); under
``default(none)`` a variable that no clause lists is shown as ``unlisted``. Each group's tooltip
says why, variable by variable. The attributes come from ``analysis.openmp.datasharing``, the same
resolution the race checker uses.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import re
from typing import TYPE_CHECKING

from lsprotocol import types

from hpclsp.analysis.ir import Construct, FileIR, build_ir
from hpclsp.analysis.openmp import datasharing
from hpclsp.documents import Document, split_lines, utf16_len

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

#: Construct words that open a data environment (clauses such as private/shared apply there).
DATA_WORDS = frozenset(
    {
        "parallel",
        "for",
        "do",
        "simd",
        "loop",
        "task",
        "taskloop",
        "target",
        "teams",
        "distribute",
        "sections",
        "single",
        "scope",
    }
)
#: Worksharing construct words (they bind to the innermost enclosing team).
WORKSHARING = frozenset({"for", "do", "sections", "single", "scope", "loop", "workshare"})
#: Display order of the groups.
ORDER = (
    "shared",
    "private",
    "firstprivate",
    "lastprivate",
    "linear",
    "reduction",
    "threadprivate",
    "unlisted",
)
#: At most this many names per group in the label (the tooltip lists them all).
MAX_NAMES = 8

_IDENT = re.compile(r"[A-Za-z_]\w*")
_PARAMETER = re.compile(rb",\s*parameter\b", re.IGNORECASE)
#: Readable reasons for the tooltips (datasharing's terse ones as keys).
REASONS = {
    "implicit shared": "not listed: shared by default in the region",
    "declared outside the region": "declared outside the region: shared",
    "loop iteration variable": "loop iteration variable: predetermined private",
    "Fortran loop iteration variable": "index of a loop inside the region: predetermined private",
    "declared inside the construct": "declared inside the construct: private",
    "threadprivate": "threadprivate: one copy per thread",
    "scalar in a target region": "scalar not mapped: firstprivate in the target region",
    "task: private in the enclosing context": "private where the task is created: firstprivate",
}


@dataclasses.dataclass(frozen=True)
class VarAttribute:
    """One variable's attribute at a construct, as the hint shows it."""

    name: str
    kind: str  # a key of ORDER
    label: str  # group label: "shared", "reduction(+)", ...
    reason: str
    implicit: bool


def _base(text: str) -> str | None:
    m = _IDENT.match(text.strip())
    return m.group(0) if m else None


def _is_variable(ir: FileIR, name: str, byte: int) -> bool:
    """True for names with a variable declaration in scope (not Fortran named constants)."""
    d = ir.decl(name, byte)
    if d is None:
        return False
    if ir.source.language != "fortran":
        return True
    if d.const is not None:
        return False  # Fortran integer PARAMETER: a named constant has no data-sharing attribute
    head = ir.source.data[d.decl_byte : d.decl_byte + 400].split(b"\n", 1)[0].split(b"::", 1)[0]
    return not _PARAMETER.search(head)


def _access_index(ir: FileIR) -> tuple[list[int], list[tuple[int, str]]]:
    """(start bytes, (start, base name)) of every access, sorted; built once per analysed text."""
    cache = ir.source.cache
    idx = cache.get("inlay_hints.accesses")
    if idx is None or idx[0] is not ir:
        fortran = ir.source.language == "fortran"
        named = []
        for acc in ir.accesses:
            b = _base(acc.text) or acc.base
            if b:
                named.append((acc.start, b.lower() if fortran else b))
        named.sort()
        idx = (ir, [a for a, _ in named], named)
        cache["inlay_hints.accesses"] = idx
    return idx[1], idx[2]


def _uses(ir: FileIR, c: Construct) -> dict[str, int]:
    """Variables named in the construct's clauses or used in its code -> a byte where they occur."""
    fortran = ir.source.language == "fortran"
    out: dict[str, int] = {}
    for cl in c.clauses:
        if cl.name in ("if", "num_threads", "schedule", "collapse", "device", "map", "depend"):
            continue
        for it in cl.items:
            b = _base(it)
            if b:
                out.setdefault(b.lower() if fortran else b, c.start)
    starts, named = _access_index(ir)
    for k in range(bisect.bisect_left(starts, c.start), bisect.bisect_left(starts, c.end)):
        at, key = named[k]
        if key not in out or out[key] == c.start:
            out[key] = at
    for lp in c.loops:
        if lp.index:
            out.setdefault(lp.index, lp.node.start_byte)
    return {n: b for n, b in out.items() if _is_variable(ir, n, b)}


def _reduction_op(c: Construct | None, name: str, fortran: bool) -> str | None:
    if c is None:
        return None
    for cl in c.clauses:
        if cl.name in ("reduction", "in_reduction", "task_reduction"):
            items = {(_base(i) or "").lower() if fortran else _base(i) for i in cl.items}
            if (name.lower() if fortran else name) in items:
                return cl.modifier
    return None


def attributes(ir: FileIR, c: Construct) -> list[VarAttribute]:
    """Every variable used at construct ``c`` with its data-sharing attribute, sorted by name."""
    fortran = ir.source.language == "fortran"
    func = ir.function_at(c.start)
    chain = datasharing.around(ir, c)
    # An orphaned worksharing construct binds to the team of whatever parallel region calls the
    # function (simd, task and target have rules of their own, which resolve() applies).
    orphaned = bool(WORKSHARING & set(c.words)) and not any(
        o.has("parallel") or o.has("teams") for o in chain
    )
    out = []
    for name, byte in sorted(_uses(ir, c).items()):
        s = datasharing.resolve(ir, name, byte, chain[-1], func, chain=chain)
        kind, reason = s.kind, s.reason
        explicit = "clause" in reason
        if reason == "default(none)" and s.shared:
            kind, reason = "unlisted", "default(none): no data-sharing clause lists it"
        elif orphaned and not explicit and kind == "shared":
            # An orphaned construct: its team comes from the caller. Automatic locals of the
            # function are private to each thread that runs it; a Fortran dummy argument shares
            # like the caller's actual argument, which is not known here, so it gets no hint.
            d = ir.decl(name, byte)
            if d is not None and fortran and d.storage == "param":
                continue
            if d is not None and (d.storage == "local" or d.storage == "param"):
                if not (fortran and "save" in d.type_text.lower()):
                    kind, reason = "private", "automatic local of the function: private to each thread"
        label = kind
        if kind == "reduction":
            op = _reduction_op(s.construct, name, fortran)
            label = f"reduction({op})" if op else "reduction"
        out.append(VarAttribute(name, kind, label, reason, not explicit))
    return out


def _tooltip(attrs: list[VarAttribute]) -> str:
    lines = []
    for a in attrs:
        why = REASONS.get(a.reason, a.reason)
        lines.append(f"- `{a.name}`: **{a.label}** — {'implicit' if a.implicit else 'explicit'}, {why}")
    return "\n".join(lines)


def construct_hint(lines: list[str], ir: FileIR, c: Construct) -> types.InlayHint | None:
    """The hint for one construct, placed after its directive (None when it uses no variable)."""
    attrs = attributes(ir, c)
    if not attrs:
        return None
    groups: dict[str, list[VarAttribute]] = {}
    for a in attrs:
        groups.setdefault(a.label, []).append(a)
    labels = sorted(groups, key=lambda g: (ORDER.index(groups[g][0].kind), g))
    parts: list[types.InlayHintLabelPart] = []
    for k, label in enumerate(labels):
        members = groups[label]
        names = [a.name for a in members]
        shown = ", ".join(names[:MAX_NAMES]) + (
            f", +{len(names) - MAX_NAMES}" if len(names) > MAX_NAMES else ""
        )
        if k:
            parts.append(types.InlayHintLabelPart(value=" · "))
        parts.append(
            types.InlayHintLabelPart(
                value=f"{label}: {shown}",
                tooltip=types.MarkupContent(kind=types.MarkupKind.Markdown, value=_tooltip(members)),
            )
        )
    d = c.directive
    text = lines[d.last_line] if d.last_line < len(lines) else ""
    return types.InlayHint(
        position=types.Position(line=d.last_line, character=utf16_len(text.rstrip())),
        label=parts,
        padding_left=True,
        tooltip=f"OpenMP data-sharing at `{c.name}` (hpclsp)",
    )


def inlay_hints(doc: Document, first_line: int = 0, last_line: int | None = None) -> list[types.InlayHint]:
    """Data-sharing hints for the constructs whose directive ends within [first_line, last_line]."""
    if not doc.analyzable:
        return []
    # Only the snapshot is read (positions too), so this may run in a worker thread while the
    # event loop applies edits to the document.
    src = doc.source()
    ir = build_ir(src)
    lines = split_lines(src.text)
    hints = []
    for c in ir.constructs:
        d = c.directive
        if c.standalone or d.is_end or not (DATA_WORDS & set(c.words)):
            continue
        if d.last_line < first_line or (last_line is not None and d.last_line > last_line):
            continue
        try:
            hint = construct_hint(lines, ir, c)
        except Exception:
            log.exception("inlay hint for %s failed", c)
            continue
        if hint is not None:
            hints.append(hint)
    return hints


def register(ls: HpcLanguageServer) -> None:
    """Register textDocument/inlayHint."""

    @ls.thread()
    @ls.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    def inlay_hint(ls: HpcLanguageServer, params: types.InlayHintParams) -> list[types.InlayHint] | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        return inlay_hints(doc, params.range.start.line, params.range.end.line)
