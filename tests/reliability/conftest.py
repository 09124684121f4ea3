"""A raw stdio client (hpclsp.stdio_client) shared by the reliability tests: one server per module."""

from __future__ import annotations

import hashlib
import time

import pytest

from hpclsp.stdio_client import Client


@pytest.fixture(scope="module")
def server():
    """A running server with default settings but no model (attacks target the server, not the model)."""
    c = Client()
    c.initialize({"model": {"backend": "none"}, "diagnostics": {"debounceMs": 0}})
    yield c
    c.close()
    assert c.proc.returncode in (0, None) or c.proc.returncode == -9


def alive(c: Client, timeout: float = 30) -> None:
    """The server still answers a request promptly."""
    t0 = time.perf_counter()
    c.request(
        "workspace/executeCommand",
        {"command": "hpclsp.documentState", "arguments": ["file:///none.c"]},
        timeout=timeout,
    )
    assert time.perf_counter() - t0 < timeout


def state(c: Client, uri: str) -> dict:
    """The server's view of a document."""
    return c.request("workspace/executeCommand", {"command": "hpclsp.documentState", "arguments": [uri]})


def digest(text: str) -> str:
    """What documentState reports for a text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def open_text(c: Client, uri: str, text: str, lang: str = "c", version: int = 1) -> None:
    """didOpen."""
    c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": lang, "version": version, "text": text}},
    )


def change(c: Client, uri: str, version: int, changes: list[dict]) -> None:
    """didChange."""
    c.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
    )


def rng(a: int, b: int, c_: int, d: int) -> dict:
    """An LSP range."""
    return {"start": {"line": a, "character": b}, "end": {"line": c_, "character": d}}
