"""Chunker for PDF documents via pypdf (pure Python): by page, split further at heading-like lines.

Headings come from the document outline (bookmarks) when it has one, otherwise from lines that
look like numbered or all-capital titles. A PDF that cannot be read yields no chunks.
"""

from __future__ import annotations

import io
import logging
import os
import re

from retrieval.chunk import Chunk, extract_symbols

log = logging.getLogger(__name__)

_HEADING_RE = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+[A-Z][^.]{1,80}|[A-Z][A-Z0-9 _\-/&]{3,60})$")


def _outline_titles(reader: object) -> dict[int, list[str]]:
    """Outline entries by 0-based page index."""
    out: dict[int, list[str]] = {}

    def walk(items: object) -> None:
        if not isinstance(items, list):
            return
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            try:
                page = reader.get_destination_page_number(item)  # type: ignore[attr-defined]
                out.setdefault(page, []).append(str(item.title))
            except Exception:
                continue

    try:
        walk(reader.outline)  # type: ignore[attr-defined]
    except Exception:
        pass
    return out


def chunk_pdf(data: bytes, path: str) -> list[Chunk]:
    """PDF bytes by page and heading."""
    try:
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        pages = list(reader.pages)
    except Exception as exc:
        log.warning("cannot read PDF %s: %s", path, exc)
        return []
    outline = _outline_titles(reader)
    doc_title = os.path.basename(path)
    try:
        meta_title = reader.metadata.get("/Title") if reader.metadata else None
        if meta_title:
            doc_title = str(meta_title)
    except Exception:
        pass
    chunks: list[Chunk] = []
    current_heading = doc_title
    for pno, page in enumerate(pages):
        try:
            text = page.extract_text() or ""
        except Exception:
            continue
        if pno in outline:
            current_heading = outline[pno][0]
        lines = [ln.rstrip() for ln in text.splitlines()]
        groups: list[tuple[str, list[tuple[int, str]]]] = [(current_heading, [])]
        for i, line in enumerate(lines):
            s = line.strip()
            if s and _HEADING_RE.match(s) and len(s.split()) <= 10:
                current_heading = s
                groups.append((s, [(i, line)]))
            else:
                groups[-1][1].append((i, line))
        for heading, body in groups:
            body_text = "\n".join(t for _, t in body).strip()
            if not body_text or body_text == heading:
                continue
            for j in range(0, len(body_text), 1800):
                piece = body_text[j : j + 1800]
                chunks.append(
                    Chunk(
                        text=piece,
                        title=f"{heading} (p. {pno + 1})",
                        source=path,
                        kind="doc",
                        language="pdf",
                        start_line=body[0][0],
                        end_line=body[-1][0],
                        page=pno + 1,
                        section=heading,
                        symbols=extract_symbols(piece),
                        meta={"document": doc_title},
                    )
                )
    return chunks
