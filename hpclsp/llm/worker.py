"""The model worker: the one child process the language server starts, and the only process
that loads llama.cpp.

A native crash in llama.cpp (a CPU-specific kernel, an out-of-memory kill) ends this process
only; the server notices, tells the user, and starts a new worker with backoff
(``hpclsp.llm.worker_client``). The worker speaks JSON lines over its stdin/stdout:

- ``{"op": "load", "path", "context_size", "threads"}`` → ``{"op": "loaded", "family",
  "model_id", "context_size", "system_info", "load_seconds"}`` or ``{"op": "error", "message"}``;
- ``{"op": "count", "texts": [...]}`` → ``{"op": "counts", "counts": [...]}``;
- ``{"op": "generate", "id", "prompt", "max_tokens", "policy"?}`` → ``{"op": "token", "id",
  "text"}`` for each token's text, then ``{"op": "done", "id", "text", "finish", "tokens", ...}``;
  ``policy`` (the fields of a ``postprocess.StopPolicy``) lets the worker stop at the cut itself
  instead of one or two tokens later, when the server's cancel arrives;
- ``{"op": "cancel", "id"}`` stops that generation at the next token;
- ``{"op": "reset"}`` forgets the KV cache → ``{"op": "reset"}``;
- ``{"op": "exit"}``, or the end of stdin, ends the worker at once: when the server exits or is
  killed, its end of the pipe closes, and the reader thread ends this process even while
  llama.cpp is busy in native code. (``PR_SET_PDEATHSIG`` is not used: it fires when the *thread*
  that started the child ends, and the server restarts workers from short-lived threads.)

Protocol output goes to a duplicate of the original stdout; fd 1 itself is pointed at stderr so
that nothing llama.cpp prints can corrupt the protocol.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
import time
from typing import IO, Any

log = logging.getLogger("hpclsp.worker")


class Worker:
    """Reads requests on one thread, runs them one at a time on another."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self._out_lock = threading.Lock()
        self.requests: queue.Queue[dict[str, Any]] = queue.Queue()
        self.backend: Any = None
        self._current: int | None = None
        self._cancel = threading.Event()

    def send(self, msg: dict[str, Any]) -> None:
        """Write one protocol message."""
        line = json.dumps(msg, ensure_ascii=True)
        with self._out_lock:
            self.out.write(line + "\n")
            self.out.flush()

    def read_loop(self, inp: IO[str]) -> None:
        """Queue requests; act on cancel at once; exit when the server closes the pipe."""
        for line in inp:
            try:
                msg = json.loads(line)
            except ValueError:
                self.send({"op": "error", "message": "malformed request"})
                continue
            op = msg.get("op")
            if op == "cancel":
                if msg.get("id") == self._current:
                    self._cancel.set()
            elif op == "exit":
                break
            else:
                self.requests.put(msg)
        os._exit(0)

    def serve(self) -> None:
        """Run queued requests in order, forever (the reader thread ends the process)."""
        while True:
            msg = self.requests.get()
            try:
                self.handle(msg)
            except Exception as exc:  # a Python-level failure is an answer, not a crash
                log.exception("request %s failed", msg.get("op"))
                self.send({"op": "error", "id": msg.get("id"), "message": f"{type(exc).__name__}: {exc}"})

    def handle(self, msg: dict[str, Any]) -> None:
        """One request."""
        op = msg.get("op")
        if op == "load":
            self._load(msg)
        elif op == "count":
            texts = msg.get("texts") or []
            self.send(
                {"op": "counts", "id": msg.get("id"), "counts": [self.backend.count_tokens(t) for t in texts]}
            )
        elif op == "generate":
            self._generate(msg)
        elif op == "reset":  # forget the KV cache (benchmarks measure cold prompts with it)
            self.backend.llm.reset()
            self.send({"op": "reset", "id": msg.get("id")})
        else:
            self.send({"op": "error", "id": msg.get("id"), "message": f"unknown op {op!r}"})

    def _load(self, msg: dict[str, Any]) -> None:
        import llama_cpp

        from hpclsp.llm.backends import LlamaCppBackend

        t0 = time.perf_counter()
        if self.backend is not None:
            self.backend.close()
        self.backend = LlamaCppBackend(
            str(msg["path"]), int(msg.get("context_size") or 2048), int(msg.get("threads") or 0)
        )
        b = self.backend
        self.send(
            {
                "op": "loaded",
                "family": b.family.name,
                "model_id": b.model_id,
                "context_size": b.context_size,
                "system_info": llama_cpp.llama_print_system_info().decode("utf-8", "replace").strip(),
                "llama_cpp_version": llama_cpp.__version__,
                "load_seconds": round(time.perf_counter() - t0, 3),
            }
        )

    def _generate(self, msg: dict[str, Any]) -> None:
        rid = msg.get("id")
        self._current = rid
        self._cancel.clear()
        sent = 0

        policy = None
        if msg.get("policy"):
            from hpclsp.llm.postprocess import StopPolicy

            policy = StopPolicy(**msg["policy"])

        def stream(text: str) -> int | None:
            nonlocal sent
            if len(text) > sent:
                self.send({"op": "token", "id": rid, "text": text[sent:]})
                sent = len(text)
            # The server's stop policy, applied here too: no token is generated past the cut.
            return policy.cut(text) if policy is not None else None

        try:
            gen = self.backend.generate(
                str(msg.get("prompt", "")),
                max_tokens=int(msg.get("max_tokens") or 16),
                cut=stream,
                cancel=self._cancel,
            )
        finally:
            self._current = None
        self.send(
            {
                "op": "done",
                "id": rid,
                "text": gen.text,
                "finish": gen.finish,
                "tokens": gen.tokens,
                "prompt_tokens": gen.prompt_tokens,
                "cached_tokens": gen.cached_tokens,
                "elapsed": gen.elapsed,
                "first_token": gen.first_token,
            }
        )


def main() -> None:
    """Entry point: ``python -m hpclsp.llm.worker``."""
    proto_fd = os.dup(1)
    os.dup2(2, 1)  # whatever native code prints goes to stderr, never into the protocol
    sys.stdout = sys.stderr
    logging.basicConfig(
        stream=sys.stderr,
        level=os.environ.get("HPCLSP_WORKER_LOG", "WARNING"),
        format="model-worker: %(levelname)s %(message)s",
    )
    out = os.fdopen(proto_fd, "w", encoding="utf-8", buffering=1)
    worker = Worker(out)
    reader = threading.Thread(target=worker.read_loop, args=(sys.stdin,), name="worker-reader", daemon=True)
    reader.start()
    worker.send({"op": "hello", "pid": os.getpid()})
    worker.serve()


if __name__ == "__main__":
    main()
