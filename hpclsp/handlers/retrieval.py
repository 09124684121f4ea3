"""Retrieval in the server: the ``indexes`` setting, the built-in index, ``hpclsp.rebuildIndex``
and ``hpclsp.askDocs``, and the ``ls.retrieval`` object other areas search with.

Nothing here blocks: indexes load (and the built-in one is built when missing) on a worker
thread after ``initialized``, with ``$/progress``; until then ``search`` returns ``[]``.
``HPCLSP_RETRIEVAL=off`` in the environment skips the background load (for tests of other
areas); the commands still load on demand. Layers: the built-in index (weight ``BUILTIN_WEIGHT``) and every directory of the ``indexes``
setting (weight ``SITE_WEIGHT``, so a site's own pages win ties); relative paths are resolved
against the workspace root.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from pathlib import Path
from typing import Any

from hpclsp.server import HpcLanguageServer  # at run time: pygls resolves the command annotations

log = logging.getLogger(__name__)

BUILTIN_WEIGHT = 1.0
SITE_WEIGHT = 1.1


class RetrievalService:
    """Layered search over the built-in and configured indexes (thread-safe, never blocking)."""

    def __init__(self, ls: HpcLanguageServer) -> None:
        self.ls = ls
        self.state = "idle"  # idle | loading | building | ready | error
        self.detail = ""
        self.ready = threading.Event()
        self._searcher: Any = None  # retrieval.search.LayeredSearcher
        self._layers: list[str] = []
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None

    # -- public API used by hover, completion, explain and the model ------------------------
    def search(self, query: str, k: int = 5, kinds: list[str] | None = None) -> list[Any]:
        """Top ``k`` hits (``retrieval.search.Hit``: ``.text``, ``.title``, ``.source``, ``.chunk``,
        ``.score``, ``.to_dict()``) for a query; ``[]`` while indexes are still loading."""
        searcher = self._searcher
        if searcher is None or not query.strip():
            return []
        try:
            return searcher.search(query, k=k, kinds=kinds, max_per_source=2)
        except Exception:
            log.exception("retrieval search failed")
            return []

    def lookup_symbol(self, name: str, k: int = 3) -> list[Any]:
        """Chunks that define ``name`` (cards first among equals); ``[]`` when unknown or not ready."""
        searcher = self._searcher
        if searcher is None or not name.strip():
            return []
        try:
            return searcher.lookup_symbol(name, k=k)
        except Exception:
            log.exception("retrieval lookup failed")
            return []

    @property
    def layers(self) -> list[str]:
        """Names of the loaded layers."""
        return list(self._layers)

    # -- loading ------------------------------------------------------------------------------
    def settings_key(self) -> tuple[Any, ...]:
        """What loading depends on: the embedder path and the extra index directories."""
        s = self.ls.settings
        return (s.embedder.path, tuple(self._index_dirs()))

    def _index_dirs(self) -> list[Path]:
        out = []
        for d in self.ls.settings.indexes:
            p = Path(os.path.expanduser(str(d)))
            if not p.is_absolute() and self.ls.workspace_root:
                p = Path(self.ls.workspace_root) / p
            out.append(p)
        return out

    def load_blocking(self, report: Any = None, rebuild_builtin: bool = False) -> str:
        """Load (building the built-in index when missing or asked) and swap in a new searcher."""
        from hpclsp import extras, paths

        extras.require("retrieval", "documentation search")
        from retrieval.builder import Progress, build_index, index_is_current
        from retrieval.chunkers.corpus import is_corpus_dir
        from retrieval.embedder import load_embedder
        from retrieval.search import Layer, LayeredSearcher, Searcher
        from retrieval.store import RetrievalError, load_index

        _lower_priority()
        with self._lock:
            self.state = "loading"
            key = self.settings_key()
            problems: list[str] = []
            embedder = load_embedder(self.ls.settings.embedder.path or None)
            layers: list[Layer] = []
            names: list[str] = []
            corpus = paths.corpus_dir()
            builtin = paths.builtin_index_dir()
            if is_corpus_dir(corpus):
                if rebuild_builtin or not index_is_current(
                    builtin, embedder.name, [str(corpus)], embedder.max_tokens
                ):
                    self.state = "building"
                    progress: Any = _ReportProgress(report) if report else Progress(quiet=True)
                    try:
                        build_index([str(corpus)], builtin, embedder, name="builtin", progress=progress)
                    except RetrievalError as exc:
                        problems.append(f"built-in index: {exc}")
                        build_index(
                            [str(corpus)], builtin, embedder, name="builtin", force=True, progress=progress
                        )
                try:
                    layers.append(Layer(Searcher(load_index(builtin), embedder, "builtin"), BUILTIN_WEIGHT))
                    names.append("builtin")
                except RetrievalError as exc:
                    problems.append(f"built-in index: {exc}")
            for d in self._index_dirs():
                try:
                    idx = load_index(_unpacked(d))
                    layers.append(Layer(Searcher(idx, embedder, idx.name), SITE_WEIGHT))
                    names.append(idx.name)
                except RetrievalError as exc:
                    problems.append(f"index {d}: {exc}")
            self._searcher = LayeredSearcher(layers) if layers else None
            self._layers = names
            self._key = key
            self.state = "ready"
            self.detail = "; ".join(problems)
            self.ready.set()
            return self.detail

    def start(self, rebuild_builtin: bool = False) -> asyncio.Task[Any] | None:
        """Load in the background with ``$/progress`` (a no-op when not on the server's loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        return self.ls.spawn(self._run(loop, rebuild_builtin))

    async def _run(self, loop: asyncio.AbstractEventLoop, rebuild_builtin: bool) -> dict[str, Any]:
        progress = await self.ls.begin_progress("hpclsp: documentation index", "loading")

        def report(message: str, pct: int | None) -> None:
            loop.call_soon_threadsafe(progress.report, message, pct)

        try:
            problems = await in_daemon_thread(loop, self.load_blocking, report, rebuild_builtin)
        except Exception as exc:
            from hpclsp.extras import MissingExtra

            self.state = "error"
            self.detail = str(exc) if isinstance(exc, MissingExtra) else f"{type(exc).__name__}: {exc}"
            self.ready.set()
            progress.end("failed")
            self.ls.show_message(f"documentation index unavailable: {self.detail}", once=True)
            return {"ok": False, "message": self.detail}
        progress.end(f"{len(self._layers)} index(es) ready")
        for p in problems.split("; ") if problems else []:
            self.ls.show_message(p, once=True)
        return {"ok": True, "layers": self.layers, "message": problems}


def in_daemon_thread(loop: asyncio.AbstractEventLoop, fn: Any, *args: Any) -> asyncio.Future[Any]:
    """Run ``fn(*args)`` on a daemon thread; the future resolves on ``loop``.

    Not the default executor: its threads are joined at interpreter exit, so a server asked to
    exit in the middle of an index build would wait for the build. A killed build is harmless
    (the index is written to a temporary directory and renamed).
    """
    fut: asyncio.Future[Any] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if fut.done():
            return
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)

    def work() -> None:
        try:
            outcome = (True, fn(*args))
        except BaseException as exc:  # handed to the awaiting coroutine
            outcome = (False, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop closed meanwhile (server exiting)
            pass

    threading.Thread(target=work, name="hpclsp-retrieval", daemon=True).start()
    return fut


def _unpacked(path: Path) -> Path:
    """An index directory as it is, or an index archive unpacked (safely, once) into the cache."""
    from retrieval.archive import UnsafeArchiveError, is_archive, safe_extract
    from retrieval.store import RetrievalError

    if not is_archive(path):
        return path
    import hashlib

    from hpclsp import paths

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    target = paths.cache_dir() / "indexes" / "unpacked" / f"{path.name}-{digest.hexdigest()[:16]}"
    if not (target / "manifest.json").exists():
        try:
            safe_extract(path, target)
        except (UnsafeArchiveError, OSError) as exc:
            raise RetrievalError(f"cannot unpack {path}: {exc}") from exc
    return target


def _lower_priority() -> None:
    """Run index work at a lower CPU priority than analysis (Linux: per thread; torch's worker
    threads, created from this one, inherit it)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


class _ReportProgress:
    """Adapts builder progress to ``$/progress`` reports (throttled)."""

    def __init__(self, report: Any) -> None:
        self.report = report
        self.label, self.total, self.done = "", 0, 0
        self._last_pct = -1

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.report(f"{label} 0/{total}", 0)

    def advance(self, n: int) -> None:
        self.done += n
        pct = int(100 * self.done / self.total) if self.total else 100
        if pct >= self._last_pct + 5:
            self._last_pct = pct
            self.report(f"{self.label} {self.done}/{self.total}", pct)

    def finish(self) -> None:
        self._last_pct = -1

    def note(self, msg: str) -> None:
        self.report(msg, None)


def _question(args: tuple[Any, ...]) -> tuple[str, int]:
    if len(args) == 1 and isinstance(args[0], list | tuple):
        args = tuple(args[0])
    if args and isinstance(args[0], dict):
        return str(args[0].get("question") or args[0].get("query") or ""), int(args[0].get("k") or 5)
    if args and isinstance(args[0], str):
        k = args[1] if len(args) > 1 and isinstance(args[1], int) else 5
        return args[0], k
    return "", 5


def register(ls: HpcLanguageServer) -> None:
    """Create the retrieval service; load it after ``initialized``; register the commands."""
    svc = RetrievalService(ls)
    ls.retrieval = svc
    if os.environ.get("HPCLSP_RETRIEVAL", "on").lower() not in ("off", "0", "no"):
        ls.on_initialized(lambda ls: None if svc.start() else None)

    def settings_changed(ls: HpcLanguageServer) -> None:
        if svc._key is not None and svc.settings_key() != svc._key:
            svc.start()

    ls.on_settings_changed(settings_changed)

    @ls.command("hpclsp.rebuildIndex")
    async def rebuild_index(ls: HpcLanguageServer, *args: Any) -> dict[str, Any]:
        """Rebuild the built-in index (incrementally) and reload every layer."""
        task = svc.start(rebuild_builtin=True)
        if task is None:
            return {"ok": False, "message": "not running on the server loop"}
        return await task

    @ls.command("hpclsp.askDocs")
    async def ask_docs(ls: HpcLanguageServer, *args: Any) -> dict[str, Any]:
        """Top passages (with sources) for a question, plus the model's answer when one is configured."""
        question, k = _question(args)
        if not question.strip():
            ls.show_message("hpclsp.askDocs needs a question")
            return {"question": question, "passages": [], "answer": None, "message": "no question"}
        loop = asyncio.get_running_loop()
        if svc.state == "idle":
            svc.start()
        if not svc.ready.is_set():
            await in_daemon_thread(loop, svc.ready.wait, 60)
        hits = await in_daemon_thread(loop, svc.search, question, max(1, min(k, 20)))
        passages = [
            {
                key: h.to_dict()[key]
                for key in ("title", "source", "start_line", "page", "layer", "score", "text")
            }
            for h in hits
        ]
        answer = None
        try:
            import hpclsp.llm

            answer = await asyncio.wait_for(
                in_daemon_thread(loop, hpclsp.llm.answer, question, hits), timeout=60
            )
        except Exception as exc:  # no model, model busy or failing: passages still answer
            log.debug("no model answer for askDocs: %s", exc)
        message = "" if passages else (svc.detail or f"no documentation found (index state: {svc.state})")
        return {"question": question, "passages": passages, "answer": answer, "message": message}
