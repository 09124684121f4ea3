"""Building LSP completion items: the per-request item builder, card documentation and snippets.

``ItemBuilder`` holds one completion request (document, cursor, client snippet support) and
makes items from it: the text edit replacing the typed prefix, Markdown documentation from the
built-in cards (``hpclsp.kb``), the variables in scope. The OpenMP and MPI item families
(``omp_items``, ``mpi_items``) extend it; ``hpclsp.handlers.hpc_completion`` puts them together.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from hpclsp import kb
from hpclsp.analysis.findings import Pos
from hpclsp.completion import scope

if TYPE_CHECKING:
    from hpclsp.documents import Document
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

K = types.CompletionItemKind
#: Above this many items, documentation is shortened to signature + summary (keeps responses small).
FULL_DOC_LIMIT = 80

_PLACEHOLDER = re.compile(r"\$\{\d+:([^}]*)\}|\$\{\d+\|([^,|}]*)[^}]*\|\}|\$\d+")


def snippet_to_plain(snippet: str) -> str:
    """An LSP snippet as plain text: placeholders become their default text, tab stops vanish."""
    return _PLACEHOLDER.sub(lambda m: m.group(1) if m.group(1) is not None else (m.group(2) or ""), snippet)


def escape_snippet(text: str) -> str:
    """Text made literal inside an LSP snippet."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


# --------------------------------------------------------------------------------------------
# Card helpers (cached per process)
# --------------------------------------------------------------------------------------------

_DOC_CACHE: dict[tuple[str, str, bool], str] = {}


def card_doc(card: kb.Card, language: str, full: bool = True) -> str:
    """The card's Markdown for an item (full card, or signature + summary + source when ``full`` is False)."""
    key = (card.id, language, full)
    text = _DOC_CACHE.get(key)
    if text is None:
        if full:
            text = kb.render_markdown(card, language)
        else:
            sig = card.signature(language)
            fence = "fortran" if language == "fortran" else ("cuda" if language == "cuda" else "c")
            parts = [f"```{fence}\n{sig}\n```"] if sig else []
            parts.append(card.summary)
            parts.append(f"*Source: {kb.SOURCE_LABEL} `{card.id}`*")
            text = "\n\n".join(parts)
        _DOC_CACHE[key] = text
    return text


def sig_line(card: kb.Card, language: str) -> str:
    """The first line of a card's signature in a language (its name when it has none)."""
    sig = card.signature(language) or card.name
    return sig.splitlines()[0]


def snippet_support(ls: HpcLanguageServer) -> bool:
    """True when the client accepts snippet completions."""
    caps = getattr(ls, "client_capabilities", None)
    try:
        return bool(caps.text_document.completion.completion_item.snippet_support)  # type: ignore[union-attr]
    except AttributeError:
        return False


class ItemBuilder:
    """One completion request: the document, the cursor and how to build items."""

    def __init__(self, ls: HpcLanguageServer, doc: Document, pos: Pos) -> None:
        self.ls = ls
        self.doc = doc
        self.pos = pos
        self.language = doc.language or "c"
        self.family = "fortran" if self.language == "fortran" else "c"
        self.line = doc.line_text(pos.line)
        self.snippets = snippet_support(ls)
        self._vars: list[scope.Variable] | None = None
        self._byte_offset: int | None = None

    # -- positions and items -------------------------------------------------------------
    def range_from(self, start_col: int) -> types.Range:
        return types.Range(
            start=self.doc.to_lsp_position(Pos(self.pos.line, start_col)),
            end=self.doc.to_lsp_position(self.pos),
        )

    def item(
        self,
        label: str,
        kind: types.CompletionItemKind,
        new_text: str,
        start_col: int,
        sort: str,
        *,
        detail: str | None = None,
        doc: str | None = None,
        snippet: bool = False,
        filter_text: str | None = None,
        preselect: bool = False,
        label_detail: str | None = None,
    ) -> types.CompletionItem:
        if snippet and not self.snippets:
            new_text, snippet = snippet_to_plain(new_text), False
        return types.CompletionItem(
            label=label,
            kind=kind,
            detail=detail,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=doc) if doc else None,
            sort_text=sort,
            filter_text=filter_text or label,
            text_edit=types.TextEdit(range=self.range_from(start_col), new_text=new_text),
            insert_text_format=types.InsertTextFormat.Snippet
            if snippet
            else types.InsertTextFormat.PlainText,
            preselect=preselect or None,
            label_details=types.CompletionItemLabelDetails(description=label_detail)
            if label_detail
            else None,
        )

    # -- scope -----------------------------------------------------------------------------
    def byte_offset(self) -> int:
        if self._byte_offset is None:
            src = self.doc.source()
            starts = src.cache.get("completion.line_bytes")
            if starts is None:
                starts = [0]
                data = src.data
                i = data.find(b"\n")
                while i >= 0:
                    starts.append(i + 1)
                    i = data.find(b"\n", i + 1)
                src.cache["completion.line_bytes"] = starts
            line = min(self.pos.line, len(starts) - 1)
            self._byte_offset = starts[line] + len(self.line[: self.pos.col].encode("utf-8", "surrogatepass"))
        return self._byte_offset

    def variables(self) -> list[scope.Variable]:
        """Variables visible at the cursor."""
        if self._vars is None:
            try:
                if self.family == "fortran":
                    self._vars = scope.fortran_variables(self.doc.lines, self.pos, self.doc.fixed_form)
                elif self.doc.tree is None:
                    self._vars = []
                else:
                    src = self.doc.source()
                    self._vars = scope.c_variables(src.tree, src.data, self.byte_offset())
            except Exception:
                log.exception("scope collection failed")
                self._vars = []
        return self._vars

    def variable_items(
        self,
        start_col: int,
        partial: str,
        rank: str = "1",
        exclude: Iterable[str] = (),
        limit_type: str | None = None,
    ) -> list[types.CompletionItem]:
        excl = {e.lower() for e in exclude}
        out = []
        low = partial.lower()
        for i, v in enumerate(self.variables()):
            if v.name.lower() in excl or not v.name.lower().startswith(low):
                continue
            if limit_type is not None and v.type != limit_type:
                continue
            out.append(
                self.item(
                    v.name, K.Variable, v.name, start_col, f"{rank}{i:04d}",
                    detail=f"{v.describe()} ({v.kind})", label_detail=v.type or None,
                )
            )  # fmt: skip
        return out

    def in_device_code(self) -> bool:
        """True inside the body of a ``__global__`` or ``__device__`` function (CUDA files only)."""
        if self.language != "cuda" or self.doc.tree is None:
            return False
        src = self.doc.source()
        fn = scope.enclosing_function(src.tree, self.byte_offset())
        return fn is not None and bool(scope.function_qualifiers(fn) & {"__global__", "__device__"})

    def at_file_scope(self) -> bool:
        if self.doc.tree is None:
            return True
        src = self.doc.source()
        return scope.enclosing_function(src.tree, self.byte_offset()) is None

    def keyword_items(
        self,
        keywords: list[tuple[str, str]],
        start_col: int,
        partial: str,
        case: Any,
        rank: str,
        suffix: str = "",
    ) -> list[types.CompletionItem]:
        out = []
        low = partial.lower()
        for i, (kw, what) in enumerate(keywords):
            if not kw.startswith(low):
                continue
            out.append(
                self.item(case(kw), K.EnumMember, case(kw) + suffix.rstrip() if suffix else case(kw), start_col,
                          f"{rank}{i:03d}", detail=what, filter_text=case(kw))
            )  # fmt: skip
        return out

    def docs_full(self, n: int) -> bool:
        """True when n items are few enough to carry full documentation."""
        return n <= FULL_DOC_LIMIT
