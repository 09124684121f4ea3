"""The model runs in its own process: killing it mid-request leaves every static feature
answering, tells the user, and a later completion works after the automatic restart. Also: the
installed llama.cpp is the portable build, and the probe reports a crash with its signal."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from hpclsp.llm import model_files, portable, worker_client
from hpclsp.stdio_client import Client

#: A document with two completion sites: an empty function body (a long, multi-line completion
#: to kill the worker in) and the right-hand side of an assignment.
SAXPY = "\n".join(
    [
        "#include <stdio.h>",
        "",
        "void saxpy(int n, float a, const float *x, float *y)",
        "{",
        "    for (int i = 0; i < n; i++) {",
        "        y[i] = ",
        "    }",
        "}",
        "",
        "void print_vector(int n, const float *v)",
        "{",
        "    ",
        "}",
        "",
    ]
)


def _status(client: Client) -> dict:
    return client.request("workspace/executeCommand", {"command": "hpclsp.modelStatus", "arguments": []})


def _wait_ready(client: Client, timeout: float = 240, not_pid: int | None = None) -> dict:
    deadline = time.time() + timeout
    st: dict = {}
    while time.time() < deadline:
        st = _status(client)
        pid = (st.get("worker") or {}).get("pid")
        if st.get("state") == "ready" and pid and pid != not_pid:
            return st
        time.sleep(0.5)
    raise AssertionError(f"the model never became ready: {st}")


def _inline(client: Client, uri: str, line: int, character: int, timeout: float = 180):
    return client.request(
        "textDocument/inlineCompletion",
        {
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": character},
            "context": {"triggerKind": 1},
        },
        timeout=timeout,
    )


def _wait_diagnostics(client: Client, uri: str, version: int, shown: list[str], timeout: float = 60) -> None:
    """Wait for the diagnostics of a version, keeping the showMessage texts that arrive meanwhile."""
    deadline = time.time() + timeout
    while True:
        _, msg = client.notifications.get(timeout=max(0.01, deadline - time.time()))
        if msg.get("method") == "window/showMessage":
            shown.append(msg["params"]["message"])
        elif msg.get("method") == "textDocument/publishDiagnostics":
            p = msg["params"]
            if p["uri"] == uri and p.get("version") == version:
                return


def _drain_messages(client: Client, shown: list[str]) -> None:
    while not client.notifications.empty():
        _, msg = client.notifications.get()
        if msg.get("method") == "window/showMessage":
            shown.append(msg["params"]["message"])


def test_killing_the_worker_keeps_the_server_answering_and_it_restarts(tmp_path):
    client = Client()
    try:
        client.initialize(
            {"model": {"embedded": "0.5b", "maxTokens": 64}, "diagnostics": {"debounceMs": 0}},
            root=tmp_path,
        )
        text = SAXPY
        uri = (tmp_path / "saxpy.c").as_uri()
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": text}},
        )
        shown: list[str] = []
        _wait_diagnostics(client, uri, 1, shown, timeout=120)
        st = _wait_ready(client)
        pid = st["worker"]["pid"]
        assert pid != os.getpid() and os.path.exists(f"/proc/{pid}")
        # A long completion in the empty body; kill the worker while it generates.
        lines = text.split("\n")
        line = lines.index("    for (int i = 0; i < n; i++) {")
        body = len(lines) - 3
        result: dict = {}
        t = threading.Thread(target=lambda: result.update(r=_inline(client, uri, body, 4)))
        t.start()
        deadline = time.time() + 60
        generating = 0
        while time.time() < deadline and not generating:
            generating = _status(client).get("currentTokens") or 0
            time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)
        assert generating, "the worker was killed before it generated anything"
        t.join(timeout=120)
        assert not t.is_alive(), "the inline completion request never returned"
        # Static features answer while the worker is gone or restarting.
        # Answered: a timeout or an error response raises.
        client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": 4}},
            timeout=10,
        )
        actions = client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 3}},
                "context": {"diagnostics": []},
            },
        )
        assert isinstance(actions, list)
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text + "\n"}]},
        )
        _wait_diagnostics(client, uri, 2, shown)
        st = _wait_ready(client, not_pid=pid)
        assert st["worker"]["restarts"] >= 1
        _drain_messages(client, shown)
        assert any("model worker" in m and "SIGKILL" in m for m in shown), shown
        res = _inline(client, uri, line + 1, len("        y[i] = "))
        assert res and res.get("items") and res["items"][0]["insertText"].strip(), res
    finally:
        client.close()


def test_installed_llama_cpp_is_the_portable_build():
    res = worker_client.probe(str(model_files.fast_model_path()), tokens=2)
    assert res.ok, res.message
    assert "AVX2 = 1" in res.system_info, res.system_info
    assert portable.problems(res.system_info) == [], res.system_info


def test_portable_rules_reject_a_native_build():
    native = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | AVX512 = 1 | AMX_INT8 = 1 |"
    assert portable.problems(native, "x86_64") == [
        "AVX512 kernels are compiled in",
        "AMX_INT8 kernels are compiled in",
    ]


def test_probe_reports_a_crash_with_its_signal(tmp_path, monkeypatch):
    """A worker that dies while loading is reported by signal, and the caller survives."""
    script = tmp_path / "crash.py"
    script.write_text(
        'import os, signal, sys\nsys.stdout.write(\'{"op": "hello"}\\n\'); sys.stdout.flush()\nos.kill(os.getpid(), signal.SIGSEGV)\n'
    )
    monkeypatch.setattr(worker_client, "worker_command", lambda: [os.sys.executable, str(script)])
    res = worker_client.probe(str(model_files.fast_model_path()))
    assert not res.ok and "SIGSEGV" in res.message, res.message


@pytest.mark.parametrize("key", ["1.5b", "0.5b"])
def test_embedded_models_match_their_pinned_hash(key):
    """The part packages assemble into exactly the pinned file (the hash is what makes them safe)."""
    import hashlib

    model = model_files.embedded(key)
    path = model_files.embedded_model_path(key)
    assert path.stat().st_size == model.size
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(16 << 20):
            h.update(chunk)
    assert h.hexdigest() == model.sha256


def test_parts_that_do_not_form_the_pinned_model_are_refused(tmp_path):
    parts = []
    for i in range(2):
        p = tmp_path / f"part{i}.bin"
        p.write_bytes(b"GGUF" + bytes([i]) * 100)
        parts.append(p)
    target = tmp_path / "model.gguf"
    with pytest.raises(model_files.ModelFileError, match="do not form the pinned model"):
        model_files.assemble_parts(parts, target, 208, "0" * 64)
    assert not target.exists() and not list(tmp_path.glob(".*.tmp"))
