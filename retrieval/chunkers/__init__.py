"""Chunkers by format and the dispatcher that picks one for a file.

``chunk_file(path)`` reads a file (gzip-transparently for man pages) and returns its chunks;
``discover(sources)`` walks SOURCE arguments into the list of files an index is built from.
"""

from __future__ import annotations

import gzip
import logging
import os
import re
from pathlib import Path

from hpclsp.analysis import languages
from retrieval.chunk import Chunk
from retrieval.chunkers.code import chunk_source
from retrieval.chunkers.corpus import chunk_cards, chunk_corpus_file, corpus_files, is_corpus_dir
from retrieval.chunkers.man import chunk_man, looks_like_roff, read_man_text
from retrieval.chunkers.markup import chunk_html, chunk_markdown, chunk_rst, chunk_text
from retrieval.chunkers.pdf import chunk_pdf

__all__ = [
    "chunk_cards",
    "chunk_corpus_file",
    "chunk_file",
    "chunk_html",
    "chunk_man",
    "chunk_markdown",
    "chunk_pdf",
    "chunk_rst",
    "chunk_source",
    "chunk_text",
    "detect_format",
    "discover",
]

log = logging.getLogger(__name__)

#: Files larger than this are skipped (a doc index is not a data lake).
MAX_FILE_BYTES = 20 * 1024 * 1024

_MAN_RE = re.compile(r"\.(?:[a-z]+\.)?[1-9n][a-z]*$|\.man$")
_SOURCE_EXTRA = {".F": "fortran", ".FOR": "fortran", ".F77": "fortran", ".F03": "fortran", ".F08": "fortran"}


def detect_format(path: str) -> str | None:
    """The chunker name for a path by its name: markdown, rst, html, text, pdf, man, source, cards or None."""
    name = os.path.basename(path)
    base = name[:-3] if name.endswith(".gz") else name
    ext = os.path.splitext(base)[1]
    low = ext.lower()
    if low in (".md", ".markdown", ".mdown"):
        return "markdown"
    if low in (".rst", ".rest"):
        return "rst"
    if low in (".html", ".htm", ".xhtml"):
        return "html"
    if low in (".txt", ".text") or base in ("README", "NEWS", "INSTALL"):
        return "text"
    if low == ".pdf":
        return "pdf"
    if ext in languages.EXTENSIONS or ext in _SOURCE_EXTRA or low in languages.EXTENSIONS:
        return "source"
    if _MAN_RE.search(base):
        return "man"
    return None


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"{path}: larger than {MAX_FILE_BYTES} bytes, skipped")
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data


def chunk_bytes(data: bytes, path: str, fmt: str | None = None, corpus: bool = False) -> list[Chunk]:
    """Chunk already-read (decompressed) bytes of ``path`` with the chunker for ``fmt``."""
    fmt = fmt or detect_format(path)
    if fmt == "pdf":
        return chunk_pdf(data, path)
    text = read_man_text(data) if fmt == "man" else data.decode("utf-8", errors="replace")
    if corpus:
        return chunk_corpus_file(text, path)
    if fmt == "markdown":
        return chunk_markdown(text, path)
    if fmt == "rst":
        return chunk_rst(text, path)
    if fmt == "html":
        return chunk_html(text, path)
    if fmt == "man" or (fmt is None and looks_like_roff(text)):
        return chunk_man(text, path)
    if fmt == "source":
        ext = os.path.splitext(path)[1]
        return chunk_source(text, path, _SOURCE_EXTRA.get(ext))
    if fmt == "text":
        return chunk_text(text, path)
    return []


def chunk_file(path: str | os.PathLike[str], corpus: bool = False) -> list[Chunk]:
    """Read and chunk one file; raises OSError/ValueError for unreadable or oversized files."""
    p = os.fspath(path)
    return chunk_bytes(_read(p), p, corpus=corpus)


def discover(sources: list[str]) -> list[tuple[Path, bool]]:
    """Expand SOURCE arguments into ``(file, is_corpus_file)`` pairs, sorted, without duplicates.

    A directory holding a corpus ``manifest.json`` contributes the files it lists; any other
    directory is walked (hidden entries skipped) for files with a known format.
    """
    out: dict[Path, bool] = {}
    for src in sources:
        p = Path(src).expanduser()
        if p.is_dir() and is_corpus_dir(p):
            for f in corpus_files(p):
                out.setdefault(f.resolve(), True)
        elif p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for fname in sorted(files):
                    if fname.startswith("."):
                        continue
                    f = Path(root) / fname
                    if detect_format(str(f)) is not None:
                        out.setdefault(f.resolve(), False)
        elif p.is_file():
            out.setdefault(p.resolve(), False)
        else:
            raise FileNotFoundError(f"no such file or directory: {src}")
    return sorted(out.items(), key=lambda kv: str(kv[0]))
