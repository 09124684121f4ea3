"""textDocument/semanticTokens/full: OpenMP directives and clauses in C pragmas and Fortran sentinels.

Editors colour a Fortran ``!$omp`` line as a comment and a C ``#pragma omp`` line as one
preprocessor token. These tokens give the parts their own colours: the sentinel (``macro``), the
directive name (``keyword``), clause names (``modifier``), clause keywords such as a reduction
operator or a schedule kind (``enumMember``, operators as ``operator``) and list items
(``variable``). The directive scanner (``analysis.openmp.scanner``) supplies every span.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from lsprotocol import types

from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.openmp.model import Directive
from hpclsp.analysis.openmp.scanner import parse_directives
from hpclsp.documents import Document

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

TOKEN_TYPES = ["macro", "keyword", "modifier", "enumMember", "operator", "variable", "number"]
TOKEN_MODIFIERS = ["documentation"]
LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)
_TYPE = {t: i for i, t in enumerate(TOKEN_TYPES)}

_C_SENTINEL = re.compile(r"#\s*pragma\s+omp\b", re.IGNORECASE)
_F_SENTINEL = re.compile(r"[!cC*]\$omp&?|!\$(?=\s|&)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_]\w*")
_NUMBER = re.compile(r"^\d+$")

#: A raw token: (line, start column, end column, type), code-point columns.
Token = tuple[int, int, int, str]


def _span_token(span: Span | None, kind: str) -> list[Token]:
    if span is None or span.start.line != span.end.line or span.end.col <= span.start.col:
        return []
    return [(span.start.line, span.start.col, span.end.col, kind)]


def _sentinels(lines: list[str], d: Directive) -> list[Token]:
    out: list[Token] = []
    for ln in range(d.first_line, d.last_line + 1):
        if ln >= len(lines):
            break
        text = lines[ln]
        pat = _C_SENTINEL if d.language == "c" else _F_SENTINEL
        if d.language == "c" and ln > d.first_line:
            continue  # C continuation lines have no sentinel
        m = pat.search(text)
        if m is not None and not text[: m.start()].strip():
            out.append((ln, m.start(), m.end(), "macro"))
        elif d.fixed_form and m is not None and m.start() == 0:
            out.append((ln, 0, m.end(), "macro"))
    return out


def directive_tokens(lines: list[str], d: Directive) -> list[Token]:
    """The tokens of one directive (sentinel, name, clauses, their keywords and items)."""
    toks = _sentinels(lines, d) + _span_token(d.name_span, "keyword")
    for sp in d.argument_item_spans:
        toks += _span_token(sp, "variable")
    for cl in d.clauses:
        toks += _span_token(cl.name_span, "modifier")
        if cl.modifier_span is not None and cl.modifier:
            kind = "enumMember" if _WORD.fullmatch(cl.modifier) else "operator"
            toks += _span_token(cl.modifier_span, kind)
        for it, sp in zip(cl.items, cl.item_spans, strict=False):
            toks += _span_token(sp, "number" if _NUMBER.match(it.strip()) else "variable")
        if cl.value_span is not None and cl.value and _NUMBER.match(cl.value.strip()):
            toks += _span_token(cl.value_span, "number")
    return toks


def encode(doc: Document, toks: list[Token]) -> list[int]:
    """Raw tokens to LSP's relative integer encoding (UTF-16 columns, sorted, no overlaps)."""
    data: list[int] = []
    prev_line, prev_col = 0, 0
    last_end: tuple[int, int] = (-1, -1)
    for line, a, b, kind in sorted(set(toks)):
        if (line, a) < last_end:
            continue  # overlapping token: keep the first
        text = doc.line_text(line)
        start = doc.to_lsp_position(Pos(line, a)).character
        end = doc.to_lsp_position(Pos(line, min(b, len(text)))).character
        if end <= start:
            continue
        delta_line = line - prev_line
        delta_col = start - prev_col if delta_line == 0 else start
        data += [delta_line, delta_col, end - start, _TYPE[kind], 0]
        prev_line, prev_col = line, start
        last_end = (line, b)
    return data


def semantic_tokens(doc: Document) -> list[int]:
    """Every OpenMP token of a document, encoded."""
    if not doc.analyzable:
        return []  # unsupported language, binary, or too large to analyse
    try:
        directives = parse_directives(doc.source())
    except Exception:
        log.exception("semantic tokens: the directive scan failed")
        return []
    lines = doc.lines
    toks: list[Token] = []
    for d in directives:
        toks += directive_tokens(lines, d)
    return encode(doc, toks)


def register(ls: HpcLanguageServer) -> None:
    """Register textDocument/semanticTokens/full."""

    @ls.feature(
        types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
        LEGEND,
    )
    def tokens_full(ls: HpcLanguageServer, params: types.SemanticTokensParams) -> types.SemanticTokens:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None:
            return types.SemanticTokens(data=[])
        return types.SemanticTokens(data=semantic_tokens(doc))
