"""Malformed JSON-RPC, unknown methods, wrong parameter types: an error response, never a dead server."""

from __future__ import annotations

import queue

from .conftest import alive


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
