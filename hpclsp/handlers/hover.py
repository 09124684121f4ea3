"""textDocument/hover: the first provider with an answer wins (providers ordered by priority)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)


def register(ls: HpcLanguageServer) -> None:
    """Register the aggregated hover handler."""

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: HpcLanguageServer, params: types.HoverParams) -> types.Hover | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None or not doc.analyzable:  # binary, too large or unsupported: no tree to read
            return None
        pos = doc.from_lsp_position(params.position)
        for provider in ls.hover_providers:
            try:
                text = provider(ls, doc, pos)
            except Exception:
                log.exception("hover provider %s failed", getattr(provider, "__name__", provider))
                continue
            if text:
                return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))
        return None
