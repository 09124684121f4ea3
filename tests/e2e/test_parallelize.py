"""The advisor through the server: hint, code action, applied edit, re-check clean; hover; the command."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import change_doc, codes, open_doc, wait_for_diagnostics

C_SOURCE = """\
#include <stdio.h>\r
#define N 1000\r
static double a[N], b[N];\r
int main(void) {\r
  double s = 0.0;\r
  for (int i = 0; i < N; i++)\r
    a[i] = 0.5 * i;\r
  for (int i = 1; i < N; i++)\r
    b[i] = b[i - 1] + a[i];\r
    for (int i = 0; i < N; i++)\r
      s += a[i] * b[i];\r
  printf("%f\\n", s);\r
  return 0;\r
}\r
"""

F_SOURCE = """\
program p
  implicit none
  integer, parameter :: n = 500
  real(8) :: x(n), mx
  integer :: i
  mx = -1d30
  do i = 1, n
    x(i) = sin(0.1d0 * i)
  end do
  do i = 1, n
    mx = max(mx, x(i))
  end do
  print *, mx
end program p
"""

PAR = "refactor.rewrite.parallelize"


def _apply(client: LanguageClient, uri: str, version: int, edits: list[types.TextEdit]) -> None:
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True)
    change_doc(
        client,
        uri,
        version,
        [
            (e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character, e.new_text)
            for e in ordered
        ],
    )


def _hints(diags) -> list[int]:
    return sorted(d.range.start.line for d in diags if d.code == "omp-parallelizable-loop")


async def _actions(client: LanguageClient, uri: str, line: int) -> list[types.CodeAction]:
    res = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=line, character=2), end=types.Position(line=line, character=2)
            ),
            context=types.CodeActionContext(diagnostics=[], only=[PAR]),
        )
    )
    return [a for a in res or [] if isinstance(a, types.CodeAction)]


async def test_hint_action_edit_recheck(client: LanguageClient):
    uri = open_doc(client, C_SOURCE, "advisor_e2e.c")
    diags = await wait_for_diagnostics(client, uri, lambda d: len(_hints(d)) == 2)
    assert _hints(diags) == [5, 9]
    hint = next(d for d in diags if d.code == "omp-parallelizable-loop" and d.range.start.line == 9)
    assert hint.severity == types.DiagnosticSeverity.Hint
    assert "reduction(+:s)" in hint.message

    actions = await _actions(client, uri, 9)
    assert [a.title for a in actions] == ["Parallelize loop: #pragma omp parallel for reduction(+:s)"]
    act = actions[0]
    assert act.kind == PAR
    edits = act.edit.changes[uri]
    # inserted before the loop with the loop's indentation and the file's CRLF line ending
    assert [(e.range.start.line, e.range.start.character, e.new_text) for e in edits] == [
        (9, 0, "    #pragma omp parallel for reduction(+:s)\r\n")
    ]
    _apply(client, uri, 2, edits)
    diags = await wait_for_diagnostics(client, uri, lambda d: _hints(d) == [5])
    assert not [d for d in diags if str(d.code).startswith("omp-race") or (d.severity or 4) <= 2]

    # no parallelize action on the serial recurrence; the hover on its keyword explains why
    assert await _actions(client, uri, 7) == []
    hov = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=7, character=3)
        )
    )
    assert hov is not None
    text = hov.contents.value
    assert "cannot be parallelized" in text and "b[i - 1]" in text and "b[i]" in text


async def test_fortran_action_and_command(client: LanguageClient):
    applied: list[types.ApplyWorkspaceEditParams] = []

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        applied.append(params)
        return types.ApplyWorkspaceEditResult(applied=True)

    uri = open_doc(client, F_SOURCE, "advisor_e2e.f90")
    await wait_for_diagnostics(client, uri, lambda d: _hints(d) == [6, 9])
    actions = await _actions(client, uri, 9)
    assert [a.title for a in actions] == ["Parallelize loop: !$omp parallel do reduction(max:mx)"]
    edits = actions[0].edit.changes[uri]
    assert sorted((e.range.start.line, e.new_text) for e in edits) == [
        (9, "  !$omp parallel do reduction(max:mx)\n"),
        (12, "  !$omp end parallel do\n"),
    ]
    res = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="hpclsp.suggestParallelization", arguments=[uri])
    )
    assert res == {"applied": True, "count": 2}
    await asyncio.sleep(0)
    assert len(applied) == 1
    all_edits = applied[0].edit.changes[uri]
    assert len(all_edits) == 3  # two pragmas, the end directive of the first merged with the second pragma
    _apply(client, uri, 2, all_edits)
    diags = await wait_for_diagnostics(client, uri, lambda d: _hints(d) == [])
    assert "omp-race" not in " ".join(codes(diags))
