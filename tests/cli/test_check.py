"""``hpclsp check``: formats, exit codes, select/ignore, and the same findings as the server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from lsprotocol import types
from pytest_lsp import LanguageClient

from ..conftest import ROOT
from ..e2e.conftest import open_doc, wait_for_diagnostics

BAD_C = """\
int main(void) {
    int a[10];
#pragma omp paralel for
    for (int i = 0; i < 10; i++) a[i] = i;
#pragma omp parallel private(a) shared(a)
    { a[0] = 1; }
    return a[0];
}
"""


def hpclsp(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run(
        [sys.executable, "-m", "hpclsp", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )


def test_text_and_exit_code(bad_file):
    r = hpclsp("check", str(bad_file))
    assert r.returncode == 1, r.stderr
    assert f"{bad_file}:3:" in r.stdout and "[omp-directive-unknown]" in r.stdout


def test_json_format(bad_file):
    r = hpclsp("check", "--format", "json", str(bad_file))
    data = json.loads(r.stdout)
    keys = {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "severity",
        "code",
        "message",
        "related",
        "fixes",
    }
    assert data and all(keys <= set(d) for d in data)
    assert {d["code"] for d in data} >= {"omp-directive-unknown", "omp-clause-conflict"}


def test_sarif_format(bad_file):
    r = hpclsp("check", "--format", "sarif", str(bad_file))
    sarif = json.loads(r.stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert any(x["ruleId"] == "omp-directive-unknown" for x in results)


def test_select_and_ignore(bad_file):
    r = hpclsp("check", "--format", "json", "--select", "omp-clause", str(bad_file))
    assert {d["code"] for d in json.loads(r.stdout)} == {"omp-clause-conflict"}
    r = hpclsp("check", "--format", "json", "--ignore", "omp-clause,omp-directive", str(bad_file))
    assert r.returncode == 0 and json.loads(r.stdout) == []


def test_clean_and_missing(tmp_path):
    good = tmp_path / "good.f90"
    good.write_text("program p\n  print *, 1\nend program p\n")
    assert hpclsp("check", str(good)).returncode == 0
    r = hpclsp("check", str(tmp_path / "nope.c"))
    assert r.returncode == 2 and "no such file" in r.stderr


def test_directory_walk(tmp_path, bad_file):
    (tmp_path / "notes.txt").write_text("not code")
    r = hpclsp("check", "--format", "json", str(tmp_path))
    assert {d["path"] for d in json.loads(r.stdout)} == {str(bad_file)}


def test_usage_error():
    assert hpclsp("check").returncode == 2
    assert hpclsp("--version").stdout.startswith("hpclsp ")


async def test_server_and_check_agree(client: LanguageClient, tmp_path):
    """Every fixture file: the server's diagnostics equal `hpclsp check --format json`."""
    files = []
    for root, _, names in os.walk(os.path.join(ROOT, "tests", "fixtures", "rules")):
        files += [os.path.join(root, n) for n in sorted(names) if n.startswith("bad")]
    assert files
    r = hpclsp("check", "--format", "json", *files)
    by_file: dict[str, set] = {}
    for d in json.loads(r.stdout):
        by_file.setdefault(d["path"], set()).add((d["line"] - 1, d["code"], d["message"].split("\n")[0]))
    for path in files:
        text = open(path, encoding="utf-8").read()
        name = os.path.relpath(path, os.path.join(ROOT, "tests", "fixtures", "rules")).replace(os.sep, "__")
        uri = open_doc(client, text, name)
        expected = by_file.get(path, set())
        diags = await wait_for_diagnostics(client, uri, lambda d, n=len(expected): len(d) >= n)
        got = {(d.range.start.line, str(d.code), d.message.split("\n")[0]) for d in diags}
        assert got == expected, path
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
