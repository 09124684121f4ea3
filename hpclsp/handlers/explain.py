"""``hpclsp.explain``: a range explained by the model, grounded in retrieved cards (cited).

Arguments: ``[uri, range]`` or ``[{"uri": ..., "range": ...}]`` (an LSP Range). Returns
``{"markdown": str, "sources": [{"title", "source"}], "model": bool}``. The model's part of
``hpclsp.askDocs`` is ``hpclsp.llm.answer(question, passages)``, called by the retrieval handler.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from lsprotocol import types

from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)


def _parse_args(args: tuple[Any, ...]) -> tuple[str, Any] | None:
    if len(args) == 1 and isinstance(args[0], list | tuple):
        args = tuple(args[0])
    if len(args) == 1 and isinstance(args[0], dict):
        return args[0].get("uri") or args[0].get("textDocument", {}).get("uri"), args[0].get("range")
    if len(args) >= 2:
        return args[0], args[1]
    return None


def _to_range(value: Any) -> types.Range | None:
    if isinstance(value, types.Range):
        return value
    try:
        s, e = value["start"], value["end"]
        return types.Range(
            start=types.Position(line=int(s["line"]), character=int(s["character"])),
            end=types.Position(line=int(e["line"]), character=int(e["character"])),
        )
    except (KeyError, TypeError, ValueError):
        return None


def register(ls: HpcLanguageServer) -> None:
    """Register ``hpclsp.explain``."""

    @ls.command("hpclsp.explain")
    async def explain_command(ls: HpcLanguageServer, *args: Any) -> dict[str, Any] | None:
        from hpclsp.handlers.inline_completion import _searcher, get_service
        from hpclsp.llm import explain

        parsed = _parse_args(args)
        if parsed is None:
            ls.show_message("hpclsp.explain needs a document URI and a range")
            return None
        uri, rng_value = parsed
        doc = ls.documents.get(str(uri))
        rng = _to_range(rng_value)
        if doc is None or rng is None or doc.language is None:
            ls.show_message("hpclsp.explain: open a C, C++, CUDA or Fortran document and select a range")
            return None
        span = doc.from_lsp_range(rng)
        lines = doc.lines[span.start.line : span.end.line + 1]
        if not lines:
            return None
        if span.start.line == span.end.line:
            lines = [lines[0][span.start.col : span.end.col] or lines[0]]
        else:
            lines[-1] = lines[-1][: span.end.col] if span.end.col else lines[-1]
        code = "\n".join(lines)
        svc = get_service(ls) if ls.settings.model.backend != "none" else None
        if svc is not None and svc.state == "idle":
            svc.start()
        result = await asyncio.to_thread(explain.explain, code, doc.language, svc, _searcher(ls))
        return {
            "markdown": result.markdown,
            "sources": [{"title": s.title, "source": s.source} for s in result.sources],
            "model": bool(result.model_text),
        }
