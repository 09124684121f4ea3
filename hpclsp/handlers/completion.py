"""textDocument/completion: items from every provider, merged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

TRIGGER_CHARACTERS = [" ", "(", ",", ":", "<", "_"]


def register(ls: HpcLanguageServer) -> None:
    """Register the aggregated completion handler."""

    @ls.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=False),
    )
    def completion(ls: HpcLanguageServer, params: types.CompletionParams) -> types.CompletionList | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return None
        pos = doc.from_lsp_position(params.position)
        items: list[types.CompletionItem] = []
        for provider in ls.completion_providers:
            try:
                items.extend(provider(ls, doc, pos, params) or [])
            except Exception:
                log.exception("completion provider %s failed", getattr(provider, "__name__", provider))
        return types.CompletionList(is_incomplete=False, items=items)
