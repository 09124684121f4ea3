"""Completion/hover tests drive the real server through the e2e ``client`` fixture."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.e2e.conftest import client, open_doc  # noqa: F401  (the fixture is re-exported for pytest)

CURSOR = "|"


def open_with_cursor(lsp: LanguageClient, text: str, name: str) -> tuple[str, types.Position]:
    """Open ``text`` (one ``|`` marks the cursor, removed) and return (uri, cursor position)."""
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if CURSOR in line)
    col = lines[row].index(CURSOR)
    uri = open_doc(lsp, text.replace(CURSOR, "", 1), name)
    return uri, types.Position(line=row, character=col)


async def complete(lsp: LanguageClient, text: str, name: str) -> list[types.CompletionItem]:
    """Open a document and ask for completions at its cursor."""
    uri, pos = open_with_cursor(lsp, text, name)
    result = await lsp.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos)
    )
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


async def hover(lsp: LanguageClient, text: str, name: str) -> str | None:
    """Open a document and hover at its cursor; the Markdown, or None."""
    uri, pos = open_with_cursor(lsp, text, name)
    result = await lsp.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos)
    )
    if result is None:
        return None
    contents = result.contents
    return contents.value if isinstance(contents, types.MarkupContent) else str(contents)


def labels(items: list[types.CompletionItem]) -> list[str]:
    """Item labels in the server's ranking order (sortText, then label)."""
    return [i.label for i in sorted(items, key=lambda i: (i.sort_text or i.label, i.label))]


def by_label(items: list[types.CompletionItem], label: str) -> types.CompletionItem:
    """The item with this label (fails the test when absent)."""
    for item in items:
        if item.label == label:
            return item
    raise AssertionError(f"no item {label!r} in {labels(items)[:40]}")


def new_text(item: types.CompletionItem) -> str:
    """The text an item inserts."""
    edit = item.text_edit
    assert edit is not None, f"{item.label} has no textEdit"
    return edit.new_text
