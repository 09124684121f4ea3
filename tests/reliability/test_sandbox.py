"""The server starts exactly one child, its model worker, and opens no network connection (SPEC
§6), even with the model and retrieval loaded: checked with a Python audit hook around a whole
session. The worker never outlives the server."""

from __future__ import annotations

import json
import os
import sys
import time

from hpclsp.stdio_client import ROOT, Client

HERE = os.path.dirname(os.path.abspath(__file__))


def test_no_subprocess_or_network(tmp_path):
    log = tmp_path / "audit.jsonl"
    log.touch()
    client = Client(
        extra_env={"HPCLSP_AUDIT_LOG": str(log)},
        command=[sys.executable, os.path.join(HERE, "audit_server.py")],
    )
    client.initialize({"model": {"backend": "llama-cpp"}, "diagnostics": {"debounceMs": 0}})
    text = (ROOT / "examples" / "jacobi.c").read_text()
    uri = (ROOT / "examples" / "jacobi.c").as_uri()
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "c", "version": 1, "text": text}}
    )
    client.wait_diagnostics(uri, 1, timeout=120)
    for method, params in (
        ("textDocument/hover", {"position": {"line": 15, "character": 10}}),
        ("textDocument/completion", {"position": {"line": 15, "character": 10}}),
        (
            "textDocument/codeAction",
            {
                "range": {"start": {"line": 27, "character": 0}, "end": {"line": 27, "character": 5}},
                "context": {"diagnostics": []},
            },
        ),
    ):
        client.request(method, {"textDocument": {"uri": uri}, **params}, timeout=60)
    # Let the model load in the background and answer one inline completion.
    deadline = time.time() + 180
    while time.time() < deadline:
        res = client.request(
            "textDocument/inlineCompletion",
            {
                "textDocument": {"uri": uri},
                "position": {"line": 20, "character": 12},
                "context": {"triggerKind": 1},
            },
            timeout=180,
        )
        if res and res.get("items"):
            break
        time.sleep(1)
    # And retrieval: the embedder and the built-in index, loaded in the background.
    deadline = time.time() + 240
    passages: list = []
    while time.time() < deadline and not passages:
        answer = client.request(
            "workspace/executeCommand",
            {"command": "hpclsp.askDocs", "arguments": ["start a nonblocking send"]},
            timeout=240,
        )
        passages = (answer or {}).get("passages") or []
        if not passages:
            time.sleep(1)
    assert passages, "retrieval never answered"
    status = client.request("workspace/executeCommand", {"command": "hpclsp.modelStatus", "arguments": []})
    worker_pid = status["worker"]["pid"]
    assert os.path.exists(f"/proc/{worker_pid}")
    client.close()
    deadline = time.time() + 10
    while os.path.exists(f"/proc/{worker_pid}") and time.time() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{worker_pid}"), "the model worker outlived the server"
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    spawned = [e for e in events if e["event"] == "subprocess.Popen"]
    others = [e for e in events if e["event"] != "subprocess.Popen"]
    assert others == [], f"the server opened sockets or spawned otherwise: {others[:10]}"
    assert len(spawned) == 1 and "hpclsp.llm.worker" in spawned[0]["args"], spawned
