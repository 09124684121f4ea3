"""Position conversion (UTF-8 bytes / code points / UTF-16) and incremental edits keep text and tree right."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from hpclsp.analysis import languages
from hpclsp.analysis.findings import Pos, Span
from hpclsp.documents import Document, col_to_utf16, utf16_to_col

TEXT = "int main() {\n  int é = 1; /* 😀 */\n  return é;\n}\n"


def change(doc: Document, a: int, b: int, c: int, d: int, text: str) -> None:
    doc.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=a, character=b), end=types.Position(line=c, character=d)
            ),
            text=text,
        )
    )


def test_utf16_conversions():
    line = "a😀b é"
    assert col_to_utf16(line, 2) == 3  # 'a' + surrogate pair
    assert utf16_to_col(line, 3) == 2
    assert utf16_to_col(line, 100) == len(line)
    assert col_to_utf16("abc", 2) == 2


def test_lsp_positions_round_trip():
    doc = Document("file:///t.c", "c", 1, TEXT)
    pos = Pos(1, 18)  # the '*' after the emoji in /* 😀 */
    lsp = doc.to_lsp_position(pos)
    assert lsp.character == 19
    assert doc.from_lsp_position(lsp) == pos
    rng = doc.to_lsp_range(Span(Pos(1, 16), Pos(1, 17)))  # the emoji itself
    assert (rng.start.character, rng.end.character) == (16, 18)


def test_incremental_edit_after_emoji_matches_fresh_parse():
    doc = Document("file:///t.c", "c", 1, TEXT)
    change(doc, 1, 20, 1, 20, " extra")  # after "/* 😀 *": code-point column 19, UTF-16 column 20
    assert doc.text.splitlines()[1] == "  int é = 1; /* 😀 * extra/"
    fresh = languages.parse("c", doc.text.encode())
    assert str(fresh.root_node) == str(doc.tree.root_node)


def test_source_snapshot_spans_use_code_points():
    doc = Document("file:///t.c", "c", 1, TEXT)
    src = doc.source()
    node = src.tree.root_node.descendant_for_point_range((2, 9), (2, 11))  # 'é' in "return é"
    span = src.node_span(node)
    assert span.start == Pos(2, 9) and src.node_text(node) == "é"
    assert span.end == Pos(2, 10)


def test_out_of_range_change_is_clamped():
    doc = Document("file:///t.c", "c", 1, "abc\n")
    change(doc, 10, 0, 12, 5, "x")
    assert doc.text == "abc\nx"
    _same_line_table(doc)
    change(doc, 1, 7, 0, 1, "yy\n")  # an end before the start, past the end of its line
    assert doc.text == "abc\nxyy\n"
    _same_line_table(doc)


def _same_line_table(doc: Document) -> None:
    """The lines and line starts kept up to date through edits are the ones built from the text."""
    fresh = Document(doc.uri, doc.language_id, doc.version, doc.text)
    assert doc.lines == fresh.lines
    assert doc._line_starts() == fresh._line_starts()


def test_line_table_follows_edits_and_carriage_returns():
    doc = Document("file:///t.c", "c", 1, "a\nbb\n\nccc")
    for edit in [
        (1, 1, 1, 1, "X\nY"),
        (0, 0, 3, 1, ""),
        (0, 1, 0, 1, "\r"),
        (0, 2, 0, 2, "\n"),
        (0, 0, 9, 9, "q\nr"),
    ]:
        change(doc, *edit)
        _same_line_table(doc)


def test_crlf_lines():
    doc = Document("file:///t.c", "c", 1, "int a;\r\nint b;\r\n")
    change(doc, 1, 4, 1, 5, "c")
    assert doc.text == "int a;\r\nint c;\r\n"
    fresh = languages.parse("c", doc.text.encode())
    assert str(fresh.root_node) == str(doc.tree.root_node)


ALPHABET = st.sampled_from(list("abc xyz;{}()\n\té😀#pragma omp for\n/*+*/"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10_000), st.integers(0, 10), st.text(ALPHABET, max_size=8)), max_size=25
    )
)
def test_random_edits_keep_text_and_tree(edits):
    text = "int main(void) {\n  int é = 0; /* 😀 */\n  return é;\n}\n"
    doc = Document("file:///r.c", "c", 1, text)
    model = text
    for start, length, new in edits:
        start %= len(model) + 1
        end = min(len(model), start + length)
        a = _lsp_pos(model, start)
        b = _lsp_pos(model, end)
        change(doc, a.line, a.character, b.line, b.character, new)
        model = model[:start] + new + model[end:]
        assert doc.text == model
        _same_line_table(doc)
    fresh = languages.parse("c", doc.text.encode("utf-8", "surrogatepass"))
    assert str(fresh.root_node) == str(doc.tree.root_node)


def _lsp_pos(text: str, offset: int) -> types.Position:
    before = text[:offset]
    line = before.count("\n")
    col = offset - (before.rfind("\n") + 1)
    return types.Position(line=line, character=col_to_utf16(text.split("\n")[line], col))


def test_fortran_document_parses():
    doc = Document("file:///p.f90", None, 1, "program p\n  x = 1\nend program p\n")
    assert doc.language == "fortran" and doc.tree is not None and not doc.tree.root_node.has_error
    random.seed(0)
