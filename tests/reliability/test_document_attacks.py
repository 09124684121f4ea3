"""Bad documents and bad positions: partial or no results within a time budget, text never lost."""

from __future__ import annotations

import random
import time

import pytest

from .conftest import alive, change, digest, open_text, rng, state

BIG = 10 * 1024 * 1024


def _roundtrip(server, uri: str, text: str, lang: str = "c", budget: float = 20.0) -> list:
    t0 = time.perf_counter()
    open_text(server, uri, text, lang)
    _, diags = server.wait_diagnostics(uri, 1, timeout=budget)
    assert time.perf_counter() - t0 < budget
    st = state(server, uri)
    assert st["sha256"] == digest(text) and st["length"] == len(text)
    for method, params in (
        ("textDocument/hover", {"position": {"line": 3, "character": 5}}),
        ("textDocument/completion", {"position": {"line": 3, "character": 5}}),
        ("textDocument/codeAction", {"range": rng(0, 0, 5, 0), "context": {"diagnostics": []}}),
    ):
        server.request(method, {"textDocument": {"uri": uri}, **params}, timeout=budget)
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return diags


CASES = {
    "binary.c": lambda: "".join(chr(b) for b in random.Random(1).randbytes(20000)),
    "nul.c": lambda: "int main(void) {\x00\x00\x00 return 0; }\n",
    "lone_surrogates.c": lambda: "int main(void) { /* \ud800 \udfff */ return 0; }\n",
    "huge_10mb.c": lambda: "/* padding */ int v;\n" * (BIG // 21),
    "lines_100k.c": lambda: "".join(f"int v{i} = {i};\n" for i in range(100_000)),
    "one_mb_line.c": lambda: "int x = " + "1 + " * 250_000 + "1;\n",
    "nested_braces.c": lambda: "void f(void) " + "{" * 5000 + "}" * 5000 + "\n",
    "nested_parens.c": lambda: "int x = " + "(" * 5000 + "1" + ")" * 5000 + ";\n",
    "unterminated_comment.c": lambda: (
        "int main(void) {\n/* never closed\n#pragma omp parallel for\nfor (;;)\n"
    ),
    "unterminated_string.c": lambda: 'const char *s = "never closed\n#pragma omp parallel\n',
    "half_typed_directives.c": lambda: (
        "void f(int n, double *a) {\n#pragma omp parallel for reduc\n#pragma omp\n#pragma omp parallel for private(\n#pragma omp target map(to: a[0:\n  for (int i = 0; i < n; i++) a[i] = 0;\n}\n"
    ),
    "half_typed.f90": lambda: "program p\n!$omp parallel do private(\n  do i = 1,\n!$omp end\nend program\n",
    "nested_fortran.f90": lambda: (
        "program p\n" + "if (.true.) then\n" * 2000 + "end if\n" * 2000 + "end program p\n"
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_document(server, name):
    text = CASES[name]()
    lang = "fortran" if name.endswith(".f90") else "c"
    _roundtrip(server, f"file:///attack/{name}", text, lang)
    alive(server)


def test_unknown_language_and_scheme(server):
    uri = "untitled:Untitled-1"
    open_text(server, uri, "hello world", "plaintext")
    _, diags = server.wait_diagnostics(uri, 1, timeout=10)
    assert diags == []
    assert state(server, uri)["sha256"] == digest("hello world")
    alive(server)


def test_positions_out_of_range(server):
    uri = "file:///attack/positions.c"
    text = "int main(void) {\n  return 0;\n}\n"
    open_text(server, uri, text)
    server.wait_diagnostics(uri, 1)
    for pos in (
        {"line": 9999, "character": 0},
        {"line": 0, "character": 9999},
        {"line": 2, "character": 2**31 - 1},
    ):
        server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos})
        server.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": pos})
    server.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": rng(500, 0, 400, 3), "context": {"diagnostics": []}},
    )
    # Requests for documents that are not open.
    server.request(
        "textDocument/hover",
        {"textDocument": {"uri": "file:///not/open.c"}, "position": {"line": 0, "character": 0}},
    )
    alive(server)


def test_change_ranges_that_do_not_fit(server):
    uri = "file:///attack/ranges.c"
    text = "int a;\nint b;\n"
    open_text(server, uri, text)
    # Beyond the end: clamped to the end, like VS Code does.
    change(server, uri, 2, [{"range": rng(10, 0, 12, 4), "text": "int c;\n"}])
    assert state(server, uri)["sha256"] == digest(text + "int c;\n")
    # Reversed range (end before start) inserts at the start.
    change(server, uri, 3, [{"range": rng(1, 3, 0, 1), "text": "X"}])
    st = state(server, uri)
    assert st["version"] == 3 and st["length"] == len(text + "int c;\n") + 1
    # didChange for a document that is not open is ignored.
    change(server, "file:///attack/never-opened.c", 5, [{"range": rng(0, 0, 0, 0), "text": "x"}])
    alive(server)


def test_thousands_of_random_incremental_edits_keep_text_in_sync(server):
    """The document state always equals the client's text (SPEC §6)."""
    rnd = random.Random(1234)
    uri = "file:///attack/random_edits.c"
    text = "#include <stdio.h>\n/* día 😀 */\nint main(void) {\n  return 0;\n}\n"
    open_text(server, uri, text)
    alphabet = list("abcdefgh ;{}()[]\n\t#pragma omp for é😀∑\r")
    version = 1
    for step in range(3000):
        lines = text.split("\n")
        a_line = rnd.randrange(len(lines))
        b_line = min(len(lines) - 1, a_line + rnd.choice((0, 0, 0, 1, 2)))
        a_col = rnd.randrange(len(lines[a_line]) + 1)
        b_col = (
            rnd.randrange(len(lines[b_line]) + 1)
            if b_line != a_line
            else rnd.randrange(a_col, len(lines[a_line]) + 1)
        )
        new = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 6)))
        start = sum(len(x) + 1 for x in lines[:a_line]) + a_col
        end = sum(len(x) + 1 for x in lines[:b_line]) + b_col

        def u16(line: str, col: int) -> int:
            return len(line[:col].encode("utf-16-le")) // 2

        version += 1
        change(
            server,
            uri,
            version,
            [
                {
                    "range": rng(a_line, u16(lines[a_line], a_col), b_line, u16(lines[b_line], b_col)),
                    "text": new,
                }
            ],
        )
        text = text[:start] + new + text[end:]
        text = text.replace("\r", "")  # keep \n-only lines so this model's line split matches LSP's
        if "\r" in new:
            # the server saw a \r; resynchronise the reference by sending the full text
            version += 1
            server.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
            )
        if step % 500 == 0:
            assert state(server, uri)["sha256"] == digest(text), f"diverged at step {step}"
    st = state(server, uri)
    assert st["sha256"] == digest(text) and st["version"] == version
