"""Document sync and diagnostics: analyse on open/change (debounced), publish findings."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.protocol import default_converter

from hpclsp import project
from hpclsp.analysis import engine, gcpolicy
from hpclsp.analysis.context import Options
from hpclsp.analysis.findings import Finding, Span
from hpclsp.analysis.rules import rule_for_code
from hpclsp.documents import Document
from hpclsp.handlers import wire

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

_CONVERTER = default_converter()

#: One analysis thread: analyses are CPU-bound; the event loop stays free for requests.
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hpclsp-analysis")


def register(ls: HpcLanguageServer) -> None:
    """Register document sync handlers that drive diagnostics."""
    pending: dict[str, asyncio.Task[None]] = {}

    def schedule(doc: Document, delay: float) -> None:
        old = pending.pop(doc.uri, None)
        if old is not None:
            old.cancel()
        pending[doc.uri] = ls.spawn(_analyze_later(ls, doc, doc.version, delay))

    def reanalyze_all() -> None:
        for doc in ls.documents:
            schedule(doc, 0)

    ls.reanalyze_all = reanalyze_all

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: HpcLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        td = params.text_document
        doc = ls.documents.open(td.uri, td.language_id, td.version, td.text)
        schedule(doc, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: HpcLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            log.warning("didChange for a document that is not open: %s", params.text_document.uri)
            return
        for change in params.content_changes:
            doc.apply_change(change)
        doc.version = params.text_document.version
        schedule(doc, ls.settings.diagnostics.debounce_ms / 1000.0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: HpcLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.document_closed(uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: HpcLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        pass

    @ls.command("hpclsp.documentState")
    def document_state(ls, uri: str) -> dict[str, object] | None:  # no annotation on ls: pygls resolves hints
        """The server's view of a document (version, length, SHA-256 of the text): lets a client verify sync."""
        doc = ls.documents.get(uri)
        if doc is None:
            return None
        import hashlib

        digest = hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()
        return {"version": doc.version, "length": len(doc.text), "sha256": digest, "analyzed": doc.analyzable}


async def _analyze_later(ls: HpcLanguageServer, doc: Document, version: int, delay: float) -> None:
    """After ``delay`` seconds, analyse ``doc`` off the event loop and publish, unless it changed meanwhile."""
    if delay > 0:
        await asyncio.sleep(delay)
    if not doc.analyzable:
        publish(ls, doc, [])
        return
    options = ls.engine_options(doc)
    loop = asyncio.get_running_loop()
    # The collection of what the analysis leaves (its findings, the unit cache) comes after the
    # diagnostics are out, not between the analysis and their publication.
    with gcpolicy.fewer_collections():
        result = await loop.run_in_executor(_executor, analyze_document, doc, options)
        if ls.documents.get(doc.uri) is not doc or doc.version != version:
            return  # stale: a newer version is on its way
        if result.partial or result.errors:
            log.info("%s: partial analysis (%s)", doc.uri, "; ".join(result.errors) or "time budget")
        doc.findings = result.findings
        publish(ls, doc, result.findings)


def analyze_document(doc: Document, options: Options) -> engine.Result:
    """Run the engine on a document snapshot (called on the analysis thread)."""
    try:
        return project.analyze_for_editor(doc.source(), options)  # compile_commands.json, suppressions
    except Exception as exc:  # the snapshot itself failed: publish nothing, keep serving
        log.exception("%s: analysis failed", doc.uri)
        return engine.Result([], [str(exc)], partial=True)


def publish(ls: HpcLanguageServer, doc: Document, findings: list[Finding]) -> None:
    """Publish findings as diagnostics (encoded straight to JSON: see ``diagnostic_json``)."""
    caps = ls.client_capabilities
    pd = caps.text_document.publish_diagnostics if caps and caps.text_document else None
    related_ok = bool(pd and pd.related_information)
    href_ok = bool(pd and pd.code_description_support)
    with doc.lock:  # one snapshot of the lines for every position
        encoded = [diagnostic_json(doc, f, related_ok, href_ok) for f in findings]
    ls.text_document_publish_diagnostics(wire.encoded_params(doc.uri, doc.version, encoded))


def _range_json(doc: Document, span: Span) -> dict[str, Any]:
    start, end = span.start, span.end
    return {
        "start": {"line": max(start.line, 0), "character": doc.lsp_character(start.line, start.col)},
        "end": {"line": max(end.line, 0), "character": doc.lsp_character(end.line, end.col)},
    }


def diagnostic_json(
    doc: Document, f: Finding, related_ok: bool = True, href_ok: bool = True
) -> dict[str, Any]:
    """A finding as LSP diagnostic JSON, written without building lsprotocol objects: every edit
    republishes every finding of the document, and constructing and unstructuring ~200 validated
    ``Diagnostic`` objects cost more than re-analysing the edited unit. Without ``related_ok`` the
    related locations go into the message; without ``href_ok`` the rule's URL is left out."""
    message = f.message
    related = None
    if f.related:
        if related_ok:
            related = [
                {"location": {"uri": doc.uri, "range": _range_json(doc, r.span)}, "message": r.message}
                for r in f.related
                if r.path is None
            ]
        else:
            message += "".join(f"\n  line {r.span.start.line + 1}: {r.message}" for r in f.related)
    out: dict[str, Any] = {"range": _range_json(doc, f.span), "message": message}
    out["severity"] = int(f.severity)
    out["code"] = f.code
    rule = rule_for_code(f.code)
    if rule and href_ok:
        out["codeDescription"] = {"href": rule.url}
    out["source"] = "hpclsp"
    if related:
        out["relatedInformation"] = related
    if f.data is not None:
        out["data"] = f.data
    return out


def to_diagnostic(
    doc: Document, f: Finding, related_ok: bool = True, href_ok: bool = True
) -> types.Diagnostic:
    """A finding as an lsprotocol diagnostic (for code actions): ``diagnostic_json`` read back, so a
    finding has one diagnostic whichever way it reaches the client."""
    return _CONVERTER.structure(diagnostic_json(doc, f, related_ok, href_ok), types.Diagnostic)
