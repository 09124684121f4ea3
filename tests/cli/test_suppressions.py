"""Suppression comments: parsing, which findings they cover, unused ones under --strict, the server."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient

from hpclsp import suppressions
from hpclsp.analysis.findings import Finding, Span

from ..e2e.conftest import open_doc, wait_for_diagnostics
from .test_check import hpclsp

RACY_C = """\
double dot(const double *x, const double *y, int n) {
    double sum = 0.0;
#pragma omp parallel for
    for (int i = 0; i < n; i++) {
        sum += x[i] * y[i];{same}
    }
    return sum;
}
"""


def finding(line: int, code: str) -> Finding:
    return Finding(code, "m", Span.of(line, 0, line, 1))


def kept_lines(text: str, language: str, found: list[Finding], fixed: bool = False) -> list[tuple[int, str]]:
    return [(f.span.start.line, f.code) for f in suppressions.filter_findings(text, language, found, fixed)]


def test_trailing_comment_covers_its_own_line_only():
    text = "a = 1; // hpclsp: ignore[omp-race-missing-private]\nb = 2;\n"
    found = [finding(0, "omp-race-missing-private"), finding(1, "omp-race-missing-private")]
    assert kept_lines(text, "c", found) == [(1, "omp-race-missing-private")]


def test_comment_alone_on_its_line_covers_the_next_line():
    text = "  /* hpclsp: ignore[omp-race-missing-private] */\nb = 2;\nc = 3;\n"
    found = [finding(1, "omp-race-missing-private"), finding(2, "omp-race-missing-private")]
    assert kept_lines(text, "cpp", found) == [(2, "omp-race-missing-private")]


def test_codes_globs_prefixes_and_other_codes():
    text = "x; // hpclsp: ignore[omp-race-*, mpi]\n"
    found = [
        finding(0, "omp-race-missing-reduction"),
        finding(0, "mpi-request-leak"),
        finding(0, "omp-directive-unknown"),
    ]
    assert kept_lines(text, "c", found) == [(0, "omp-directive-unknown")]


def test_bare_ignore_covers_every_code_and_file_level_covers_every_line():
    assert kept_lines("x; // hpclsp: ignore\n", "c", [finding(0, "a-b"), finding(0, "c-d")]) == []
    text = "// hpclsp: ignore-file[omp-race-missing-private]\n\n\nx;\n"
    found = [finding(3, "omp-race-missing-private"), finding(3, "omp-race-missing-reduction")]
    assert kept_lines(text, "c", found) == [(3, "omp-race-missing-reduction")]


def test_fortran_forms():
    text = "  t = a(i)  ! hpclsp: ignore[omp-race-missing-private]\n  u = 1\n"
    found = [finding(0, "omp-race-missing-private"), finding(1, "omp-race-missing-private")]
    assert kept_lines(text, "fortran", found) == [(1, "omp-race-missing-private")]
    fixed = "C hpclsp: ignore[omp-race-missing-private]\n      T = A(I)\n"
    assert kept_lines(fixed, "fortran", [finding(1, "omp-race-missing-private")], fixed=True) == []
    # A C comment marker means nothing in Fortran, and a Fortran one nothing in C.
    assert kept_lines("x // hpclsp: ignore\n", "fortran", [finding(0, "a-b")]) == [(0, "a-b")]
    assert kept_lines("x ! hpclsp: ignore\n", "c", [finding(0, "a-b")]) == [(0, "a-b")]


def test_unused_reports_stale_and_unknown_but_not_disabled_codes():
    text = "x; // hpclsp: ignore[omp-race-missing-private, nosuch-rule, mpi-request-leak]\n"
    filtered = suppressions.apply(text, "c", [finding(0, "omp-race-missing-private")])
    assert filtered.kept == []
    known = ["omp-race-missing-private", "mpi-request-leak"]
    out = suppressions.unused(filtered.suppressions, known, lambda c: True)
    assert [f.message for f in out] == [
        "suppression names 'nosuch-rule', which matches no hpclsp rule",
        "unused suppression: no 'mpi-request-leak' to silence here",
    ]
    assert {f.code for f in out} == {suppressions.UNUSED_CODE}
    # A code switched off by the configuration is not reported as unused.
    out = suppressions.unused(filtered.suppressions, known, lambda c: not c.startswith("mpi"))
    assert [f.message for f in out] == ["suppression names 'nosuch-rule', which matches no hpclsp rule"]


def test_cli_honours_suppressions_and_strict_reports_unused(tmp_path):
    src = tmp_path / "dot.c"
    src.write_text(RACY_C.replace("{same}", ""))
    r = hpclsp("check", "--format", "json", "--no-hints", str(src))
    assert r.returncode == 1 and {d["code"] for d in json.loads(r.stdout)} == {"omp-race-missing-reduction"}
    src.write_text(RACY_C.replace("{same}", " // hpclsp: ignore[omp-race-missing-reduction]"))
    r = hpclsp("check", "--format", "json", "--no-hints", str(src))
    assert r.returncode == 0 and json.loads(r.stdout) == []
    src.write_text(RACY_C.replace("{same}", " // hpclsp: ignore[omp-race-missing-private]"))
    r = hpclsp("check", "--format", "json", "--no-hints", "--strict", str(src))
    got = {(d["line"], d["code"]) for d in json.loads(r.stdout)}
    assert got == {(5, "omp-race-missing-reduction"), (5, "hpclsp-unused-suppression")}
    r = hpclsp("check", "--format", "json", "--no-hints", "--strict", "--ignore", "hpclsp-unused", str(src))
    assert {d["code"] for d in json.loads(r.stdout)} == {"omp-race-missing-reduction"}


@pytest.mark.parametrize("suffix", ["", " // hpclsp: ignore[omp-race-*]"])
async def test_server_applies_the_same_suppressions(client: LanguageClient, suffix):
    text = RACY_C.replace("{same}", suffix)
    uri = open_doc(client, text, f"suppressed{len(suffix)}.c")
    diags = await wait_for_diagnostics(client, uri)
    races = [d for d in diags if str(d.code).startswith("omp-race")]
    assert (races == []) == bool(suffix)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
