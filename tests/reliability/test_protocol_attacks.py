"""Malformed JSON-RPC, unknown methods, wrong parameter types: an error response, never a dead server."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import alive

ROOT = Path(__file__).resolve().parents[2]


def test_malformed_json_gets_parse_error(server):
    server.send_raw(b'{"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": {')
    err = server.orphan_errors.get(timeout=10)
    assert err["error"]["code"] == -32700
    alive(server)


def test_invalid_utf8_body(server):
    server.send_raw(b'{"jsonrpc": "2.0", "id": 98, "method": "x", "params": "\xff\xfe"}')
    err = server.orphan_errors.get(timeout=10)
    assert err["error"]["code"] == -32700
    alive(server)


def test_unknown_method(server):
    msg = server.request_raw('{"jsonrpc": "2.0", "id": {id}, "method": "hpclsp/doesNotExist", "params": {}}')
    assert msg["error"]["code"] == -32601
    alive(server)


def test_wrong_param_types(server):
    for body in (
        '{"jsonrpc": "2.0", "id": {id}, "method": "textDocument/hover", "params": {"textDocument": 5}}',
        '{"jsonrpc": "2.0", "id": {id}, "method": "textDocument/completion", "params": {"textDocument": {"uri": "file:///a.c"}, "position": {"line": "x", "character": 0}}}',
        '{"jsonrpc": "2.0", "id": {id}, "method": "textDocument/codeAction", "params": []}',
    ):
        msg = server.request_raw(body)
        assert msg["error"]["code"] in (-32602, -32603), msg
    alive(server)


def test_garbage_headers_and_truncated_stream_prefix(server):
    server.send_raw(b"", header=b"Nonsense: yes\r\n\r\n")
    server.send_raw(b"", header=b"Content-Length: abc\r\n\r\n")
    alive(server)


def test_bad_notifications_are_ignored(server):
    server.send_raw(b'{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": 1}}')
    server.send_raw(b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": null}')
    alive(server)
    try:
        server.orphan_errors.get(timeout=0.5)
    except queue.Empty:
        pass


def _drain(server) -> None:
    while True:
        try:
            server.orphan_errors.get(timeout=0.3)
        except queue.Empty:
            return


def test_short_content_length_then_valid_request(server):
    """A frame whose Content-Length counts characters, not UTF-8 bytes: a parse error, then the
    server finds the next header and answers the next request (it used to stall for good)."""
    _drain(server)
    body = '{"jsonrpc": "2.0", "id": 90, "method": "workspace/executeCommand", "params": {"command": "hpclsp.documentState", "arguments": ["file:///día/ñandú.c"]}}'
    raw = body.encode()
    assert len(body) < len(raw)
    server.send_raw(raw, header=b"Content-Length: %d\r\n\r\n" % len(body))
    err = server.orphan_errors.get(timeout=10)
    assert err["error"]["code"] == -32700 and err.get("id") is None
    msg = server.request_raw(
        '{"jsonrpc": "2.0", "id": {id}, "method": "workspace/executeCommand", "params": {"command": "hpclsp.documentState", "arguments": ["file:///none.c"]}}',
        timeout=10,
    )
    assert "result" in msg, msg
    alive(server)
    with pytest.raises(queue.Empty):  # the left-over bytes of the broken frame get no second error
        server.orphan_errors.get(timeout=0.5)


def test_long_content_length_and_garbage_resync(server):
    """A Content-Length longer than its body swallows the next header; garbage between frames is
    skipped with one parse error; every later request is answered."""
    _drain(server)
    note = b'{"jsonrpc": "2.0", "method": "$/noSuchNotification", "params": {}}'
    server.send_raw(note, header=b"Content-Length: %d\r\n\r\n" % (len(note) + 25))
    first = server.request_raw(
        '{"jsonrpc": "2.0", "id": {id}, "method": "workspace/executeCommand", "params": {"command": "hpclsp.documentState", "arguments": ["file:///a.c"]}}',
        timeout=10,
    )
    assert "result" in first, first
    server.send_raw(b"", header=b"\x00\xffnot a header at all\r\n")
    msg = server.request_raw(
        '{"jsonrpc": "2.0", "id": {id}, "method": "workspace/executeCommand", "params": {"command": "hpclsp.documentState", "arguments": ["file:///b.c"]}}',
        timeout=10,
    )
    assert "result" in msg, msg
    assert server.orphan_errors.get(timeout=10)["error"]["code"] == -32700
    alive(server)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _read_message(sock: socket.socket, buf: bytearray) -> dict:
    while b"\r\n\r\n" not in buf:
        buf += sock.recv(65536)
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    headers = dict(line.split(b":", 1) for line in head.split(b"\r\n"))
    length = int({k.strip().lower(): v for k, v in headers.items()}[b"content-length"])
    while len(rest) < length:
        rest += sock.recv(65536)
    buf[:] = rest[length:]
    return json.loads(rest[:length])


def test_tcp_transport_resynchronises_too():
    """`hpclsp serve --tcp` uses the same reader: a short frame, then a request that is answered."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HPCLSP_RETRIEVAL": "off", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hpclsp", "serve", "--tcp", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
        with sock:
            body = '{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"rootUri": "file:///é"}}'
            sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body.encode())
            init = json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "initialize",
                    "params": {"capabilities": {}, "initializationOptions": {"model": {"backend": "none"}}},
                }
            ).encode()
            sock.sendall(b"Content-Length: %d\r\n\r\n" % len(init) + init)
            buf = bytearray()
            first = _read_message(sock, buf)
            assert first["error"]["code"] == -32700 and first.get("id") is None
            second = _read_message(sock, buf)
            assert second["id"] == 2 and second["result"]["serverInfo"]["name"] == "hpclsp"
    finally:
        proc.kill()
        proc.wait(timeout=10)
