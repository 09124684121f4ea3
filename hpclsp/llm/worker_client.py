"""The server's side of the model worker (``hpclsp.llm.worker``): a backend that runs the GGUF
model in a child process, so a native crash in llama.cpp never takes the server down.

``WorkerBackend`` starts the one child, loads the model there, and implements the ``Backend``
interface over pipes. When the child dies (crash, out-of-memory kill, ``kill -9``) the requests
in flight fail with ``BackendUnavailable``, the user is told once, and a watcher thread starts a
new worker after a backoff (1, 2, 4, 8, 16 s); after ``MAX_CRASHES`` crashes in a row it gives up
with a clear message. The child exits when its stdin closes, so it never outlives the server.

``probe(path)`` is the same path used by ``hpclsp doctor`` and the set-up check: start a worker,
load, generate a few tokens, and report a crash with its signal.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from hpclsp.llm import fim
from hpclsp.llm.backends import BackendUnavailable, CutFn, Generation
from hpclsp.llm.postprocess import StopPolicy

log = logging.getLogger(__name__)

#: Crashes in a row (without a successful generation between them) before giving up.
MAX_CRASHES = 5
BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0)


def worker_command() -> list[str]:
    """The worker's command line (the only process the server ever starts)."""
    return [sys.executable, "-m", "hpclsp.llm.worker"]


def describe_exit(code: int | None) -> str:
    """'killed by SIGSEGV' / 'exited with status 3' for a Popen return code."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


class WorkerCrashed(BackendUnavailable):
    """The worker process ended while serving a request."""


class _Process:
    """One running worker: the child and its two pipes; one exchange at a time."""

    def __init__(self, load: dict[str, Any], timeout: float) -> None:
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        self.proc = subprocess.Popen(
            worker_command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            env=env,
            close_fds=True,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[str] = self.proc.stdin
        self.stdout: IO[str] = self.proc.stdout
        self.lock = threading.Lock()
        self._next_id = 0
        hello = self.read(timeout)
        if hello.get("op") != "hello":
            raise BackendUnavailable(f"the model worker did not start: {hello}")
        self.send({"op": "load", **load})
        self.loaded = self.read(timeout)
        if self.loaded.get("op") != "loaded":
            raise BackendUnavailable(str(self.loaded.get("message") or self.loaded))

    def next_id(self) -> int:
        """A fresh request id."""
        self._next_id += 1
        return self._next_id

    def send(self, msg: dict[str, Any]) -> None:
        """Write one request; a closed pipe means the worker is gone."""
        try:
            self.stdin.write(json.dumps(msg) + "\n")
            self.stdin.flush()
        except (BrokenPipeError, OSError, ValueError) as exc:
            raise WorkerCrashed(f"the model worker {self.exit_description()}") from exc

    def read(self, timeout: float | None = None) -> dict[str, Any]:
        """The next message; EOF means the worker died."""
        line = self.stdout.readline()
        if not line:
            raise WorkerCrashed(f"the model worker {self.exit_description()}")
        try:
            return json.loads(line)
        except ValueError:
            return {"op": "error", "message": f"unreadable worker output: {line[:200]!r}"}

    def exit_description(self) -> str:
        """How the child ended (waits briefly for the exit status)."""
        try:
            code = self.proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            return "stopped answering"
        return describe_exit(code)

    def alive(self) -> bool:
        """True while the child runs."""
        return self.proc.poll() is None

    def stop(self) -> None:
        """End the child: ask, then kill."""
        try:
            self.send({"op": "exit"})
        except BackendUnavailable:
            pass
        try:
            self.proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5.0)
        for f in (self.stdin, self.stdout):
            try:
                f.close()
            except OSError:
                pass


@dataclasses.dataclass
class WorkerState:
    """What the status command shows about the worker."""

    pid: int | None = None
    restarts: int = 0
    crashes: int = 0
    last_exit: str = ""
    gave_up: bool = False
    system_info: str = ""


class WorkerBackend:
    """A GGUF model served by the model worker process (the ``llama-cpp`` backend)."""

    name = "llama-cpp"

    def __init__(
        self,
        path: str,
        context_size: int = 2048,
        threads: int = 0,
        *,
        notify: Callable[[str], None] | None = None,
        on_state: Callable[[str, str | None], None] | None = None,
        load_timeout: float = 300.0,
    ) -> None:
        self.path = path
        self._load_args: dict[str, Any] = {"path": path, "context_size": context_size, "threads": threads}
        self.notify = notify
        self.on_state = on_state
        self.load_timeout = load_timeout
        self.state = WorkerState()
        self._closing = False
        self._count_cache: dict[str, int] = {}
        self._proc: _Process | None = None
        self._restarting = threading.Event()
        self._start()  # raises BackendUnavailable when the first load fails

    # -- lifecycle ---------------------------------------------------------------------------
    def _start(self) -> None:
        proc = _Process(self._load_args, self.load_timeout)
        info = proc.loaded
        self.family = fim.FAMILIES.get(str(info.get("family")), fim.FAMILIES["none"])
        self.model_id = str(info.get("model_id"))
        self.context_size = int(info.get("context_size") or self._load_args["context_size"])
        self.load_seconds = float(info.get("load_seconds") or 0.0)
        self.state.pid = proc.proc.pid
        self.state.system_info = str(info.get("system_info") or "")
        self._proc = proc
        threading.Thread(target=self._watch, args=(proc,), name="hpclsp-model-watch", daemon=True).start()

    def _watch(self, proc: _Process) -> None:
        """Wait for the child to end; unless we are closing, restart it with backoff."""
        code = proc.proc.wait()
        if self._closing or proc is not self._proc:
            return
        self._restarting.set()
        st = self.state
        st.crashes += 1
        st.last_exit = describe_exit(code)
        log.warning("the model worker %s", st.last_exit)
        if st.crashes == 1:
            self._tell(f"the model worker {st.last_exit}; restarting it (static features are unaffected)")
        self._set_state("restarting", f"model worker {st.last_exit}")
        while not self._closing:
            if st.crashes > MAX_CRASHES:
                st.gave_up = True
                msg = (
                    f"the model worker crashed {st.crashes} times in a row (last: {st.last_exit}); inline "
                    "completion is off until the server restarts. Run `hpclsp doctor` to find out why."
                )
                self._tell(msg)
                self._set_state("failed", msg)
                return
            time.sleep(BACKOFF[min(st.crashes - 1, len(BACKOFF) - 1)])
            if self._closing:
                return
            try:
                self._start()
            except BackendUnavailable as exc:
                st.crashes += 1
                st.last_exit = str(exc)
                continue
            st.restarts += 1
            self._restarting.clear()
            self._set_state("ready", None)
            return

    def _tell(self, message: str) -> None:
        if self.notify is not None:
            try:
                self.notify(message)
            except Exception:
                log.debug("notify failed", exc_info=True)

    def _set_state(self, state: str, error: str | None) -> None:
        if self.on_state is not None:
            self.on_state(state, error)

    def _live(self) -> _Process:
        proc = self._proc
        if proc is None or self._restarting.is_set() or not proc.alive():
            last = self.state.last_exit or "is not running"
            raise BackendUnavailable(f"the model worker is restarting ({last})")
        return proc

    # -- Backend interface -------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        """Exact token count from the worker's tokenizer (memoised here)."""
        hit = self._count_cache.get(text)
        if hit is not None:
            return hit
        proc = self._live()
        with proc.lock:
            proc.send({"op": "count", "texts": [text]})
            reply = proc.read()
        if reply.get("op") != "counts":
            raise BackendUnavailable(str(reply.get("message") or reply))
        n = int(reply["counts"][0])
        if len(self._count_cache) > 20000:
            self._count_cache.clear()
        self._count_cache[text] = n
        return n

    def generate(
        self,
        prompt: str,
        *,
        max_tokens: int,
        cut: CutFn | None = None,
        cancel: threading.Event | None = None,
        on_token: Callable[[int], None] | None = None,
    ) -> Generation:
        """Stream tokens from the worker; ``cut`` and ``cancel`` are checked after every token."""
        t0 = time.perf_counter()
        proc = self._live()
        with proc.lock:
            rid = proc.next_id()
            request: dict[str, Any] = {
                "op": "generate",
                "id": rid,
                "prompt": prompt,
                "max_tokens": max_tokens,
            }
            policy = getattr(cut, "__self__", None)
            if isinstance(policy, StopPolicy):  # the worker applies it too, without a round trip
                request["policy"] = dataclasses.asdict(policy)
            proc.send(request)
            text, n, first, stopped_at = "", 0, 0.0, None
            cancelled = False
            while True:
                msg = proc.read()
                op = msg.get("op")
                if op == "token" and msg.get("id") == rid:
                    if stopped_at is not None or cancelled:
                        continue  # tokens already on their way when we asked it to stop
                    if not n:
                        first = time.perf_counter() - t0
                    n += 1
                    text += str(msg.get("text", ""))
                    if on_token is not None:
                        on_token(n)
                    if cancel is not None and cancel.is_set():
                        cancelled = True
                        proc.send({"op": "cancel", "id": rid})
                        continue
                    if cut is not None:
                        pos = cut(text)
                        if pos is not None:
                            stopped_at = pos
                            proc.send({"op": "cancel", "id": rid})
                elif op == "done" and msg.get("id") == rid:
                    break
                elif op == "error":
                    raise BackendUnavailable(str(msg.get("message")))
        self.state.crashes = 0  # a request went through: the next crash starts a new series
        if cancelled:
            return Generation(
                text, n, "cancelled", int(msg.get("prompt_tokens") or 0), elapsed=time.perf_counter() - t0
            )
        if stopped_at is not None:
            text, finish = text[:stopped_at], "stop"
        else:
            text, finish = str(msg.get("text", text)), str(msg.get("finish", "length"))
        return Generation(
            text,
            # The worker's count: tokens that added no text (a partial UTF-8 sequence) sent no message.
            max(n, int(msg.get("tokens") or 0)),
            finish,
            prompt_tokens=int(msg.get("prompt_tokens") or 0),
            cached_tokens=int(msg.get("cached_tokens") or 0),
            elapsed=time.perf_counter() - t0,
            first_token=first,
        )

    def reset(self) -> None:
        """Forget the worker's KV cache (the next prompt is evaluated in full)."""
        proc = self._live()
        with proc.lock:
            proc.send({"op": "reset"})
            proc.read()

    def close(self) -> None:
        """Stop the worker (it would also exit on its own when the server ends)."""
        self._closing = True
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.stop()


@dataclasses.dataclass
class ProbeResult:
    """What a load-and-generate probe found."""

    ok: bool
    message: str
    text: str = ""
    system_info: str = ""
    seconds: float = 0.0
    tokens: int = 0
    gen_seconds: float = 0.0


def probe(path: str, *, tokens: int = 4, threads: int = 0, timeout: float = 300.0) -> ProbeResult:
    """Start a worker, load ``path``, generate a few tokens, stop it; report a crash by signal."""
    t0 = time.perf_counter()
    try:
        backend = WorkerBackend(path, context_size=512, threads=threads, load_timeout=timeout)
    except WorkerCrashed as exc:
        return ProbeResult(False, f"{exc} while loading {path}")
    except BackendUnavailable as exc:
        return ProbeResult(False, f"the model failed to load: {exc}")
    try:
        gen = backend.generate("int main(void) {\n    return", max_tokens=tokens)
    except BackendUnavailable as exc:
        return ProbeResult(False, f"{exc} while generating", system_info=backend.state.system_info)
    finally:
        backend.close()
    return ProbeResult(
        True,
        f"generated {gen.tokens} tokens in {gen.elapsed:.2f}s",
        text=gen.text,
        system_info=backend.state.system_info,
        seconds=time.perf_counter() - t0,
        tokens=gen.tokens,
        gen_seconds=gen.elapsed,
    )
