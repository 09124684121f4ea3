"""``compile_commands.json``: #if evaluation, branch blanking, database parsing, the CLI and the server."""

from __future__ import annotations

import json
import pathlib

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from hpclsp import compile_db, preprocessor
from hpclsp.preprocessor import Macros

from ..e2e.conftest import wait_for_diagnostics
from .test_check import hpclsp

M = Macros({"ONE": "1", "TWO": "2", "EMPTY": "", "GONE": None, "EXPR": "(TWO * 3)"})


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("1", 1),
        ("0", 0),
        ("defined(ONE)", 1),
        ("defined ONE && !defined(GONE)", 1),
        ("defined(GONE)", 0),
        ("GONE", 0),  # an undefined identifier is 0
        ("TWO > ONE", 1),
        ("TWO == 2 && ONE != 1", 0),
        ("EXPR == 6", 1),
        ("0x10 == 16 && 010 == 8 && 3u == 3", 1),
        ("(ONE + TWO) * 2 - 1 >= 5 ? 1 : 0", 1),
        ("!ONE || TWO < 1", 0),
        # Unknown macros make the result unknown, unless the rest decides it.
        ("UNKNOWN", None),
        ("defined(UNKNOWN)", None),
        ("UNKNOWN && 0", 0),
        ("defined(UNKNOWN) || ONE", 1),
        ("UNKNOWN + 1 > 2", None),
        ("FUNC(1)", None),
        ("ONE /", None),
        ("1 / 0", None),
        ("ONE // a comment", 1),
    ],
)
def test_evaluate(expr, value):
    assert preprocessor.evaluate(expr, M) == value


SOURCE = """\
#ifdef ONE
a
#else
b
#endif
#if defined(UNKNOWN)
c
#elif TWO == 2
d
#else
e
#endif
#ifndef GONE
#  if 0
f
#  endif
g
#else
h
#endif
#define LOCAL 1
#if LOCAL
i
#endif
"""


def test_inactive_lines_are_blanked_and_lines_kept():
    out = preprocessor.blank_inactive(SOURCE, M)
    assert len(out.split("\n")) == len(SOURCE.split("\n"))
    kept = {line for line in out.split("\n") if line and not line.lstrip().startswith("#")}
    # b, f and h are certainly not compiled; c, d and e depend on UNKNOWN, except e (TWO == 2).
    assert kept == {"a", "c", "d", "g", "i"}


def test_nothing_known_keeps_everything():
    text = SOURCE.replace("#  if 0", "#  if X")
    assert preprocessor.blank_inactive(text, Macros()) == text


def test_parse_entry_flags(tmp_path):
    item = {
        "directory": str(tmp_path),
        "arguments": [
            "mpicc",
            "-DN=4",
            "-D",
            "USE_MPI",
            "-UNDEBUG",
            "-Iinclude",
            "-I",
            "/opt/x",
            "-fopenmp",
            "a.c",
        ],
        "file": "a.c",
    }
    e = compile_db.parse_entry(item, str(tmp_path))
    assert e is not None
    assert e.file == str(tmp_path / "a.c")
    assert e.defines == (("N", "4"), ("USE_MPI", "1"))
    assert e.undefines == ("NDEBUG",)
    assert e.includes == (str(tmp_path / "include"), "/opt/x")
    assert e.openmp
    m = e.macros("c")
    assert m.state("_OPENMP")[1] is not None and m.state("NDEBUG") == (True, None)
    e2 = compile_db.parse_entry(
        {"directory": "/w", "command": "cc -c 'b c.c' -DX=\"1\"", "file": "b c.c"}, "/"
    )
    assert e2 is not None and e2.defines == (("X", "1"),) and not e2.openmp
    assert e2.macros("c").state("_OPENMP") == (True, None)  # no -fopenmp: the compiler does not define it


OMP_C = """\
double f(const double *x, int n) {
    double sum = 0.0;
#ifdef _OPENMP
#pragma omp parallel for
    for (int i = 0; i < n; i++) sum += x[i];
#else
    for (int i = 0; i < n; i++) sum += x[i];
#endif
#if defined(USE_SERIAL_REDUCTION)
#pragma omp parallel for
    for (int i = 0; i < n; i++) sum += 2 * x[i];
#endif
    return sum;
}
"""


def write_db(directory: pathlib.Path, flags: str, name: str = "k.c") -> None:
    db = [{"directory": str(directory), "command": f"cc -c {flags} {name}", "file": name}]
    (directory / "compile_commands.json").write_text(json.dumps(db))


def race_lines(r) -> list[int]:
    return sorted(d["line"] for d in json.loads(r.stdout) if d["code"].startswith("omp-race"))


def test_cli_analyses_the_configured_branches(tmp_path):
    (tmp_path / "k.c").write_text(OMP_C)
    args = ("check", "--format", "json", "--no-hints", "k.c")
    assert race_lines(hpclsp(*args, "--no-compile-commands", cwd=str(tmp_path))) == [5, 11]
    write_db(tmp_path, "-fopenmp -UUSE_SERIAL_REDUCTION")
    assert race_lines(hpclsp(*args, cwd=str(tmp_path))) == [5]
    write_db(tmp_path, "-DUSE_SERIAL_REDUCTION")  # no -fopenmp: the _OPENMP branch is not compiled
    assert race_lines(hpclsp(*args, cwd=str(tmp_path))) == [11]
    # A file without an entry keeps every branch; the database is found above the file.
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "k.c").write_text(OMP_C)
    sub_args = ("check", "--format", "json", "--no-hints", "sub/k.c")
    assert race_lines(hpclsp(*sub_args, cwd=str(tmp_path))) == [5, 11]
    write_db(tmp_path, "-DUSE_SERIAL_REDUCTION", "sub/k.c")
    assert race_lines(hpclsp(*sub_args, cwd=str(tmp_path))) == [11]
    # Or given explicitly.
    other = tmp_path / "other"
    other.mkdir()
    (tmp_path / "compile_commands.json").rename(other / "compile_commands.json")
    assert race_lines(hpclsp(*sub_args, cwd=str(tmp_path))) == [5, 11]
    r = hpclsp(*sub_args, "--compile-commands", "other/compile_commands.json", cwd=str(tmp_path))
    assert race_lines(r) == [11]
    assert hpclsp("check", "--compile-commands", "nope.json", "k.c", cwd=str(tmp_path)).returncode == 2


async def test_server_uses_the_database(client: LanguageClient, tmp_path):
    write_db(tmp_path, "-DUSE_SERIAL_REDUCTION")
    uri = (tmp_path / "k.c").as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="c", version=1, text=OMP_C)
        )
    )
    diags = await wait_for_diagnostics(client, uri)
    assert sorted(d.range.start.line + 1 for d in diags if str(d.code).startswith("omp-race")) == [11]


def test_suppressions_in_branches_not_compiled_are_not_unused(tmp_path):
    text = OMP_C.replace(
        "    for (int i = 0; i < n; i++) sum += 2 * x[i];",
        "    for (int i = 0; i < n; i++) sum += 2 * x[i]; // hpclsp: ignore[omp-race-missing-reduction]",
    )
    (tmp_path / "k.c").write_text(text)
    write_db(tmp_path, "-fopenmp -UUSE_SERIAL_REDUCTION")
    r = hpclsp("check", "--format", "json", "--no-hints", "--strict", "k.c", cwd=str(tmp_path))
    assert [(d["line"], d["code"]) for d in json.loads(r.stdout)] == [(5, "omp-race-missing-reduction")]
    r = hpclsp(
        "check",
        "--format",
        "json",
        "--no-hints",
        "--strict",
        "--no-compile-commands",
        "k.c",
        cwd=str(tmp_path),
    )
    assert [(d["line"], d["code"]) for d in json.loads(r.stdout)] == [(5, "omp-race-missing-reduction")]


def test_continued_directives_crlf_and_file_defines():
    text = (
        "#if defined(ONE) && \\\n    TWO == 3\r\nx\r\n#endif\r\n#undef ONE\r\n#ifdef ONE\r\ny\r\n#endif\r\n"
    )
    out = preprocessor.blank_inactive(text, M)
    assert out.split("\n") == [
        "#if defined(ONE) && \\",
        "    TWO == 3\r",
        "\r",
        "#endif\r",
        "#undef ONE\r",
        "#ifdef ONE\r",
        "\r",
        "#endif\r",
        "",
    ]
    # A #define inside a branch that may or may not be compiled makes the macro unknown.
    text = "#ifdef UNKNOWN\n#define GONE 1\n#endif\n#ifdef GONE\nz\n#endif\n"
    assert preprocessor.blank_inactive(text, M) == text
