"""The JSON the server publishes for a finding is what lsprotocol writes for the same diagnostic."""

from __future__ import annotations

import json

from lsprotocol import types
from pygls.protocol import default_converter

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.analysis.findings import Finding, Span
from hpclsp.documents import Document
from hpclsp.handlers import wire
from hpclsp.handlers.diagnostics import diagnostic_json, to_diagnostic
from hpclsp.stdio_client import ROOT

RACY = """\
#include <omp.h>
void f(int n, double *a, double *b) {
  double t = 0.0;  /* é: non-ASCII before the findings */
  #pragma omp parallel for
  for (int i = 1; i < n; i++) {
    t = a[i];
    a[i] = a[i - 1] + t;
  }
  for (int i = 0; i < n; i++) b[i] = 2.0 * b[i];
}
"""


def _publish_json(conv, diags: list[types.Diagnostic]) -> str:
    msg = types.PublishDiagnosticsNotification(
        params=types.PublishDiagnosticsParams(uri="file:///x.c", version=3, diagnostics=diags)
    )
    return json.dumps(conv.unstructure(msg), sort_keys=True)


def test_findings_encode_like_lsprotocol() -> None:
    doc = Document("file:///x.c", "c", 1, RACY)
    findings = engine.analyze(doc.source(), Options()).findings
    assert {f.code for f in findings} >= {"omp-race-loop-carried", "omp-parallelizable-loop"}
    assert any(f.related for f in findings)
    for related_ok in (True, False):
        diags = [to_diagnostic(doc, f, related_ok, href_ok=related_ok) for f in findings]
        assert _publish_json(wire.converter(), diags) == _publish_json(default_converter(), diags)


def test_diagnostic_objects_unstructure_as_lsprotocol_does() -> None:
    rng = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=1))
    diags = [
        types.Diagnostic(range=rng, message="m", code=7, tags=[types.DiagnosticTag.Unnecessary]),
        types.Diagnostic(range=rng, message="m", data={"t": (1, 2), "n": None}),
    ]
    assert _publish_json(wire.converter(), diags) == _publish_json(default_converter(), diags)


def test_examples_encode_like_lsprotocol() -> None:
    for path in sorted((ROOT / "examples").rglob("*")):
        if path.suffix not in (".c", ".cpp", ".cu", ".f90"):
            continue
        text = path.read_text(encoding="utf-8")
        doc = Document(path.as_uri(), None, 1, text)
        diags = [to_diagnostic(doc, f) for f in engine.analyze(doc.source(), Options()).findings]
        assert _publish_json(wire.converter(), diags) == _publish_json(default_converter(), diags), path


def _encoded_json(conv, doc: Document, findings, related_ok: bool) -> str:
    encoded = [diagnostic_json(doc, f, related_ok, href_ok=related_ok) for f in findings]
    msg = types.PublishDiagnosticsNotification(params=wire.encoded_params("file:///x.c", 3, encoded))
    return json.dumps(conv.unstructure(msg))


def test_direct_json_is_what_lsprotocol_writes() -> None:
    """What ``publish`` sends (findings straight to JSON) is byte for byte what the lsprotocol objects give."""
    texts = [("file:///x.c", RACY), ("file:///y.c", "\n".join(["int g;", "/* \U0001f600 */", RACY, ""]))]
    texts += [(p.as_uri(), p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").rglob("*.f90"))]
    for uri, text in texts:
        doc = Document(uri, None, 1, text)
        findings = engine.analyze(doc.source(), Options()).findings
        for related_ok in (True, False):
            diags = [to_diagnostic(doc, f, related_ok, href_ok=related_ok) for f in findings]
            msg = types.PublishDiagnosticsNotification(
                params=types.PublishDiagnosticsParams(uri="file:///x.c", version=3, diagnostics=diags)
            )
            want = json.dumps(default_converter().unstructure(msg))
            assert _encoded_json(wire.converter(), doc, findings, related_ok) == want, uri


def test_positions_past_the_text_are_clamped() -> None:
    doc = Document("file:///z.c", "c", 1, "ab\u00e9\U0001f600x\nint y;\n")
    cases = [
        (0, 0, 0),
        (0, 3, 3),
        (0, 4, 5),
        (0, 99, 6),
        (0, -2, 0),
        (1, 2, 2),
        (2, 0, 0),
        (5, 3, 0),
        (-1, 1, 0),
    ]
    for line, col, want in cases:
        f = Finding("c", "m", Span.of(line, col, line, col + 1))
        start = diagnostic_json(doc, f)["range"]["start"]
        assert start == {"line": max(line, 0), "character": want}, (line, col)
        assert to_diagnostic(doc, f).range.start.character == want
