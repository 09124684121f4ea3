"""Property-based attacks on the real server over stdio (hypothesis): random bytes, random edit sequences."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import alive, change, digest, open_text, rng, state

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_as_message_bodies(server, body):
    server.send_raw(body)
    alive(server)


@SETTINGS
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=20,
    )
)
def test_random_params_for_real_methods(server, params):
    for method in (
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/codeAction",
        "workspace/executeCommand",
    ):
        body = json.dumps({"jsonrpc": "2.0", "id": "{id}", "method": method, "params": params}).replace(
            '"{id}"', "{id}"
        )
        msg = server.request_raw(body)
        assert "result" in msg or "error" in msg
    alive(server)


EDIT = st.tuples(
    st.integers(0, 6),
    st.integers(0, 40),
    st.integers(0, 6),
    st.integers(0, 40),
    st.text(st.sampled_from(list("ab ;{}()\n#pragma omp for é😀")), max_size=10),
)


@SETTINGS
@given(st.lists(EDIT, min_size=1, max_size=30))
def test_random_edit_sequences_match_client_text(server, edits):
    uri = "file:///prop/edits.c"
    text = "int main(void) {\n  int é = 0;\n  return é;\n}\n"
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    open_text(server, uri, text)
    version = 1
    for a, b, c, d, new in edits:
        lines = text.split("\n")
        a, c = min(a, len(lines) - 1), min(c, len(lines) - 1)
        if (c, d) < (a, b):
            a, b, c, d = c, d, a, b
        b, d = min(b, len(lines[a])), min(d, len(lines[c]))
        if a == c and d < b:
            b, d = d, b
        start = sum(len(x) + 1 for x in lines[:a]) + b
        end = sum(len(x) + 1 for x in lines[:c]) + d
        u16 = lambda line, col: len(line[:col].encode("utf-16-le")) // 2  # noqa: E731
        version += 1
        change(server, uri, version, [{"range": rng(a, u16(lines[a], b), c, u16(lines[c], d)), "text": new}])
        text = text[:start] + new + text[end:]
    assert state(server, uri)["sha256"] == digest(text)
