"""``textDocument/inlineCompletion`` (LSP 3.18): ghost-text completions from the model.

The model loads in the background after ``initialize`` (with ``$/progress``); requests are
debounced, answered from the cache when possible, otherwise queued on the model's single worker.
A newer request for the same document, or ``$/cancelRequest``, cancels the running one at the
next token. Completions that add an OpenMP directive introducing a race are dropped or marked
(``completion.verify``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from hpclsp.server import HpcLanguageServer

if TYPE_CHECKING:  # imported on first use: keeps llama.cpp's wrapper out of the server's start-up
    from hpclsp.llm.service import CompletionResult, ModelService

log = logging.getLogger(__name__)

_OMP_LINE = re.compile(r"(#\s*pragma\s+omp\b|[!cC*]\$omp\b)", re.IGNORECASE)


def _model_key(ls: HpcLanguageServer) -> tuple[Any, ...]:
    m = ls.settings.model
    return (
        m.backend,
        m.path,
        m.embedded,
        m.url,
        m.name,
        m.context_size,
        m.threads,
        m.fallback_to_local,
        m.api_key,
    )


def _searcher(ls: HpcLanguageServer):
    def search(query: str, k: int):
        svc = ls.retrieval
        if svc is None or not hasattr(svc, "search"):
            return []
        return svc.search(query, k)

    return search


def get_service(ls: HpcLanguageServer) -> ModelService:
    """The server's model service (created on first use with the current settings)."""
    svc = ls.model_service
    if svc is None:
        svc = _new_service(ls)
    return svc


def _new_service(ls: HpcLanguageServer) -> ModelService:
    import hpclsp.llm

    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        loop = None

    def notify(message: str) -> None:
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(lambda: ls.show_message(message, once=True))
        else:
            log.warning("%s", message)

    from hpclsp.llm.service import ModelService

    svc = ModelService(
        ls.settings.model,
        verify_mode=ls.settings.completion.verify,
        notify=notify,
        searcher=_searcher(ls),
    )
    ls.model_service = svc
    ls.model_key = _model_key(ls)
    hpclsp.llm.set_current_service(svc)
    return svc


async def _load_with_progress(ls: HpcLanguageServer, svc: ModelService) -> None:
    await asyncio.sleep(0.05)  # let the initialize response go out first
    progress = await ls.begin_progress(
        "hpclsp: loading the model", svc.settings.path or f"embedded model {svc.settings.embedded}"
    )
    loading = asyncio.wrap_future(svc.start())
    try:
        # The first start assembles the embedded model from its parts: report how far it got.
        while not (await asyncio.wait({loading}, timeout=0.5))[0]:
            if svc.progress is not None:
                done, total = svc.progress
                progress.report(
                    f"assembling the model: {done >> 20} of {total >> 20} MB", done * 100 // max(1, total)
                )
        await loading
    finally:
        if not getattr(ls.protocol, "_shutdown", False):
            if svc.state == "ready":
                progress.end(f"model ready in {svc.load_seconds:.1f}s")
            else:
                progress.end(svc.error or "model not loaded")


def _on_settings(ls: HpcLanguageServer) -> None:
    svc = ls.model_service
    if svc is not None:
        svc.verify_mode = ls.settings.completion.verify
        svc.settings.max_tokens = ls.settings.model.max_tokens
        if ls.model_key == _model_key(ls):
            return
        ls.model_service = None
        import hpclsp.llm

        if hpclsp.llm.current_service() is svc:
            hpclsp.llm.set_current_service(None)
        threading_close(svc)
    if not ls.settings.completion.inline.enabled or ls.settings.model.backend == "none":
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # not serving (unit tests of settings); loaded on first request instead
    svc = _new_service(ls)
    svc.state = "loading"  # scheduled: starts right after the initialize response
    ls.spawn(_load_with_progress(ls, svc))


def threading_close(svc: ModelService) -> None:
    """Close a replaced service without blocking the event loop."""
    import threading

    threading.Thread(target=svc.close, name="hpclsp-model-close", daemon=True).start()


def _mark(text: str, result: CompletionResult, language: str) -> str:
    """Append a visible warning to the directive line of a racy completion."""
    first = result.findings[0]
    var = (first.data or {}).get("variable") if isinstance(first.data, dict) else None
    note = f"hpclsp: introduces {first.code}" + (f" on '{var}'" if var else "")
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        if _OMP_LINE.search(ln) or i == len(lines) - 1:
            lines[i] = ln + (f" ! {note}" if language == "fortran" else f" /* {note} */")
            break
    return "\n".join(lines)


def register(ls: HpcLanguageServer) -> None:
    """Register inline completion and the background model loading."""
    ls.on_settings_changed(_on_settings)
    generation: dict[str, int] = {}

    @ls.command("hpclsp.modelStatus")
    def model_status(ls: HpcLanguageServer, *args: Any) -> dict[str, Any]:
        svc = ls.model_service
        if svc is None:
            return {"state": "idle" if ls.settings.model.backend != "none" else "disabled"}
        return svc.status()

    @ls.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline_completion(
        ls: HpcLanguageServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList | None:
        if not ls.settings.completion.inline.enabled or ls.settings.model.backend == "none":
            return None
        uri = params.text_document.uri
        doc = ls.documents.get(uri)
        if doc is None or doc.language is None:
            return None
        svc = get_service(ls)
        if svc.state in ("failed", "disabled"):
            return None
        ticket = generation[uri] = generation.get(uri, 0) + 1
        pos = doc.from_lsp_position(params.position)
        version = doc.version
        from hpclsp.llm.service import CompletionRequest

        req = CompletionRequest(
            doc.text,
            doc.language,
            pos.line,
            pos.col,
            path=doc.path or "",
            tree=doc.tree,
            use_retrieval=ls.settings.completion.inline.signature_context,
        )
        res = svc.lookup(req)
        if res is None:
            invoked = params.context.trigger_kind == types.InlineCompletionTriggerKind.Invoked
            delay = ls.settings.completion.inline.debounce_ms / 1000.0
            if delay and not invoked:
                await asyncio.sleep(delay)
                if generation.get(uri) != ticket:
                    return None  # a newer request for this document supersedes this one
            job = svc.submit(req, key=uri)
            try:
                res = await asyncio.wrap_future(job.future)
            except asyncio.CancelledError:  # $/cancelRequest: stop the model at the next token
                job.cancel_now()
                raise
            except concurrent.futures.CancelledError:
                return None
        if res.source in ("cancelled", "error", "disabled") or not res.text:
            return None
        if doc.version != version:
            return None  # the document moved on; the client will ask again
        text = _mark(res.text, res, doc.language) if res.verified == "marked" else res.text
        at = params.position
        item = types.InlineCompletionItem(insert_text=text, range=types.Range(start=at, end=at))
        return types.InlineCompletionList(items=[item])
