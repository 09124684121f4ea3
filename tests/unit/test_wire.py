"""The server's direct diagnostic encoder writes the same JSON as lsprotocol's converter."""

from __future__ import annotations

import json

from lsprotocol import types
from pygls.protocol import default_converter

from hpclsp.analysis import engine
from hpclsp.analysis.context import Options
from hpclsp.documents import Document
from hpclsp.handlers import wire
from hpclsp.handlers.diagnostics import to_diagnostic
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


def test_fields_we_never_set_fall_back() -> None:
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
