"""Hover for HPC symbols: the reference card of an OpenMP directive or clause, an MPI routine,
constant or datatype, a CUDA API or built-in, an OpenMP runtime routine or environment variable.

A hover provider (``ls.add_hover_provider``, priority 50: the advisor's loop hover runs first).
Answers come from the built-in cards (``hpclsp.kb``) and say where each fact comes from: the
card's id ("built-in card"), plus any site document of the retrieval index that also defines
the symbol. For any other identifier the best retrieved passage is shown only when it is
relevant enough: it must define the symbol exactly, or (dense fallback) score above
``DENSE_MIN`` and contain the word; identifiers the file itself declares (``i``, ``main``),
keywords and short words never reach retrieval, and nothing is asked of the retrieval service
unless it reports itself ready (hover never waits for an embedder or index to load).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from hpclsp import kb
from hpclsp.analysis.findings import Pos, Span
from hpclsp.analysis.openmp import scanner as omp_directives
from hpclsp.analysis.treeutil import walk
from hpclsp.completion import context as cx
from hpclsp.completion import scope

if TYPE_CHECKING:
    from hpclsp.documents import Document
    from hpclsp.server import HpcLanguageServer

log = logging.getLogger(__name__)

PRIORITY = 50
#: Minimum dense (cosine) similarity for the "anything else" fallback.
DENSE_MIN = 0.55
#: Words shorter than this never go to retrieval.
MIN_FALLBACK_LEN = 4
#: Characters of a retrieved passage shown in a hover.
EXCERPT_CHARS = 900

_C_KEYWORDS = frozenset(
    """auto break case char const continue default do double else enum extern float for goto if inline int long
    register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while
    bool true false class namespace template typename public private protected virtual new delete this using
    nullptr operator friend const_cast static_cast dynamic_cast reinterpret_cast try catch throw include define
    ifdef ifndef endif pragma size_t std vector printf malloc free main""".split()
)  # fmt: skip
_F_KEYWORDS = frozenset(
    """program end subroutine function module use implicit none integer real double precision complex logical
    character call do if then else endif enddo contains intent in out inout allocatable dimension parameter
    allocate deallocate print write read return stop type kind len only result pure elemental recursive
    select case where forall associate block exit cycle""".split()
)  # fmt: skip


def _in(span: Span | None, pos: Pos) -> bool:
    if span is None:
        return False
    return (span.start.line, span.start.col) <= (pos.line, pos.col) < (span.end.line, span.end.col) or (
        (pos.line, pos.col) == (span.end.line, span.end.col) and span.end.col > span.start.col
    )


def _directive_hover(doc: Document, pos: Pos) -> tuple[kb.Card | None, bool]:
    """(card, on a directive line) for an OpenMP directive or clause name under the cursor."""
    # Cheap pre-check: a directive (or its first line, for continuations) must be close above.
    if not any("omp" in doc.line_text(i).lower() for i in range(max(0, pos.line - 20), pos.line + 1)):
        return None, False
    try:
        found = omp_directives.parse_directives(doc.source())
    except Exception:
        log.debug("directive parse failed", exc_info=True)
        return None, False
    for d in found:
        if not (d.first_line <= pos.line <= d.last_line):
            continue
        if _in(d.name_span, pos):
            name = d.name
            card = kb.card(name, "openmp", "directive")
            if card is None and name.startswith("end "):
                card = kb.card(name[4:], "openmp", "directive")
            return card, True
        for c in d.clauses:
            if _in(c.name_span, pos):
                return kb.card(c.name, "openmp", "clause"), True
        return None, True
    return None, False


def _symbol_card(word: str, language: str) -> kb.Card | None:
    """The card for a symbol used in code (never an OpenMP directive/clause word)."""
    for card in kb.find(word):
        if card.kind in ("directive", "clause"):
            continue
        if card.family == "cuda" and language != "cuda" and not word.startswith("cuda"):
            continue
        if card.family == "openmp" and card.kind != "env" and not word.lower().startswith("omp"):
            continue
        return card
    return None


def retrieval_service(ls: HpcLanguageServer) -> Any | None:
    """The retrieval service when it reports itself ready (never triggers a load)."""
    svc = ls.retrieval
    if svc is None:
        return None
    for attr in ("ready", "is_ready", "loaded"):
        flag = getattr(svc, attr, None)
        if flag is None:
            continue
        try:
            value = flag() if callable(flag) else flag
        except Exception:
            return None
        return svc if value else None
    return None


def _hit_field(hit: Any, name: str, default: Any = None) -> Any:
    if isinstance(hit, dict):
        return hit.get(name, default)
    value = getattr(hit, name, None)
    if value is None:
        chunk = getattr(hit, "chunk", None)
        value = getattr(chunk, name, None) if chunk is not None else None
    return default if value is None else value


def _is_builtin(hit: Any) -> bool:
    kind = _hit_field(hit, "kind", "")
    layer = str(_hit_field(hit, "layer", "") or "")
    meta = _hit_field(hit, "meta", {}) or {}
    return kind == "card" or layer in ("builtin", "built-in") or (isinstance(meta, dict) and "card" in meta)


def _source_label(hit: Any) -> str:
    source = str(_hit_field(hit, "source", "") or "document")
    page = _hit_field(hit, "page")
    section = _hit_field(hit, "section", "")
    label = f"`{source}`"
    if page:
        label += f", page {page}"
    if section:
        label += f" — {section}"
    return label


def _excerpt(hit: Any) -> str:
    text = str(_hit_field(hit, "text", "") or "").strip()
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"
    return text


def _render_hit(hit: Any, heading: str) -> str:
    title = _hit_field(hit, "title", "") or ""
    parts = [f"**{title}**" if title else "", _excerpt(hit), f"*{heading}: {_source_label(hit)}*"]
    return "\n\n".join(p for p in parts if p)


def _defines(hit: Any, word: str) -> bool:
    defines = _hit_field(hit, "defines", []) or []
    why = _hit_field(hit, "why", {}) or {}
    if isinstance(why, dict) and why.get("defines") and str(why.get("symbol", "")).lower() == word.lower():
        return True
    return any(str(d).lower() == word.lower() for d in defines)


def _site_definitions(svc: Any, word: str) -> list[Any]:
    lookup = getattr(svc, "lookup_symbol", None)
    if lookup is None:
        return []
    try:
        hits = lookup(word) or []
    except Exception:
        log.debug("retrieval lookup failed", exc_info=True)
        return []
    return [h for h in hits if not _is_builtin(h) and _defines(h, word)]


def _declared_names(doc: Document) -> set[str]:
    """Every name the document itself declares (variables anywhere, functions), lower-cased."""
    src = doc.source()
    cached = src.cache.get("hover.declared")
    if cached is not None:
        return cached
    names: set[str] = set()
    try:
        if doc.language == "fortran":
            for _, text in scope.fortran_logical_lines(doc.lines, doc.fixed_form, len(doc.lines) - 1):
                m = scope._F_UNIT.match(text)
                if m and m.group("name"):
                    names.add(m.group("name").lower())
                    for a in (m.group("args") or "").strip("()").split(","):
                        if a.strip():
                            names.add(a.strip().lower())
                m = scope._F_DECL.match(text)
                if m:
                    rest = m.group("rest").split("::", 1)[-1]
                    names.update(w.lower() for w in re.findall(r"\b([A-Za-z_]\w*)\s*(?:\(|,|=|$)", rest))
        else:
            tree = src.tree
            data = src.data
            names.update(n.lower() for n in scope.c_function_names(tree, data))
            for node in walk(tree.root_node):
                if node.type in ("declaration", "parameter_declaration", "field_declaration"):
                    for name, _, _ in scope._declarator_names(node, data):
                        names.add(name.lower())
                if node.type in ("preproc_def", "preproc_function_def", "type_definition", "struct_specifier",
                                 "enum_specifier", "enumerator"):  # fmt: skip
                    for c in node.named_children:
                        if c.type in ("identifier", "type_identifier"):
                            names.add(data[c.start_byte : c.end_byte].decode("utf-8", "replace").lower())
    except Exception:
        log.debug("declared-name collection failed", exc_info=True)
    src.cache["hover.declared"] = names
    return names


def _fallback(ls: HpcLanguageServer, doc: Document, word: str) -> str | None:
    """The best retrieved passage for an identifier that has no card, when relevant enough."""
    if len(word) < MIN_FALLBACK_LEN or word.isdigit():
        return None
    low = word.lower()
    if low in _C_KEYWORDS or low in _F_KEYWORDS:
        return None
    svc = retrieval_service(ls)
    if svc is None:
        return None
    if low in _declared_names(doc):
        return None
    site = _site_definitions(svc, word)
    if site:
        return _render_hit(site[0], "Source")
    search = getattr(svc, "search", None)
    if search is None:
        return None
    try:
        hits = search(word, 3) or []
    except Exception:
        log.debug("retrieval search failed", exc_info=True)
        return None
    for hit in hits:
        if relevant(hit, word):
            return _render_hit(hit, "Retrieved from")
    return None


def relevant(hit: Any, word: str) -> bool:
    """Is a retrieved passage relevant enough to show for ``word``: it defines it, or it is a close
    dense match (cosine >= DENSE_MIN) whose text mentions the word as a whole word."""
    if _defines(hit, word):
        return True
    why = _hit_field(hit, "why", {}) or {}
    dense = why.get("dense") if isinstance(why, dict) else None
    sim = float(dense[1]) if isinstance(dense, (list, tuple)) and len(dense) > 1 else None
    if sim is None:
        sim = _hit_field(hit, "similarity")
    if sim is None or float(sim) < DENSE_MIN:
        return False
    text = str(_hit_field(hit, "text", "") or "") + " " + str(_hit_field(hit, "title", "") or "")
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text, re.IGNORECASE) is not None


def hover_markdown(ls: HpcLanguageServer, doc: Document, pos: Pos) -> str | None:
    """The hover Markdown at a position (None when there is nothing relevant)."""
    if doc.language is None:
        return None
    language = doc.language
    card, on_directive = _directive_hover(doc, pos)
    if card is not None:
        return kb.render_markdown(card, language)
    line = doc.line_text(pos.line)
    if language == "cuda":
        for m in re.finditer(r"<<<|>>>", line):
            if m.start() <= pos.col < m.end():
                launch = kb.card("<<<>>>", "cuda", "launch")
                return kb.render_markdown(launch, "cuda") if launch else None
    found = cx.word_at(line, pos.col)
    if found is None:
        return None
    word = found[0]
    card = _symbol_card(word, language)
    svc = None
    if card is not None:
        text = kb.render_markdown(card, language)
        svc = retrieval_service(ls)
        if svc is not None:
            for hit in _site_definitions(svc, card.name)[:2]:
                text += "\n\n---\n\n" + _render_hit(hit, "Also documented in")
        return text
    if on_directive:
        return None  # a variable inside a clause: the card lookup above was the only candidate
    return _fallback(ls, doc, word)


def provide(ls: HpcLanguageServer, doc: Document, pos: Pos) -> str | None:
    """Hover provider entry point (never raises)."""
    try:
        return hover_markdown(ls, doc, pos)
    except Exception:
        log.exception("hpc hover failed at %s:%s", doc.uri, pos)
        return None


def register(ls: HpcLanguageServer) -> None:
    """Register the HPC hover provider."""
    ls.add_hover_provider(provide, priority=PRIORITY)
