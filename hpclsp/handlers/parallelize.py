"""The advisor in the editor: "Parallelize loop" code actions, a hover explaining why a loop cannot be
parallelized, and the ``hpclsp.suggestParallelization`` command that applies every suggestion of a file.
"""

from __future__ import annotations

import logging
from types import ModuleType
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from hpclsp.analysis.findings import Pos, Span
from hpclsp.handlers.diagnostics import to_diagnostic

if TYPE_CHECKING:
    from hpclsp.analysis import advisor
    from hpclsp.documents import Document
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

KIND_PARALLELIZE = "refactor.rewrite.parallelize"
COMMAND = "hpclsp.suggestParallelization"


def _advisor() -> ModuleType:
    """The advisor module, imported on first use (keeps it out of the server's start-up)."""
    from hpclsp.analysis import advisor

    return advisor


def _advice(doc: Document) -> list[advisor.LoopAdvice]:
    if not doc.language:
        return []
    return _advisor().advise(doc.source())


def _text_edits(doc: Document, edits: list[Any]) -> list[types.TextEdit]:
    return [types.TextEdit(range=doc.to_lsp_range(e.span), new_text=e.new_text) for e in edits]


def _touches(a: Span, b: Span) -> bool:
    return not (a.end < b.start or b.end < a.start)


def code_actions(
    ls: HpcLanguageServer, doc: Document, span: Span, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """A "Parallelize loop: <pragma>" action for each suggested loop whose header the range touches."""
    actions = []
    for a in _advice(doc):
        if not a.suggested or not a.pragma:
            continue
        header = Span(
            Pos(a.span.start.line, 0), Pos(a.span.start.line, len(doc.line_text(a.span.start.line)))
        )
        if not (_touches(header, span) or a.keyword_span.contains(span.start)):
            continue
        src = doc.source()
        edits = _advisor().suggestion_edits(src, a)
        diags = [d for d in _hint_diagnostics(doc) if d.range.start.line == a.keyword_span.start.line]
        actions.append(
            types.CodeAction(
                title=a.title,
                kind=KIND_PARALLELIZE,
                diagnostics=diags or None,
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={doc.uri: _text_edits(doc, edits)}),
            )
        )
    return actions


def _hint_diagnostics(doc: Document) -> list[types.Diagnostic]:
    """The published parallelization hints of the document, as the diagnostics an action resolves."""
    findings = getattr(doc, "findings", None) or []
    return [to_diagnostic(doc, f) for f in findings if f.code == "omp-parallelizable-loop"]


def hover(ls: HpcLanguageServer, doc: Document, pos: Pos) -> str | None:
    """On the keyword of a loop that cannot be parallelized: why, with both conflicting accesses."""
    adv = _advisor().loop_at(_advice(doc), pos)
    if adv is None:
        return None
    return explain(adv)


def explain(adv: advisor.LoopAdvice) -> str | None:
    """Markdown explaining a non-parallelizable loop (None for parallelizable ones)."""
    if adv.parallelizable:
        return None
    lines = [f"**Loop cannot be parallelized**: {adv.reason}"]
    b = adv.blockers[0] if adv.blockers else None
    if b is not None and b.first is not None and (b.first_text or b.second is not None):
        kinds = {"R": "read", "W": "write"}
        lines.append("")
        if b.first_text:
            lines.append(
                f"- {kinds.get(b.first_kind, 'access')} `{b.first_text}` at line {b.first.start.line + 1}, "
                f"column {b.first.start.col + 1}"
            )
        if b.second is not None and b.second_text:
            lines.append(
                f"- {kinds.get(b.second_kind, 'access')} `{b.second_text}` at line {b.second.start.line + 1}, "
                f"column {b.second.start.col + 1}"
            )
    if len(adv.blockers) > 1:
        lines.append("")
        lines.append("Also: " + "; ".join(x.message for x in adv.blockers[1:4]))
    return "\n".join(lines)


def register(ls: HpcLanguageServer) -> None:
    """Register the code action and hover providers and the command."""
    ls.add_code_action_provider(code_actions)
    ls.add_hover_provider(hover, priority=20)

    @ls.command(COMMAND)
    async def suggest_parallelization(ls, *args: Any) -> dict[str, Any]:
        """Apply every suggestion of a file (argument: its URI, or ``{"uri": ...}``) via workspace/applyEdit."""
        uri = _uri_arg(args)
        doc = ls.documents.get(uri) if uri else None
        if doc is None:
            return {"applied": False, "count": 0, "message": f"unknown document {uri!r}"}
        advice = _advice(doc)
        edits = _advisor().all_suggestion_edits(doc.source(), advice)
        count = sum(1 for a in advice if a.suggested)
        if not edits:
            return {"applied": False, "count": 0, "message": "no loop to parallelize"}
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(
                edit=types.WorkspaceEdit(changes={doc.uri: _text_edits(doc, edits)}),
                label=f"Parallelize {count} loop(s)",
            )
        )
        return {"applied": bool(getattr(result, "applied", False)), "count": count}


def _uri_arg(args: tuple[Any, ...]) -> str | None:
    """The document URI from the command's arguments (pygls may pass them as one list)."""
    vals: list[Any] = list(args)
    while len(vals) == 1 and isinstance(vals[0], list):
        vals = vals[0]
    for v in vals:
        if isinstance(v, str):
            return v
        if isinstance(v, dict) and isinstance(v.get("uri"), str):
            return v["uri"]
        uri = getattr(v, "uri", None)
        if isinstance(uri, str):
            return uri
    return None
