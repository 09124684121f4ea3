"""Open documents: text + incrementally edited tree-sitter tree, and the one place where
positions are converted between LSP (UTF-16), Python (code points) and tree-sitter (UTF-8 bytes).
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
import threading
from urllib.parse import unquote, urlparse

import tree_sitter
from lsprotocol import types

from hpclsp.analysis import languages
from hpclsp.analysis.findings import Finding, Pos, Span
from hpclsp.analysis.source import SourceFile, encode

log = logging.getLogger(__name__)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: Documents larger than this are kept as text only: no tree, no analysis (SPEC §6).
MAX_ANALYSIS_BYTES = 4 * 1024 * 1024


def utf16_len(s: str) -> int:
    """Length of s in UTF-16 code units."""
    if s.isascii():
        return len(s)
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def utf16_to_col(line: str, units: int) -> int:
    """A UTF-16 column on a line to a code-point column (clamped to the line)."""
    if units <= 0:
        return 0
    if line.isascii():
        return min(units, len(line))
    count = 0
    for i, ch in enumerate(line):
        if count >= units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def col_to_utf16(line: str, col: int) -> int:
    """A code-point column on a line to UTF-16 units."""
    return utf16_len(line[: max(col, 0)])


def uri_to_path(uri: str) -> str:
    """A file path for a URI (non-file URIs keep their path part)."""
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme in ("file", "") else unquote(parsed.path or uri)


def split_lines(text: str) -> list[str]:
    """Lines as LSP sees them (\\n, \\r\\n and \\r end a line), without terminators."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class Document:
    """One open document; edits update the text and the tree incrementally."""

    def __init__(self, uri: str, language_id: str | None, version: int, text: str) -> None:
        self.uri = uri
        self.path = uri_to_path(uri)
        self.language_id = language_id or ""
        self.language = languages.normalize_language_id(language_id, self.path)
        self.fixed_form = languages.is_fixed_form(self.path)
        self.version = version
        self.text = text
        self.findings: list[Finding] = []
        self.lock = threading.RLock()
        self._lines: list[str] | None = None
        self._starts: list[int] | None = None
        self._source: SourceFile | None = None
        self._data = encode(text)
        self._parser: tree_sitter.Parser | None = None
        self.tree: tree_sitter.Tree | None = None
        self._reparse(None)

    # -- text ---------------------------------------------------------------------------
    @property
    def lines(self) -> list[str]:
        """Lines without terminators."""
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

    @property
    def analyzable(self) -> bool:
        """True when the document has a supported language and a tree."""
        return self.language is not None and self.tree is not None

    def _reparse(self, old: tree_sitter.Tree | None) -> None:
        if self.language is None or len(self._data) > MAX_ANALYSIS_BYTES or b"\x00" in self._data[:8192]:
            if self.language is not None and self.tree is None and old is None:
                log.info("%s: not analysed (binary or larger than %d bytes)", self.uri, MAX_ANALYSIS_BYTES)
            self.tree = None
            return
        if self._parser is None:
            self._parser = languages.new_parser(self.language)
        self.tree = self._parser.parse(self._data, old) if old is not None else self._parser.parse(self._data)

    def _offset(self, pos: types.Position) -> int:
        """Code-point offset of an LSP position (clamped into the document)."""
        lines = self.lines
        line = min(max(pos.line, 0), len(lines))
        if line == len(lines):
            return len(self.text)
        return self._line_starts()[line] + utf16_to_col(lines[line], pos.character)

    def _line_starts(self) -> list[int]:
        """Code-point offsets where each line starts (\n, \r\n and \r end a line)."""
        if self._starts is None:
            text = self.text
            if "\r" in text:
                self._starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
            else:  # only \n breaks (the common case): the starts follow from the line lengths
                self._starts = [0, *itertools.accumulate(len(line) + 1 for line in self.lines[:-1])]
        return self._starts

    def apply_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        """Apply one full or incremental change; the tree is edited and reparsed incrementally."""
        with self.lock:
            if isinstance(change, types.TextDocumentContentChangePartial) and change.range is not None:
                a = self._offset(change.range.start)
                b = max(a, self._offset(change.range.end))
                new_text = change.text
                old_text = self.text
                start_byte = len(encode(old_text[:a]))
                old_end_byte = start_byte + len(encode(old_text[a:b]))
                new_end_byte = start_byte + len(encode(new_text))
                start_point = self._point(old_text, a, start_byte)
                old_end_point = self._point(old_text, b, old_end_byte)
                table = self._spliced_lines(a, b, new_text)
                self.text = old_text[:a] + new_text + old_text[b:]
                new_end_point = self._point(self.text, a + len(new_text), new_end_byte)
                self._invalidate()
                if table is not None:
                    self._lines, self._starts = table
                if self.tree is not None:
                    self.tree.edit(
                        start_byte=start_byte,
                        old_end_byte=old_end_byte,
                        new_end_byte=new_end_byte,
                        start_point=start_point,
                        old_end_point=old_end_point,
                        new_end_point=new_end_point,
                    )
                    self._reparse(self.tree)
                else:
                    self._reparse(None)
            else:
                self.text = change.text
                self._invalidate()
                self._reparse(None)

    def _spliced_lines(self, a: int, b: int, new_text: str) -> tuple[list[str], list[int]] | None:
        """The lines and line starts after ``text[a:b]`` is replaced by ``new_text``, from the current
        ones (rebuilding them cost more than the rest of a keystroke's bookkeeping on a large file);
        None when they are not built or a \r is involved (\r\n pairs can form or split)."""
        lines, starts = self._lines, self._starts
        if lines is None or starts is None or "\r" in new_text or "\r" in self.text:
            return None
        first = bisect.bisect_right(starts, a) - 1
        last = bisect.bisect_right(starts, b) - 1
        middle = (lines[first][: a - starts[first]] + new_text + lines[last][b - starts[last] :]).split("\n")
        middle_starts = [starts[first]]
        for line in middle[:-1]:
            middle_starts.append(middle_starts[-1] + len(line) + 1)
        delta = len(new_text) - (b - a)
        tail = starts[last + 1 :] if delta == 0 else [s + delta for s in starts[last + 1 :]]
        return lines[:first] + middle + lines[last + 1 :], starts[:first] + middle_starts + tail

    @staticmethod
    def _point(text: str, offset: int, byte_offset: int) -> tuple[int, int]:
        """(row, byte column) of a code-point offset, as tree-sitter counts rows (\\n only)."""
        row = text.count("\n", 0, offset)
        line_start = text.rfind("\n", 0, offset) + 1
        return (row, byte_offset - len(encode(text[:line_start])) if line_start else byte_offset)

    def _invalidate(self) -> None:
        self._lines = None
        self._starts = None
        self._source = None
        self._data = encode(self.text)

    # -- analysis view -----------------------------------------------------------------
    def source(self) -> SourceFile:
        """A snapshot for the analysis (own tree copy, safe to use from a worker thread)."""
        with self.lock:
            if self._source is None:
                if self.language is None:
                    raise ValueError(f"{self.uri}: unsupported language {self.language_id!r}")
                tree = self.tree.copy() if self.tree is not None else None
                self._source = SourceFile(self.path, self.language, self.text, tree, self.fixed_form)
            return self._source

    # -- positions ---------------------------------------------------------------------
    def line_text(self, line: int) -> str:
        """The text of a line ('' when out of range)."""
        lines = self.lines
        return lines[line] if 0 <= line < len(lines) else ""

    def from_lsp_position(self, pos: types.Position) -> Pos:
        """LSP position (UTF-16) to a code-point Pos, clamped into the document."""
        lines = self.lines
        line = min(max(pos.line, 0), len(lines) - 1)
        return Pos(line, utf16_to_col(lines[line], pos.character))

    def lsp_character(self, line: int, col: int) -> int:
        """The UTF-16 column of code-point column ``col`` on ``line``, clamped to the line (0 on a
        line that does not exist)."""
        lines = self.lines
        if col <= 0 or not 0 <= line < len(lines):
            return 0
        text = lines[line]
        return min(col, len(text)) if text.isascii() else utf16_len(text[:col])

    def to_lsp_position(self, pos: Pos) -> types.Position:
        """Code-point Pos to an LSP position (UTF-16)."""
        return types.Position(line=max(pos.line, 0), character=self.lsp_character(pos.line, pos.col))

    def to_lsp_range(self, span: Span) -> types.Range:
        """Code-point Span to an LSP Range."""
        return types.Range(start=self.to_lsp_position(span.start), end=self.to_lsp_position(span.end))

    def from_lsp_range(self, rng: types.Range) -> Span:
        """LSP Range to a code-point Span."""
        return Span(self.from_lsp_position(rng.start), self.from_lsp_position(rng.end))


class DocumentStore:
    """The open documents, by URI."""

    def __init__(self) -> None:
        self._docs: dict[str, Document] = {}

    def open(self, uri: str, language_id: str | None, version: int, text: str) -> Document:
        """Open (or re-open) a document."""
        doc = Document(uri, language_id, version, text)
        self._docs[uri] = doc
        return doc

    def get(self, uri: str) -> Document | None:
        """The open document for a URI."""
        return self._docs.get(uri)

    def close(self, uri: str) -> None:
        """Forget a document (its tree and caches are freed)."""
        self._docs.pop(uri, None)

    def __iter__(self):
        return iter(list(self._docs.values()))

    def __len__(self) -> int:
        return len(self._docs)
