"""A minimal LSP client over stdio: drives ``hpclsp serve`` for ``hpclsp demo`` and the benchmarks."""

from __future__ import annotations

import json
import os
import pathlib
import queue
import subprocess
import sys
import threading
import time
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]


#: A capable client: related information, snippets, Markdown, progress, configuration, inline completion.
CAPABILITIES: dict[str, Any] = {
    "window": {"workDoneProgress": True},
    "workspace": {"configuration": True, "applyEdit": True, "workspaceEdit": {"documentChanges": False}},
    "textDocument": {
        "publishDiagnostics": {
            "relatedInformation": True,
            "codeDescriptionSupport": True,
            "dataSupport": True,
        },
        "completion": {
            "completionItem": {"snippetSupport": True, "documentationFormat": ["markdown", "plaintext"]}
        },
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "codeAction": {
            "codeActionLiteralSupport": {
                "codeActionKind": {"valueSet": ["quickfix", "refactor", "refactor.rewrite"]}
            }
        },
        "inlineCompletion": {"dynamicRegistration": False},
        "synchronization": {"dynamicRegistration": False},
    },
}


class Client:
    """Start ``python -m hpclsp serve`` and talk LSP to it."""

    def __init__(
        self,
        extra_env: dict[str, str] | None = None,
        stderr: Any = subprocess.DEVNULL,
        command: list[str] | None = None,
    ) -> None:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", **(extra_env or {})}
        if (ROOT / "hpclsp").is_dir():  # running from a source tree
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
        self.t_spawn = time.perf_counter()
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "hpclsp", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
        )
        self._id = 0
        #: Requests the server sent us (method, params), e.g. workspace/applyEdit.
        self.server_requests: list[tuple[str, Any]] = []
        self._responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self.notifications: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.orphan_errors: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _send(self, msg: dict[str, Any]) -> None:
        self.send_raw(json.dumps(msg).encode())

    def send_raw(self, body: bytes, header: bytes | None = None) -> None:
        """Send a body with a Content-Length header (or a given raw header)."""
        assert self.proc.stdin is not None
        with self._lock:
            self.proc.stdin.write(
                (header if header is not None else b"Content-Length: %d\r\n\r\n" % len(body)) + body
            )
            self.proc.stdin.flush()

    def request_raw(self, body_template: str, timeout: float = 30) -> dict[str, Any]:
        """Send a request body with '{id}' substituted; return the whole response message (result or error)."""
        self._id += 1
        rid = self._id
        q = self._responses.setdefault(rid, queue.Queue())
        self.send_raw(body_template.replace("{id}", str(rid)).encode("utf-8", "surrogatepass"))
        return q.get(timeout=timeout)

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                k, _, v = line.decode().partition(":")
                headers[k.lower()] = v.strip()
            msg = json.loads(out.read(int(headers["content-length"])))
            if "id" in msg and "method" in msg:  # a request from the server
                self.server_requests.append((msg["method"], msg.get("params")))
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": self._answer(msg)})
            elif "id" in msg and msg["id"] is not None:
                self._responses.setdefault(msg["id"], queue.Queue()).put(msg)
            elif "error" in msg:  # an error that could not be attributed to a request
                self.orphan_errors.put(msg)
            else:
                self.notifications.put((time.perf_counter(), msg))

    @staticmethod
    def _answer(msg: dict[str, Any]) -> Any:
        if msg["method"] == "workspace/configuration":
            return [{} for _ in msg["params"]["items"]]
        if msg["method"] == "workspace/applyEdit":
            return {"applied": True}
        return None

    def request(self, method: str, params: Any, timeout: float = 60) -> Any:
        """Send a request and wait for its result."""
        self._id += 1
        rid = self._id
        q = self._responses.setdefault(rid, queue.Queue())
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        msg = q.get(timeout=timeout)
        if "error" in msg:
            raise RuntimeError(msg["error"])
        return msg.get("result")

    def notify(self, method: str, params: Any) -> None:
        """Send a notification."""
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def initialize(
        self, init_options: dict[str, Any] | None = None, root: pathlib.Path | None = None
    ) -> float:
        """initialize + initialized; returns seconds from spawn to the initialize response."""
        self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": (root or ROOT).as_uri(),
                "capabilities": CAPABILITIES,
                "initializationOptions": init_options or {"model": {"backend": "none"}},
            },
        )
        elapsed = time.perf_counter() - self.t_spawn
        self.notify("initialized", {})
        return elapsed

    def wait_diagnostics(
        self, uri: str, version: int | None = None, timeout: float = 60
    ) -> tuple[float, list[Any]]:
        """Wait for publishDiagnostics for uri (and version); returns (arrival time, diagnostics)."""
        deadline = time.perf_counter() + timeout
        while True:
            t, msg = self.notifications.get(timeout=max(0.01, deadline - time.perf_counter()))
            if msg.get("method") != "textDocument/publishDiagnostics":
                continue
            p = msg["params"]
            if p["uri"] == uri and (version is None or p.get("version") == version):
                return t, p["diagnostics"]

    def close(self) -> None:
        """shutdown + exit."""
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
