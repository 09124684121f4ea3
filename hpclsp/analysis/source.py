"""SourceFile: one file's text, language and syntax tree, as the analysis sees it.

The server builds one from its Document (reusing the incrementally edited tree); the CLI builds
one from a path. Either way the rules see the same object.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hpclsp.analysis import languages
from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.treeutil import walk

if TYPE_CHECKING:
    import tree_sitter


def encode(text: str) -> bytes:
    """Text to the bytes tree-sitter sees; lone surrogates (from broken input) keep 3 bytes each."""
    return text.encode("utf-8", errors="surrogatepass")


def decode(data: bytes) -> str:
    """Bytes (from a file or a slice of ``encode``) to text, never raising."""
    return data.decode("utf-8", errors="replace")


def code_points(data: bytes) -> int:
    """How many code points a UTF-8 byte string holds (each broken byte counts as one)."""
    try:
        return len(data.decode("utf-8", errors="surrogatepass"))
    except UnicodeDecodeError:
        return len(data.decode("utf-8", errors="replace"))


class SourceFile:
    """Text + language + tree, with per-analysis caches that rules share (directives, IR)."""

    def __init__(
        self,
        path: str,
        language: str,
        text: str,
        tree: tree_sitter.Tree | None = None,
        fixed_form: bool | None = None,
    ) -> None:
        self.path = path
        self.language = language
        self.text = text
        self._tree = tree
        self.fixed_form = languages.is_fixed_form(path) if fixed_form is None else fixed_form
        #: Free-form cache for analysis passes shared between rules (keyed by pass name).
        self.cache: dict[str, Any] = {}

    @functools.cached_property
    def data(self) -> bytes:
        """The UTF-8 bytes tree-sitter parsed (see ``encode``)."""
        return encode(self.text)

    @functools.cached_property
    def lines(self) -> list[str]:
        """Lines without their terminators."""
        return self.text.splitlines() or [""]

    @property
    def tree(self) -> tree_sitter.Tree:
        """The syntax tree (parsed on first use when not supplied)."""
        if self._tree is None:
            self._tree = languages.parse(self.language, self.data)
        return self._tree

    @functools.cached_property
    def line_byte_starts(self) -> list[int]:
        """The byte offset where each line starts (``\\n`` ends a line, as tree-sitter counts rows)."""
        starts = [0]
        data, find = self.data, self.data.find
        i = find(b"\n")
        while i >= 0:
            starts.append(i + 1)
            i = find(b"\n", i + 1)
        del data
        return starts

    @functools.cached_property
    def is_ascii(self) -> bool:
        """True when every byte is ASCII (then byte columns are code-point columns)."""
        return self.data.isascii()

    def byte_to_col(self, row: int, byte_col: int) -> int:
        """Convert a tree-sitter (row, byte column) to a code-point column."""
        if self.is_ascii:
            return byte_col
        starts = self.line_byte_starts
        if row >= len(starts):
            return 0
        start = starts[row]
        return code_points(self.data[start : start + byte_col])

    def node_span(self, node: tree_sitter.Node) -> Span:
        """The code-point span of a tree-sitter node."""
        (r0, c0), (r1, c1) = node.start_point, node.end_point
        if self.is_ascii:  # byte columns are the columns: no conversion
            return Span(Pos(r0, c0), Pos(r1, c1))
        return Span.of(r0, self.byte_to_col(r0, c0), r1, self.byte_to_col(r1, c1))

    def node_text(self, node: tree_sitter.Node) -> str:
        """The source text of a node."""
        if self.is_ascii:  # byte offsets are code-point offsets: slice the text, no decoding
            return self.text[node.start_byte : node.end_byte]
        return decode(self.data[node.start_byte : node.end_byte])

    def break_cycles(self) -> None:
        """Drop the analysis caches once nothing will read this file's analysis again, first breaking
        the reference cycles of what they hold (``break_cycles`` of an IR, which refers back to its
        source), so that reference counting frees the analysis at once instead of the cyclic garbage
        collector scanning it on collection after collection."""
        for v in list(self.cache.values()):
            brk = getattr(v, "break_cycles", None)
            if callable(brk):
                brk()
        self.cache.clear()

    @classmethod
    def from_path(cls, path: str, language: str | None = None) -> SourceFile:
        """Read a file from disk (invalid UTF-8 replaced, never raising on content)."""
        with open(path, "rb") as fh:
            raw = fh.read()
        lang = language or languages.language_for_path(path)
        if lang is None:
            raise ValueError(f"{path}: not a C, C++, CUDA or Fortran file")
        return cls(path, lang, decode(raw))


def object_macros(source: SourceFile) -> Mapping[str, str]:
    """The file's object-like macros: name -> body text as written, the last definition winning
    (cached; every ``#define`` in the tree counts, as the preprocessor does not care where it stands)."""
    found = source.cache.get("object_macros")
    if found is None:
        found = source.cache["object_macros"] = {}
        for n in walk(source.tree.root_node):
            if n.type == "preproc_def":
                name, val = n.child_by_field_name("name"), n.child_by_field_name("value")
                if name is not None and val is not None:
                    found[source.node_text(name)] = source.node_text(val)
    return found
