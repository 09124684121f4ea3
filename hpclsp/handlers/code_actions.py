"""textDocument/codeAction: quickfixes from findings' fixes, plus per-area providers."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from hpclsp.analysis.findings import Finding, Span
from hpclsp.documents import Document
from hpclsp.handlers.diagnostics import to_diagnostic

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

KIND_PARALLELIZE = "refactor.rewrite.parallelize"


def register(ls: HpcLanguageServer) -> None:
    """Register the aggregated code action handler."""

    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                types.CodeActionKind.RefactorRewrite,
                KIND_PARALLELIZE,
            ]
        ),
    )
    def code_action(ls: HpcLanguageServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None or not doc.analyzable:  # binary, too large or unsupported: nothing was analysed
            return None
        span = doc.from_lsp_range(params.range)
        actions = quickfixes(doc, span)
        for provider in ls.code_action_providers:
            try:
                actions.extend(provider(ls, doc, span, params) or [])
            except Exception:
                log.exception("code action provider %s failed", getattr(provider, "__name__", provider))
        only = params.context.only
        if only:
            actions = [
                a for a in actions if a.kind and any(a.kind == k or a.kind.startswith(f"{k}.") for k in only)
            ]
        return actions


def overlaps(a: Span, b: Span) -> bool:
    """True when two spans overlap or touch (a cursor on a diagnostic counts)."""
    return not (a.end < b.start or b.end < a.start)


def quickfixes(doc: Document, span: Span) -> list[types.CodeAction]:
    """One quickfix action per Fix of every finding overlapping the span."""
    actions: list[types.CodeAction] = []
    for f in doc.findings:
        if f.fixes and overlaps(f.span, span):
            actions.extend(fix_actions(doc, f))
    return actions


def fix_actions(doc: Document, f: Finding) -> list[types.CodeAction]:
    """A finding's fixes as quickfix code actions."""
    diag = to_diagnostic(doc, f)
    return [
        types.CodeAction(
            title=fix.title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diag],
            is_preferred=fix.preferred or None,
            edit=types.WorkspaceEdit(
                changes={
                    doc.uri: [
                        types.TextEdit(range=doc.to_lsp_range(e.span), new_text=e.new_text) for e in fix.edits
                    ]
                }
            ),
        )
        for fix in f.fixes
    ]
