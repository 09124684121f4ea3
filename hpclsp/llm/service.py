"""The model service: one backend, one single-worker executor, a completion cache.

The server, ``hpclsp complete`` and ``bench/completion.py`` all go through ``ModelService``:

- ``start()`` loads the backend on the worker thread (never on the caller's thread);
- ``lookup(request)`` answers from the cache (also while the user types along a suggestion);
- ``submit(request, key)`` queues a completion on the worker, cancelling the previous request
  with the same key (a newer keystroke in the same document); the returned ``Job`` carries the
  cancel flag the backend checks after every token;
- ``complete(request)`` does the work: syntax-tree shape, retrieved context, budgeted prompt,
  generation with stop policy, post-processing, race verification, caching.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from hpclsp.analysis.findings import Finding
from hpclsp.llm import backends, cache, context, postprocess, prompt, verify
from hpclsp.llm.fim import Snippet

log = logging.getLogger(__name__)

#: Tokens kept free in the context window besides the generated ones.
_MARGIN = 8


@dataclasses.dataclass
class CompletionRequest:
    """Where to complete: the document text and a 0-based (line, code-point column)."""

    text: str
    language: str
    line: int
    col: int
    path: str = ""
    tree: Any = None
    #: Add the signature of the call being typed (``completion.inline.signatureContext``).
    use_retrieval: bool = False
    max_tokens: int | None = None
    #: Called on the worker thread after each generated token with the count so far.
    on_token: Callable[[int], None] | None = None


@dataclasses.dataclass
class CompletionResult:
    """A completion and how it was made."""

    text: str
    source: str  # model | cache | cancelled | disabled | error
    multiline: bool = False
    generation: backends.Generation | None = None
    #: "" (not checked), "ok", "dropped" (text emptied), "marked" (kept, findings attached)
    verified: str = ""
    findings: list[Finding] = dataclasses.field(default_factory=list)
    snippets: list[Snippet] = dataclasses.field(default_factory=list)
    prompt_tokens: int = 0
    elapsed: float = 0.0


@dataclasses.dataclass
class Job:
    """A queued request: its future and its cancel flag."""

    future: concurrent.futures.Future[CompletionResult]
    cancel: threading.Event

    def cancel_now(self) -> None:
        """Ask the worker to stop (before it starts, or at the next token)."""
        self.cancel.set()
        self.future.cancel()


def split(text: str, line: int, col: int) -> tuple[str, str, str, str]:
    """(prefix, suffix, line_prefix, line_suffix) around a code-point position."""
    lines = text.split("\n")
    line = max(0, min(line, len(lines) - 1))
    cur = lines[line]
    col = max(0, min(col, len(cur)))
    prefix = "\n".join(lines[:line] + [cur[:col]])
    suffix = "\n".join([cur[col:]] + lines[line + 1 :])
    return prefix, suffix, cur[:col], cur[col:]


class ModelService:
    """Owns the backend and runs every model call on one worker thread."""

    def __init__(
        self,
        model_settings: Any = None,
        *,
        verify_mode: str = "drop",
        notify: Callable[[str], None] | None = None,
        searcher: context.Searcher | None = None,
    ) -> None:
        from hpclsp.config import ModelSettings

        self.settings = model_settings or ModelSettings()
        self.verify_mode = verify_mode
        self.notify = notify
        self.searcher = searcher
        self.cache = cache.CompletionCache()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="hpclsp-model"
        )
        self._backend: backends.Backend | None = None
        self._load_future: concurrent.futures.Future[None] | None = None
        self._jobs: dict[str, Job] = {}
        self._jobs_lock = threading.Lock()
        self.state = "idle"  # idle | loading | ready | restarting | failed | disabled
        self.error: str | None = None
        self.load_seconds = 0.0
        #: Counters for tests and benchmarks.
        self.generations = 0
        self.cancelled = 0
        self.last: backends.Generation | None = None
        #: Tokens generated so far by the running request (0 when idle).
        self.current_tokens = 0
        #: (bytes done, bytes total) while the embedded model is being assembled.
        self.progress: tuple[int, int] | None = None

    # -- loading ---------------------------------------------------------------------------
    def _make_backend(self) -> backends.Backend:
        s = self.settings
        if s.backend == "none":
            return backends.NoneBackend()
        if s.backend == "openai":
            remote = backends.OpenAIBackend(s.url, s.name, s.api_key)
            if s.fallback_to_local:
                return backends.FallbackBackend(remote, self._local_backend, notify=self._notify)  # type: ignore[return-value]
            return remote
        return self._local_backend()

    def _local_backend(self) -> backends.Backend:
        """The GGUF model, served by the model worker process (llama.cpp never loads here)."""
        from hpclsp import extras
        from hpclsp.llm import model_files, worker_client

        extras.require("model", "inline completion")
        path = model_files.resolve(
            self.settings.path, self.settings.embedded, progress=self._assembly_progress
        )
        return worker_client.WorkerBackend(
            str(path),
            self.settings.context_size,
            self.settings.threads,
            notify=self._notify,
            on_state=self._worker_state,
        )

    def _assembly_progress(self, done: int, total: int) -> None:
        self.progress = (done, total)

    def _worker_state(self, state: str, error: str | None) -> None:
        """The worker crashed (``restarting``), came back (``ready``) or was given up (``failed``)."""
        if self.state in ("ready", "restarting"):
            self.state = state
            self.error = error

    def _notify(self, message: str) -> None:
        if self.notify is not None:
            try:
                self.notify(message)
            except Exception:
                log.debug("notify failed", exc_info=True)

    def _load(self) -> None:
        t0 = time.perf_counter()
        self.state = "loading"
        try:
            self._backend = self._make_backend()
            self.state = "disabled" if isinstance(self._backend, backends.NoneBackend) else "ready"
        except Exception as exc:
            from hpclsp.extras import MissingExtra
            from hpclsp.llm.model_files import ModelFileError

            self.state = "failed"
            clear = isinstance(exc, (ModelFileError, MissingExtra))
            self.error = str(exc) if clear else f"the model failed to load: {exc}"
            log.warning("%s", self.error)
            self._notify(self.error)
        finally:
            self.load_seconds = time.perf_counter() - t0

    def start(self) -> concurrent.futures.Future[None]:
        """Load the backend in the background (idempotent); returns the loading future."""
        if self._load_future is None:
            self.state = "loading"
            self._load_future = self._executor.submit(self._load)
        return self._load_future

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Block until loading finished; True when a backend is usable."""
        self.start().result(timeout=timeout)
        return self.state == "ready"

    @property
    def backend(self) -> backends.Backend | None:
        """The loaded backend (None until loaded or after a failure)."""
        return self._backend

    def _serving(self) -> backends.Backend | None:
        b = self._backend
        if isinstance(b, backends.FallbackBackend):
            return b.active
        return b

    def model_id(self) -> str:
        """The serving model's id (cache keys depend on it)."""
        b = self._serving()
        return b.model_id if b is not None else "none"

    # -- requests --------------------------------------------------------------------------
    def lookup(self, req: CompletionRequest) -> CompletionResult | None:
        """A cached answer (exact or typed-along), verified like a fresh one; None on a miss."""
        if self.state != "ready":
            return None
        t0 = time.perf_counter()
        prefix, suffix, lp, ls = split(req.text, req.line, req.col)
        hit = self.cache.get(prefix, suffix, self.model_id())
        if hit is None:
            return None
        res = CompletionResult(hit, "cache", multiline="\n" in hit)
        self._verify(req, res)
        res.elapsed = time.perf_counter() - t0
        return res

    def submit(self, req: CompletionRequest, key: str = "") -> Job:
        """Queue a completion on the worker; a previous job with the same key is cancelled."""
        self.start()
        cancel = threading.Event()
        future = self._executor.submit(self._run_job, req, cancel)
        job = Job(future, cancel)
        with self._jobs_lock:
            old = self._jobs.get(key) if key else None
            if key:
                self._jobs[key] = job
        if old is not None:
            old.cancel_now()
        return job

    def _run_job(self, req: CompletionRequest, cancel: threading.Event) -> CompletionResult:
        if cancel.is_set():
            self.cancelled += 1
            return CompletionResult("", "cancelled")
        return self.complete(req, cancel)

    def complete(self, req: CompletionRequest, cancel: threading.Event | None = None) -> CompletionResult:
        """Compute one completion (call on the worker thread, or directly from a CLI)."""
        t0 = time.perf_counter()
        if self._load_future is None:
            self._load()
        if self.state != "ready" or self._backend is None:
            return CompletionResult("", "disabled" if self.state == "disabled" else "error")
        hit = self.lookup(req)
        if hit is not None:
            return hit
        prefix, suffix, line_prefix, line_suffix = split(req.text, req.line, req.col)
        lines = req.text.split("\n")
        tree = req.tree
        if tree is None:
            try:
                from hpclsp.analysis import languages

                tree = languages.parse(req.language, req.text.encode("utf-8", errors="replace"))
            except Exception:
                tree = None
        multiline = postprocess.decide_multiline(lines, req.language, req.line, req.col, tree)
        opened = postprocess.unmatched_openers(prefix, req.language)
        closers = postprocess.unmatched_closers(suffix, req.language)
        max_tokens = req.max_tokens or self.settings.max_tokens
        if not multiline:
            max_tokens = min(max_tokens, 48)
        attempts = 2 if isinstance(self._backend, backends.FallbackBackend) else 1
        gen: backends.Generation | None = None
        built: prompt.Prompt | None = None
        snippets: list[Snippet] = []
        for _ in range(attempts):
            b = self._serving()
            assert b is not None
            budget = min(self.settings.context_size, getattr(b, "context_size", self.settings.context_size))
            budget -= max_tokens + _MARGIN
            if req.use_retrieval:
                snippets = context.signature_context(line_prefix, req.language)
            built = prompt.build(
                b.family,
                prefix,
                suffix,
                snippets,
                b.count_tokens,
                budget,
                path=req.path,
                language=req.language,
            )
            policy = postprocess.StopPolicy(
                req.language,
                multiline,
                stop=b.family.stop,
                suffix_closers=closers,
                open_blocks=opened,
                line_prefix=line_prefix,
            )
            try:
                gen = b.generate(
                    built.text,
                    max_tokens=max_tokens,
                    cut=policy.cut,
                    cancel=cancel,
                    on_token=self._counter(req),
                )
                if isinstance(self._backend, backends.FallbackBackend) and b is self._backend.remote:
                    self._backend.mark_up()
                break
            except backends.BackendUnavailable as exc:
                if isinstance(self._backend, backends.FallbackBackend) and b is self._backend.remote:
                    self._backend.mark_down(exc)
                    continue
                log.warning("completion failed: %s", exc)
                return CompletionResult("", "error", elapsed=time.perf_counter() - t0)
        if gen is None or built is None:
            return CompletionResult("", "error", elapsed=time.perf_counter() - t0)
        self.generations += 1
        self.last = gen
        self.current_tokens = 0
        if gen.finish == "cancelled":
            self.cancelled += 1
            return CompletionResult("", "cancelled", multiline, gen, elapsed=time.perf_counter() - t0)
        text = postprocess.finish(gen.text, line_prefix, line_suffix, suffix, multiline, closers - opened)
        if not text.strip():
            text = ""
        res = CompletionResult(text, "model", multiline, gen, snippets=snippets, prompt_tokens=built.tokens)
        self._verify(req, res)
        self.cache.put(prefix, suffix, self.model_id(), text if res.verified != "dropped" else "")
        res.elapsed = time.perf_counter() - t0
        return res

    def _counter(self, req: CompletionRequest) -> Callable[[int], None]:
        self.current_tokens = 0

        def on_token(n: int) -> None:
            self.current_tokens = n
            if req.on_token is not None:
                req.on_token(n)

        return on_token

    def _verify(self, req: CompletionRequest, res: CompletionResult) -> None:
        if self.verify_mode == "off" or not res.text:
            return
        v = verify.check(req.text, req.language, req.line, req.col, res.text, req.path)
        if not v.checked:
            return
        if not v.racy:
            res.verified = "ok"
            return
        res.findings = v.new_findings
        if self.verify_mode == "drop":
            res.verified = "dropped"
            res.text = ""
        else:
            res.verified = "marked"

    # -- free text (explanations, answers) ----------------------------------------------
    def generate_text(
        self, text_prompt: str, max_tokens: int = 160, cancel: threading.Event | None = None
    ) -> str:
        """Plain continuation of a prompt on the worker thread (blocking the caller)."""
        self.start()

        def run() -> str:
            b = self._serving()
            if self.state != "ready" or b is None:
                return ""
            budget = getattr(b, "context_size", self.settings.context_size) - max_tokens - _MARGIN
            p = prompt.build(
                b.family.__class__("none", False, b.family.stop), text_prompt, "", [], b.count_tokens, budget
            )
            policy = postprocess.StopPolicy(
                "text", True, stop=("\n\n\n", "```", "<end_of_turn>"), max_lines=40, track_blocks=False
            )
            try:
                return b.generate(p.text, max_tokens=max_tokens, cut=policy.cut, cancel=cancel).text.strip()
            except backends.BackendUnavailable as exc:
                if isinstance(self._backend, backends.FallbackBackend):
                    self._backend.mark_down(exc)
                    return (
                        self._backend.local()
                        .generate(p.text, max_tokens=max_tokens, cut=policy.cut)
                        .text.strip()
                    )
                log.warning("generation failed: %s", exc)
                return ""

        return self._executor.submit(run).result()

    def status(self) -> dict[str, Any]:
        """State and counters (the ``hpclsp.modelStatus`` command, tests, benchmarks)."""
        b = self._serving()
        return {
            "state": self.state,
            "error": self.error,
            "backend": self.settings.backend,
            "model": b.model_id if b is not None else None,
            "family": b.family.name if b is not None else None,
            "loadSeconds": round(self.load_seconds, 3),
            "generations": self.generations,
            "cancelled": self.cancelled,
            "cacheHits": self.cache.hits,
            "cacheMisses": self.cache.misses,
            "currentTokens": self.current_tokens,
            "lastTokens": self.last.tokens if self.last else 0,
            "lastFinish": self.last.finish if self.last else None,
            "fallbacks": getattr(self._backend, "fallbacks", 0),
            "worker": self._worker_status(),
        }

    def _worker_status(self) -> dict[str, Any] | None:
        b = self._backend
        if isinstance(b, backends.FallbackBackend):
            b = b._local
        st = getattr(b, "state", None)
        if st is None:
            return None
        return {"pid": st.pid, "restarts": st.restarts, "crashes": st.crashes, "lastExit": st.last_exit}

    def close(self) -> None:
        """Cancel queued work and free the model."""
        with self._jobs_lock:
            for job in self._jobs.values():
                job.cancel_now()
            self._jobs.clear()
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._backend is not None:
            self._backend.close()
            self._backend = None
