"""Model backends behind one interface: ``llama-cpp`` (in process), ``openai`` (any
OpenAI-compatible ``/v1/completions`` server) and ``none``.

Every backend generates from a plain prompt string (we build FIM prompts ourselves), checks a
cancel flag after every token, and asks a ``cut`` callback after every token whether the text so
far must stop (stop words, end of line, end of the enclosing block).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from hpclsp.llm import fim, gguf

log = logging.getLogger(__name__)

CutFn = Callable[[str], "int | None"]


class BackendUnavailable(RuntimeError):
    """The backend cannot serve requests (remote down, model failed to load)."""


@dataclasses.dataclass
class Generation:
    """The result of one generation."""

    text: str
    tokens: int
    finish: str  # stop | length | cancelled | eog
    prompt_tokens: int = 0
    #: Prompt tokens served from the KV cache (llama-cpp only).
    cached_tokens: int = 0
    elapsed: float = 0.0
    first_token: float = 0.0


class Backend(Protocol):
    """What the completion service needs from a model."""

    name: str
    family: fim.Family
    model_id: str

    def count_tokens(self, text: str) -> int:
        """Tokens in text (exact for local models, an estimate for remote ones)."""
        ...

    def generate(
        self,
        prompt: str,
        *,
        max_tokens: int,
        cut: CutFn | None = None,
        cancel: threading.Event | None = None,
        on_token: Callable[[int], None] | None = None,
    ) -> Generation:
        """Generate greedily until a stop, the token limit, or cancellation."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


class NoneBackend:
    """The ``none`` backend: inline completion off; explanations fall back to retrieval only."""

    name = "none"
    family = fim.FAMILIES["none"]
    model_id = "none"

    def count_tokens(self, text: str) -> int:
        """A rough estimate (4 characters per token)."""
        return len(text) // 4 + 1

    def generate(self, prompt: str, **kwargs: Any) -> Generation:
        """Always empty."""
        return Generation("", 0, "stop")

    def close(self) -> None:
        """Nothing to release."""


_LOAD_LOCK = threading.Lock()


def _quiet_load(cls: Any, **kwargs: Any) -> Any:
    """Construct ``llama_cpp.Llama`` without touching file descriptors 1 and 2.

    With ``verbose=False`` llama-cpp-python silences loading by pointing fds 1 and 2 at
    /dev/null for the duration; in a stdio language server fd 1 is the protocol channel, so
    every message the event loop writes meanwhile is lost. We load with ``verbose=True`` (no
    redirection), keep llama.cpp's C log at error level, and capture the Python-level chatter.
    """
    import contextlib
    import io

    import llama_cpp.llama as llama_mod
    from llama_cpp import _logger

    with _LOAD_LOCK:
        original = llama_mod.set_verbose
        llama_mod.set_verbose = lambda verbose: _logger.set_verbose(False)
        chatter = io.StringIO()
        try:
            with contextlib.redirect_stderr(chatter):
                llm = cls(verbose=True, **kwargs)
        finally:
            llama_mod.set_verbose = original
    llm.verbose = False
    log.debug("llama.cpp load output: %s", chatter.getvalue()[:2000])
    return llm


def default_threads() -> int:
    """Half the cores (at least one): llama.cpp's threads spin, and on a busy 2-core laptop two
    threads competing with the editor and the analysis are many times slower than one."""
    import os

    return max(1, (os.cpu_count() or 2) // 2)


class LlamaCppBackend:
    """A GGUF model in process through llama-cpp-python, with KV-cache prefix reuse."""

    name = "llama-cpp"

    def __init__(self, path: str, context_size: int = 2048, threads: int = 0) -> None:
        import os

        from llama_cpp import Llama

        info = gguf.read_info(path, up_to_vocab=True)
        self.info = info
        present = gguf.vocab_contains(path, fim.marker_tokens())
        self.family = fim.detect_family(info.metadata, present)
        self.model_id = f"{info.name}@{os.path.basename(path)}"
        self.path = path
        n_threads = threads or default_threads()
        self.llm = _quiet_load(
            Llama,
            model_path=path,
            n_ctx=context_size,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            n_batch=512,
            # Read the weights into memory instead of mapping the file: with the mapping, the
            # pages of the tensors llama.cpp repacks stay resident beside their repacked copy
            # (1.85 GB instead of 1.24 GB for the 1.5B model).
            use_mmap=False,
            swa_full=True,  # lets llama.cpp trim the cache to a common prefix on SWA models (Gemma 3)
        )
        self.context_size = self.llm.n_ctx()
        self._lock = threading.Lock()
        self._stop_ids = self._control_ids(self.family.stop)
        #: Tokenizer memo: per-line counting during prompt building repeats the same lines.
        self._count_cache: dict[str, int] = {}

    def _control_ids(self, stops: Sequence[str]) -> set[int]:
        ids: set[int] = set()
        for s in stops:
            try:
                toks = self.llm.tokenize(s.encode("utf-8"), add_bos=False, special=True)
            except Exception:
                continue
            if len(toks) == 1:
                ids.add(toks[0])
        return ids

    def tokenize(self, text: str) -> list[int]:
        """Prompt tokens (BOS added, control tokens recognised)."""
        return self.llm.tokenize(text.encode("utf-8"), add_bos=True, special=True)

    def count_tokens(self, text: str) -> int:
        """Exact token count (no BOS)."""
        hit = self._count_cache.get(text)
        if hit is not None:
            return hit
        n = len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))
        if len(self._count_cache) > 20000:
            self._count_cache.clear()
        self._count_cache[text] = n
        return n

    def _is_eog(self, token: int) -> bool:
        if token in self._stop_ids:
            return True
        try:
            import llama_cpp

            return bool(llama_cpp.llama_vocab_is_eog(self.llm._model.vocab, token))
        except Exception:
            return token == self.llm.token_eos()

    def generate(
        self,
        prompt: str,
        *,
        max_tokens: int,
        cut: CutFn | None = None,
        cancel: threading.Event | None = None,
        on_token: Callable[[int], None] | None = None,
    ) -> Generation:
        """Greedy generation with per-token cancel and stop checks; reuses the cached prefix."""
        t0 = time.perf_counter()
        with self._lock:
            tokens = self.tokenize(prompt)
            room = self.context_size - len(tokens) - 1
            if room <= 0:
                return Generation("", 0, "length", prompt_tokens=len(tokens))
            max_tokens = min(max_tokens, room)
            cached = 0
            if self.llm.n_tokens:
                for a, b in zip(self.llm._input_ids[: self.llm.n_tokens], tokens):
                    if a != b:
                        break
                    cached += 1
            out: list[int] = []
            data = b""
            text = ""
            finish = "length"
            first = 0.0
            if cancel is not None and cancel.is_set():
                return Generation("", 0, "cancelled", prompt_tokens=len(tokens))
            gen = self.llm.generate(tokens, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0)
            try:
                for tok in gen:
                    if not out:
                        first = time.perf_counter() - t0
                    if cancel is not None and cancel.is_set():
                        finish = "cancelled"
                        break
                    if self._is_eog(tok):
                        finish = "eog"
                        break
                    out.append(tok)
                    if on_token is not None:
                        on_token(len(out))
                    data += self.llm.detokenize([tok], prev_tokens=tokens + out[:-1])
                    text = data.decode("utf-8", errors="ignore")
                    if cut is not None:
                        pos = cut(text)
                        if pos is not None:
                            text = text[:pos]
                            finish = "stop"
                            break
                    if len(out) >= max_tokens:
                        break
            finally:
                gen.close()
        return Generation(
            text,
            len(out),
            finish,
            prompt_tokens=len(tokens),
            cached_tokens=cached,
            elapsed=time.perf_counter() - t0,
            first_token=first,
        )

    def close(self) -> None:
        """Free the model."""
        try:
            self.llm.close()
        except Exception:
            pass


class OpenAIBackend:
    """Any OpenAI-compatible completions server (llama-server, vLLM, Ollama), over stdlib urllib."""

    name = "openai"

    def __init__(self, url: str, model: str = "", api_key: str = "", timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        if not self.url.endswith("/v1"):
            self.url += "/v1" if "/v1" not in self.url else ""
        self.model = model
        self.api_key = api_key
        self.timeout = timeout
        self.family = fim.FAMILIES[fim.family_from_name(model) or "none"]
        self.model_id = f"openai:{self.url}:{model}"

    def count_tokens(self, text: str) -> int:
        """An estimate (about 3.2 characters per token for code), kept on the safe side."""
        return int(len(text) / 3.2) + 1

    def _request(self, path: str, body: dict[str, Any] | None, timeout: float) -> Any:
        import urllib.error
        import urllib.request

        headers = {"Content-Type": "application/json", "Accept": "text/event-stream, application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        req = urllib.request.Request(
            self.url + path, data=data, headers=headers, method="POST" if data else "GET"
        )
        try:
            return urllib.request.urlopen(req, timeout=timeout)
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise BackendUnavailable(f"{self.url} is unreachable: {getattr(exc, 'reason', exc)}") from exc

    def ping(self, timeout: float = 2.0) -> bool:
        """True when the server answers ``/models``."""
        try:
            with self._request("/models", None, timeout) as resp:
                return resp.status == 200
        except Exception:
            return False

    def generate(
        self,
        prompt: str,
        *,
        max_tokens: int,
        cut: CutFn | None = None,
        cancel: threading.Event | None = None,
        on_token: Callable[[int], None] | None = None,
    ) -> Generation:
        """Stream a completion; closing the stream on cancel makes the server stop too."""
        t0 = time.perf_counter()
        body: dict[str, Any] = {
            "prompt": prompt,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "top_k": 1,
            "stream": True,
            "stop": [s for s in self.family.stop if s][:16],
        }
        if self.model:
            body["model"] = self.model
        text = ""
        n = 0
        first = 0.0
        finish = "length"
        import urllib.error

        try:
            resp = self._request("/completions", body, self.timeout)
        except urllib.error.HTTPError as exc:
            raise BackendUnavailable(f"{self.url} answered HTTP {exc.code}: {exc.reason}") from exc
        try:
            with resp:
                for raw in resp:
                    if cancel is not None and cancel.is_set():
                        finish = "cancelled"
                        break
                    done, choice = _sse_choice(raw)
                    if done:
                        break
                    if choice is None:
                        continue
                    piece = choice.get("text") or ""
                    if piece:
                        if not n:
                            first = time.perf_counter() - t0
                        n += 1
                        text += piece
                        if on_token is not None:
                            on_token(n)
                        if cut is not None:
                            pos = cut(text)
                            if pos is not None:
                                text = text[:pos]
                                finish = "stop"
                                break
                    if choice.get("finish_reason"):
                        finish = "eog" if choice["finish_reason"] == "stop" else str(choice["finish_reason"])
                        break
        except (OSError, TimeoutError) as exc:
            if not text:
                raise BackendUnavailable(f"{self.url}: connection lost: {exc}") from exc
        return Generation(text, n, finish, elapsed=time.perf_counter() - t0, first_token=first)

    def close(self) -> None:
        """Nothing held between requests."""


def _sse_choice(raw: bytes) -> tuple[bool, dict[str, Any] | None]:
    """One line of a completions event stream: (the stream is done, the first choice it carries)."""
    line = raw.decode("utf-8", errors="replace").strip()
    if not line.startswith("data:"):
        return False, None
    payload = line[5:].strip()
    if payload == "[DONE]":
        return True, None
    try:
        choice = json.loads(payload)["choices"][0]
    except (ValueError, KeyError, IndexError, TypeError):
        return False, None
    return False, choice if isinstance(choice, dict) else None


class FallbackBackend:
    """The remote backend, falling back to the local model while it is unreachable.

    ``notify`` is called once per outage with a message for the user.
    """

    name = "openai"

    def __init__(
        self,
        remote: OpenAIBackend,
        local_factory: Callable[[], Backend],
        notify: Callable[[str], None] | None = None,
        retry_after: float = 30.0,
    ) -> None:
        self.remote = remote
        self._local_factory = local_factory
        self._local: Backend | None = None
        self.notify = notify
        self.retry_after = retry_after
        self._down_since: float | None = None
        self.fallbacks = 0

    @property
    def active(self) -> Backend:
        """The backend that will serve the next request."""
        if self._down_since is not None and time.monotonic() - self._down_since < self.retry_after:
            return self.local()
        return self.remote

    @property
    def family(self) -> fim.Family:  # type: ignore[override]
        """The family of the backend serving now."""
        return self.active.family

    @property
    def model_id(self) -> str:  # type: ignore[override]
        """Identifies the serving model (part of cache keys)."""
        return self.active.model_id

    def local(self) -> Backend:
        """The local model, loaded on first need."""
        if self._local is None:
            self._local = self._local_factory()
        return self._local

    def count_tokens(self, text: str) -> int:
        """Tokens by the serving backend's count."""
        return self.active.count_tokens(text)

    def mark_down(self, exc: Exception) -> None:
        """Record that the remote server failed; tell the user once per outage."""
        first = self._down_since is None
        self._down_since = time.monotonic()
        self.fallbacks += 1
        log.warning("%s; using the local model", exc)
        if first and self.notify is not None:
            self.notify(f"the model server is unreachable ({exc}); using the local model instead")

    def mark_up(self) -> None:
        """Record that the remote server answered."""
        if self._down_since is not None:
            log.info("remote model server %s is back", self.remote.url)
        self._down_since = None

    def generate(self, prompt: str, **kwargs: Any) -> Generation:
        """Try the remote server; on connection failure use the local model (same prompt)."""
        if self.active is self.remote:
            try:
                gen = self.remote.generate(prompt, **kwargs)
                self.mark_up()
                return gen
            except BackendUnavailable as exc:
                self.mark_down(exc)
        return self.local().generate(prompt, **kwargs)

    def close(self) -> None:
        """Close both."""
        self.remote.close()
        if self._local is not None:
            self._local.close()
