"""textDocument/signatureHelp for MPI, OpenMP and CUDA calls, from the built-in reference cards.

Inside ``MPI_Send(buf, |`` the card's signature is shown with the active parameter (the number of
top-level commas before the cursor) and that parameter's description. The call is found by
scanning back from the cursor to the unmatched ``(`` and the name before it, skipping string
and character literals; Fortran names are looked up case-insensitively (``call mpi_send(``).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lsprotocol import types

from hpclsp import kb
from hpclsp.documents import Document, utf16_len

if TYPE_CHECKING:
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

#: How far back (characters) to look for the opening parenthesis of the call.
MAX_SCAN = 4000
FAMILIES = ("mpi", "openmp", "cuda")
#: Card kinds that are called like functions.
CALLABLE_KINDS = ("routine", "intrinsic", "builtin")

_NAME_BEFORE = re.compile(r"([A-Za-z_]\w*)\s*(?:<<<.*?>>>\s*)?$", re.DOTALL)


@dataclasses.dataclass(frozen=True)
class CallSite:
    """The call around the cursor: callee name and the index of the argument being written."""

    name: str
    active: int


def _strip_literals(text: str, fortran: bool) -> str:
    """Replace string/char literals and comments by spaces (same length), so brackets inside them do not count."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" and not fortran else 1
            for k in range(i, min(j + 1, n)):
                if out[k] != "\n":
                    out[k] = " "
            i = j + 1
        elif not fortran and text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out[i:j] = " " * (j - i)
            i = j
        elif not fortran and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out[i:j] = [c if c == "\n" else " " for c in text[i:j]]
            i = j
        elif fortran and ch == "!":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out[i:j] = " " * (j - i)
            i = j
        else:
            i += 1
    return "".join(out)


def calls_at(prefix: str, fortran: bool = False) -> Iterator[CallSite]:
    """The unclosed calls around the end of ``prefix`` (the text before the cursor), innermost first."""
    text = _strip_literals(prefix[-MAX_SCAN:], fortran)
    depth, commas = 0, 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in ")]}":
            depth += 1
        elif ch in "[{":
            if depth == 0:
                return  # inside an initializer or a subscript, not a call's argument list
            depth -= 1
        elif ch == "(":
            if depth > 0:
                depth -= 1
                continue
            m = _NAME_BEFORE.search(text[:i])
            if m is not None:
                yield CallSite(m.group(1), commas)
            commas = 0  # what follows is an argument of the call (or group) around this one
        elif ch == "," and depth == 0:
            commas += 1
        elif ch == ";" and not fortran:
            return


def _split_params(sig: str) -> tuple[str, list[tuple[int, int]]]:
    """The first line of a signature and the (start, end) offsets of each parameter in it."""
    line = sig.split("\n", 1)[0]
    a = line.find("(")
    if a < 0:
        return line, []
    depth, start, spans = 0, a + 1, []
    for i in range(a, len(line)):
        ch = line[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth == 0:
                spans.append((start, i))
                break
        elif ch == "," and depth == 1:
            spans.append((start, i))
            start = i + 1
    out = []
    for s, e in spans:
        while s < e and line[s] == " ":
            s += 1
        while e > s and line[e - 1] in " ;":
            e -= 1
        piece = line[s:e]
        if piece and piece != "void" and piece != "...":
            out.append((s, e))
    return line, out


def _param_doc(card: kb.Card, piece: str) -> str | None:
    names = [w for w in re.findall(r"[A-Za-z_]\w*", piece.split("=")[0])]
    if not names:
        return None
    last = names[-1].lower()
    for p in card.parameters:
        if p.name.lower() == last:
            return p.description
    return None


def find_card(name: str) -> kb.Card | None:
    """The MPI / OpenMP / CUDA card of a callable name, or None."""
    for fam in FAMILIES:
        for kind in CALLABLE_KINDS:
            card = kb.card(name, family=fam, kind=kind)
            if card is not None and card.signatures:
                return card
    return None


def signature_help(doc: Document, pos: types.Position, offsets: bool = True) -> types.SignatureHelp | None:
    """Signature help at an LSP position, or None when the cursor is not in a known call."""
    p = doc.from_lsp_position(pos)
    lines = doc.lines
    first = max(0, p.line - 60)
    prefix = "\n".join(lines[first : p.line] + [lines[p.line][: p.col]]) if lines else ""
    found = None
    for site in calls_at(prefix, fortran=doc.language == "fortran"):
        card = find_card(site.name)
        if card is not None:
            found = (site, card)
            break
    if found is None:
        return None
    site, card = found
    sig = card.signature(doc.language)
    if not sig:
        return None
    label, spans = _split_params(sig)
    params = []
    for s, e in spans:
        piece = label[s:e]
        desc = _param_doc(card, piece)
        plabel: str | tuple[int, int] = (utf16_len(label[:s]), utf16_len(label[:e])) if offsets else piece
        params.append(
            types.ParameterInformation(
                label=plabel,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=desc)
                if desc
                else None,
            )
        )
    active = min(site.active, len(params) - 1) if params else 0
    info = types.SignatureInformation(
        label=label,
        documentation=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=f"{card.summary}\n\n*{card.family.upper()} — built-in card*"
        ),
        parameters=params,
        active_parameter=active,
    )
    return types.SignatureHelp(signatures=[info], active_signature=0, active_parameter=active)


def _label_offsets(ls: HpcLanguageServer) -> bool:
    caps = ls.client_capabilities
    try:
        sig = caps.text_document.signature_help.signature_information  # type: ignore[union-attr]
        return bool(sig.parameter_information.label_offset_support)  # type: ignore[union-attr]
    except AttributeError:
        return False


def register(ls: HpcLanguageServer) -> None:
    """Register textDocument/signatureHelp."""

    @ls.feature(
        types.TEXT_DOCUMENT_SIGNATURE_HELP,
        types.SignatureHelpOptions(trigger_characters=["(", ","], retrigger_characters=[")"]),
    )
    def help_(ls: HpcLanguageServer, params: types.SignatureHelpParams) -> types.SignatureHelp | None:
        doc = ls.documents.get(params.text_document.uri)
        if doc is None or doc.language is None:
            return None
        return signature_help(doc, params.position, offsets=_label_offsets(ls))
