"""End-to-end through the server: race warning, related location, quickfix, warning gone after the edit."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import change_doc, client, open_doc, wait_for_diagnostics  # noqa: F401 - fixture

RACY = """#include <omp.h>
double dot(int n, const double *a, const double *b) {
  double sum = 0.0;
  int i;
#pragma omp parallel for
  for (i = 0; i < n; i++) {
    sum += a[i] * b[i];
  }
  return sum;
}
"""


def _races(diags) -> list[types.Diagnostic]:
    return [d for d in diags if str(d.code).startswith("omp-race")]


async def test_race_warning_quickfix_and_recheck(client: LanguageClient):  # noqa: F811
    uri = open_doc(client, RACY, "race_e2e.c")
    diags = await wait_for_diagnostics(client, uri, lambda d: bool(_races(d)))
    (race,) = _races(diags)
    assert race.code == "omp-race-missing-reduction"
    assert race.severity == types.DiagnosticSeverity.Warning
    assert race.range.start.line == 6
    assert race.related_information and race.related_information[0].location.uri == uri
    assert race.data["variable"] == "sum" and race.data["accesses"][0]["line"] == 6

    res = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=race.range,
            context=types.CodeActionContext(diagnostics=[race], only=[types.CodeActionKind.QuickFix]),
        )
    )
    actions = [a for a in res or [] if isinstance(a, types.CodeAction) and "reduction" in a.title]
    assert actions, [getattr(a, "title", a) for a in res or []]
    edits = actions[0].edit.changes[uri]
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
    change_doc(
        client,
        uri,
        2,
        [
            (e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character, e.new_text)
            for e in ordered
        ],
    )
    diags = await wait_for_diagnostics(client, uri, lambda d: not _races(d))
    assert not [d for d in diags if (d.severity or 4) <= 2]
