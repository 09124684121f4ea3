"""The language server: one ``LanguageServer`` subclass owning all state.

Feature modules in ``hpclsp.handlers`` register themselves (``register(ls)``). Hover, code
actions and completion are aggregated here from per-area providers, since LSP allows one
handler per method. Nothing heavy (torch, faiss, llama.cpp) is imported before ``initialize``
has been answered; areas load such things in the background.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import os
import pkgutil
import uuid
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcParseError
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from hpclsp import __version__, config
from hpclsp.analysis.context import Options
from hpclsp.documents import Document, DocumentStore, uri_to_path
from hpclsp.handlers import wire

if TYPE_CHECKING:
    from hpclsp.handlers.retrieval import RetrievalService
    from hpclsp.llm.service import ModelService

log = logging.getLogger(__name__)

HoverProvider = Callable[["HpcLanguageServer", Document, Any], "str | None"]
CodeActionProvider = Callable[
    ["HpcLanguageServer", Document, Any, types.CodeActionParams], list[types.CodeAction]
]
CompletionProvider = Callable[
    ["HpcLanguageServer", Document, Any, types.CompletionParams], "list[types.CompletionItem] | None"
]


class Progress:
    """A ``$/progress`` handle for long work (a no-op when the client does not support it)."""

    def __init__(self, ls: HpcLanguageServer, token: str | None, title: str) -> None:
        self.ls, self.token, self.title = ls, token, title

    def report(self, message: str, percentage: int | None = None) -> None:
        """Report progress."""
        if self.token:
            self.ls.work_done_progress.report(
                self.token, types.WorkDoneProgressReport(message=message, percentage=percentage)
            )
        log.info("%s: %s", self.title, message)

    def end(self, message: str = "") -> None:
        """Finish the progress."""
        if self.token:
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message or None))
            self.token = None
        log.info("%s: done %s", self.title, message)


class _BadRequest:
    """A request whose params could not be read: answered with an error instead of dropped."""

    jsonrpc = "2.0"

    def __init__(self, msg_id: Any, method: str, error: JsonRpcException) -> None:
        self.id, self.method, self.error = msg_id, method, error


class HpcProtocol(LanguageServerProtocol):
    """pygls' protocol, but every malformed request gets a JSON-RPC error response (SPEC §6)."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        """Deserialize; a request with invalid params becomes a _BadRequest."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                return _BadRequest(data["id"], str(data.get("method")), exc)
            raise

    # pygls keeps its own copy of every open text document (``self.workspace``) and edits it before
    # calling our handlers; nothing here reads that copy (``hpclsp.documents`` holds the documents),
    # and keeping it cost a split of the whole text on every edit. These hand the notifications
    # straight to our handlers.
    def _ours(self, method: str, params: Any) -> Generator[Any, Any, None]:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(
        self, params: types.DidOpenTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """didOpen without pygls' workspace copy."""
        yield from self._ours(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """didChange without pygls' workspace copy."""
        yield from self._ours(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """didClose without pygls' workspace copy."""
        yield from self._ours(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def handle_message(self, message: Any) -> None:
        """Answer bad requests with their error; hand everything else to pygls."""
        if isinstance(message, _BadRequest):
            log.warning(
                "invalid params for %s (id %s): %s", message.method, message.id, message.error.message
            )
            self._send_response(
                message.id,
                error=types.ResponseError(
                    code=message.error.code, message=f"{message.error.message} for {message.method}"
                ),
            )
            return
        super().handle_message(message)


class HpcLanguageServer(LanguageServer):
    """hpclsp's server state: settings, documents, services and feature providers."""

    def __init__(self) -> None:
        super().__init__(
            "hpclsp",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=HpcProtocol,
            converter_factory=wire.converter,
        )
        self.settings = config.Settings()
        self.documents = DocumentStore()
        #: The retrieval service (``handlers.retrieval``) other features search with, once registered.
        self.retrieval: RetrievalService | None = None
        #: The inline-completion model service and the model settings it was created with.
        self.model_service: ModelService | None = None
        self.model_key: tuple[Any, ...] | None = None
        #: Re-runs the diagnostics of every open document (set by ``handlers.diagnostics``).
        self.reanalyze_all: Callable[[], None] = lambda: None
        #: Settings problems found while initializing, shown once the client is initialized.
        self.startup_problems: list[str] = []
        self.workspace_root: str | None = None
        self.init_options: Any = None
        self.toml_settings: dict[str, Any] | None = None
        self.client_settings: Any = None
        self.error_count = 0
        self._hover: list[tuple[int, HoverProvider]] = []
        self._code_actions: list[tuple[int, CodeActionProvider]] = []
        self._completion: list[tuple[int, CompletionProvider]] = []
        self._settings_listeners: list[Callable[[HpcLanguageServer], None]] = []
        self._close_listeners: list[Callable[[str], None]] = []
        self._initialized_listeners: list[Callable[[HpcLanguageServer], None]] = []
        self._shown: set[str] = set()
        self.background: set[asyncio.Task[Any]] = set()

    # -- providers ------------------------------------------------------------------------
    def add_hover_provider(self, fn: HoverProvider, priority: int = 50) -> None:
        """Add a hover provider; lower priority runs first, the first non-empty answer wins."""
        self._hover.append((priority, fn))
        self._hover.sort(key=lambda p: p[0])

    def add_code_action_provider(self, fn: CodeActionProvider, priority: int = 50) -> None:
        """Add a code action provider; all providers' actions are merged."""
        self._code_actions.append((priority, fn))
        self._code_actions.sort(key=lambda p: p[0])

    def add_completion_provider(self, fn: CompletionProvider, priority: int = 50) -> None:
        """Add a completion provider; all providers' items are merged."""
        self._completion.append((priority, fn))
        self._completion.sort(key=lambda p: p[0])

    def on_settings_changed(self, fn: Callable[[HpcLanguageServer], None]) -> None:
        """Call fn after the settings changed."""
        self._settings_listeners.append(fn)

    def on_initialized(self, fn: Callable[[HpcLanguageServer], None]) -> None:
        """Call fn once the client sent `initialized` (start background loading here, never before)."""
        self._initialized_listeners.append(fn)

    def run_initialized_listeners(self) -> None:
        """Called by the lifecycle handler after `initialized`."""
        for fn in list(self._initialized_listeners):
            try:
                fn(self)
            except Exception:
                log.exception("initialized listener failed")

    def on_document_closed(self, fn: Callable[[str], None]) -> None:
        """Call fn(uri) when a document closes, so areas can drop their per-document caches."""
        self._close_listeners.append(fn)

    def document_closed(self, uri: str) -> None:
        """Forget a document everywhere."""
        self.documents.close(uri)
        for fn in list(self._close_listeners):
            try:
                fn(uri)
            except Exception:
                log.exception("close listener failed")

    @property
    def hover_providers(self) -> list[HoverProvider]:
        """Hover providers in priority order."""
        return [fn for _, fn in self._hover]

    @property
    def code_action_providers(self) -> list[CodeActionProvider]:
        """Code action providers in priority order."""
        return [fn for _, fn in self._code_actions]

    @property
    def completion_providers(self) -> list[CompletionProvider]:
        """Completion providers in priority order."""
        return [fn for _, fn in self._completion]

    # -- settings -------------------------------------------------------------------------
    def engine_options(self, doc: Document | None = None) -> Options:
        """Engine options from the current settings."""
        d = self.settings.diagnostics
        return Options(
            select=tuple(d.select),
            ignore=tuple(d.ignore),
            low_confidence=d.low_confidence,
            hints=self.settings.suggestions.hints,
            budget=d.budget_ms / 1000.0,
            extra={"cuda_check_errors": d.cuda_check_errors},
        )

    def recompute_settings(self) -> list[str]:
        """Layer defaults < hpclsp.toml < initializationOptions < client configuration."""
        problems: list[str] = []
        settings = config.Settings()
        for layer in (self.toml_settings, self.init_options, self.client_settings):
            if layer is None:
                continue
            settings, p = config.from_dict(layer, settings)
            problems.extend(p)
        self.settings = settings
        for fn in list(self._settings_listeners):
            try:
                fn(self)
            except Exception:
                log.exception("settings listener failed")
        return problems

    def load_toml(self) -> list[str]:
        """(Re)read hpclsp.toml; a file that fails to parse keeps the previous settings."""
        if not self.workspace_root:
            return []
        data, problems = config.read_toml(self.workspace_root)
        if not problems:
            self.toml_settings = data
        return problems

    # -- messages and progress ---------------------------------------------------------
    def show_message(
        self, message: str, kind: types.MessageType = types.MessageType.Warning, once: bool = False
    ) -> None:
        """window/showMessage (optionally only once per session); also logged."""
        log.log(logging.WARNING if kind <= types.MessageType.Warning else logging.INFO, "%s", message)
        if once:
            if message in self._shown:
                return
            self._shown.add(message)
        try:
            self.window_show_message(types.ShowMessageParams(type=kind, message=f"hpclsp: {message}"))
        except Exception:  # not connected (tests) or transport closed
            log.debug("could not show message", exc_info=True)

    def supports_progress(self) -> bool:
        """True when the client accepts server-initiated work-done progress."""
        caps = self.client_capabilities
        return bool(caps and caps.window and caps.window.work_done_progress)

    async def begin_progress(self, title: str, message: str = "") -> Progress:
        """Start a ``$/progress`` (creating the token with the client first)."""
        token: str | None = None
        if self.supports_progress():
            token = f"hpclsp-{uuid.uuid4().hex[:12]}"
            try:
                await asyncio.wait_for(self.work_done_progress.create_async(token), timeout=5)
                self.work_done_progress.begin(
                    token,
                    types.WorkDoneProgressBegin(title=title, message=message or None, cancellable=False),
                )
            except Exception:
                log.debug("progress not available", exc_info=True)
                token = None
        return Progress(self, token, title)

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run a coroutine in the background, keeping a reference and logging its failure."""
        task = asyncio.ensure_future(coro)
        self.background.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self.background.discard(t)
            if not t.cancelled() and t.exception() is not None:
                log.error("background task failed", exc_info=t.exception())

        task.add_done_callback(done)
        return task

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """Serve over stdio; a mis-framed message gets an error and the reader resynchronises."""
        from hpclsp import framing

        freeze_startup_objects()
        framing.start_io(self, stdin, stdout)

    def start_tcp(self, host: str, port: int) -> None:
        """Serve over TCP with the same resynchronising reader as stdio."""
        from hpclsp import framing

        freeze_startup_objects()
        framing.start_tcp(self, host, port)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Log and count internal errors; answer unparseable JSON with a parse error; never crash."""
        self.error_count += 1
        if isinstance(error, ValueError) and not isinstance(error, JsonRpcException):
            # json.loads failed: the message cannot be attributed to a request id (JSON-RPC: id null).
            log.warning("unparseable message: %s", error)
            try:
                self.protocol._send_response(
                    None,  # type: ignore[arg-type]  # JSON-RPC: id null when the request cannot be read
                    error=types.ResponseError(code=JsonRpcParseError.CODE, message=f"Parse error: {error}"),
                )
            except Exception:
                log.debug("could not answer a parse error", exc_info=True)
            return
        log.error("internal error (%s): %s", getattr(source, "__name__", source), error, exc_info=error)


def freeze_startup_objects() -> None:
    """Keep what is loaded before serving (modules, grammars, lsprotocol's classes, the handlers) out
    of later garbage collections: it lives as long as the process, and every full collection (about
    one per 20 edits of a 5,000-line file) walked it again, a ~60 ms pause in the middle of an edit's
    analysis (~20 ms with it frozen). Garbage already there is collected first."""
    gc.collect()
    gc.freeze()


def load_handlers(ls: HpcLanguageServer) -> None:
    """Import every module in hpclsp.handlers and call its register(ls)."""
    from hpclsp import handlers

    for mod in sorted(pkgutil.iter_modules(handlers.__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"hpclsp.handlers.{mod.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(ls)


def create_server() -> HpcLanguageServer:
    """A server with every feature registered."""
    ls = HpcLanguageServer()
    load_handlers(ls)
    return ls


def workspace_root_from(params: types.InitializeParams) -> str | None:
    """The first workspace folder (or rootUri/rootPath) as a path."""
    if params.workspace_folders:
        return uri_to_path(params.workspace_folders[0].uri)
    if params.root_uri:
        return uri_to_path(params.root_uri)
    if params.root_path:
        return os.fspath(params.root_path)
    return None
