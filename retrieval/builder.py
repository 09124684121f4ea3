"""Index builder: discover sources, chunk, embed (only what changed), write atomically.

Incremental: a source whose content hash equals the one in the existing index keeps its chunks
and vectors (read back from that index), so only new or changed files are chunked and embedded.
Atomic: the new index is written to a temporary directory next to the target and swapped in by
rename, so an interrupted build leaves the previous index intact.
"""

from __future__ import annotations

import ctypes
import dataclasses
import gzip
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from retrieval.chunk import Chunk
from retrieval.chunkers import chunk_bytes, discover
from retrieval.chunkers.corpus import is_corpus_dir
from retrieval.embedder import Embedder
from retrieval.keyword import TERMS_VERSION
from retrieval.store import (
    FILES,
    MANIFEST,
    CorruptIndexError,
    EmbedderMismatchError,
    Index,
    IndexNotFoundError,
    RetrievalError,
    check_embedder,
    read_manifest,
    sha256_bytes,
    write_index,
)

log = logging.getLogger(__name__)


@dataclasses.dataclass
class BuildStats:
    """What a build did (printed by the CLI, checked by tests)."""

    sources: int = 0
    sources_reused: int = 0
    sources_chunked: int = 0
    sources_failed: list[str] = dataclasses.field(default_factory=list)
    chunks: int = 0
    chunks_embedded: int = 0
    embedded_sources: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    index_type: str = ""

    @property
    def rate(self) -> float:
        """Embedded chunks per second of embedding time."""
        return self.chunks_embedded / self.embed_seconds if self.embed_seconds > 0 else 0.0


class Progress:
    """Progress on a stream: a redrawn bar on a terminal, a plain line every few seconds otherwise."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total = 0
        self.done = 0
        self.label = ""
        self.t0 = time.monotonic()
        self._last = 0.0

    def start(self, label: str, total: int) -> None:
        """Begin a phase of ``total`` units."""
        self.label, self.total, self.done = label, total, 0
        self.t0 = time.monotonic()
        self._last = 0.0
        self._draw(force=True)

    def advance(self, n: int) -> None:
        """Record ``n`` more units done."""
        self.done += n
        self._draw()

    def finish(self) -> None:
        """End the phase (final line)."""
        self._draw(force=True, end=True)

    def note(self, msg: str) -> None:
        """A message line."""
        if not self.quiet:
            print(msg, file=self.stream, flush=True)

    def _draw(self, force: bool = False, end: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if not force and now - self._last < (0.1 if self.tty else 5.0):
            return
        self._last = now
        el = max(now - self.t0, 1e-9)
        rate = self.done / el
        if self.tty:
            width = 30
            frac = min(self.done / self.total, 1.0) if self.total else 1.0
            bar = "#" * int(width * frac) + "-" * (width - int(width * frac))
            line = (
                f"\r{self.label:<10} [{bar}] {self.done}/{self.total} {rate:7.1f}/s {_eta(self, rate, end)}"
            )
            self.stream.write(line + ("\n" if end else ""))
        else:
            self.stream.write(f"{self.label}: {self.done}/{self.total} ({rate:.1f}/s)\n")
        self.stream.flush()


def _eta(p: Progress, rate: float, end: bool) -> str:
    """``ETA m:ss`` while running (blank until a rate is known), ``in m:ss`` when finished."""
    if end:
        secs = time.monotonic() - p.t0
        return f"in {int(secs) // 60}:{int(secs) % 60:02d}   "
    if rate <= 0 or p.done <= 0:
        return "ETA --:--  "
    secs = max(p.total - p.done, 0) / rate
    return f"ETA {int(secs) // 60}:{int(secs) % 60:02d}  "


class EmptyBuildError(RetrievalError):
    """The sources gave no document, or no chunk: an index of nothing is an error, not a result."""


def check_sources(sources: Sequence[str]) -> list[tuple[Path, bool]]:
    """Validate SOURCE arguments before any slow work: the files an index would be built from.

    Raises ``FileNotFoundError`` for a missing source and ``EmptyBuildError`` when none of them
    holds a document hpclsp can read.
    """
    if not sources:
        raise EmptyBuildError("no SOURCE given")
    files = discover(list(sources))
    if not files:
        raise EmptyBuildError(
            f"no documents found in {', '.join(sources)} "
            "(looked for man, md, rst, html, txt, pdf and source files)"
        )
    return files


def check_output(out: str | os.PathLike[str]) -> Path:
    """Refuse an output path that exists and is not an index (a build would replace its files)."""
    path = Path(out)
    if path.exists() and (not path.is_dir() or not _only_index_files(path)):
        raise IndexNotFoundError(f"{path} exists and is not an index directory; choose another -o DIR")
    return path


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    res = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return res == 0


def _swap_in(tmp: Path, out: Path) -> None:
    """Make ``tmp`` the index at ``out`` (atomic where the OS allows), removing the old one."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if _rename_exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old index
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def _cleanup_stale(out: Path) -> None:
    """Remove temporary dirs of dead builds; restore an index a crashed swap left aside."""
    parent = out.parent
    if not parent.is_dir():
        return
    for p in parent.glob(f".{out.name}.*-*"):
        try:
            pid = int(p.name.rsplit("-", 1)[1])
        except ValueError:
            continue
        if pid != os.getpid() and _pid_alive(pid):
            continue
        if ".old-" in p.name and not out.exists():
            os.rename(p, out)
        else:
            shutil.rmtree(p, ignore_errors=True)


def _only_index_files(directory: Path) -> bool:
    """True when a directory holds nothing but index files (so replacing it loses nothing else)."""
    allowed = {*FILES, MANIFEST, MANIFEST + ".part"}
    return all(p.name in allowed for p in directory.iterdir())


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def index_is_current(
    out: Path,
    embedder_name: str | None = None,
    sources: Sequence[str] | None = None,
    doc_tokens: int | None = None,
) -> bool:
    """True when ``out`` holds a valid index (checksums verified) built from unchanged ``sources``,
    with the embedder ``embedder_name`` cutting documents at ``doc_tokens`` word pieces (each when given)."""
    try:
        manifest = read_manifest(out)
        idx = Index(out, verify=True)
        idx.close()
    except RetrievalError:
        return False
    if embedder_name and manifest["embedder"].get("name") != embedder_name:
        return False
    if doc_tokens is not None and manifest.get("doc_tokens") != doc_tokens:
        return False  # vectors of documents cut at another length (or an index from before it was recorded)
    if manifest.get("keyword_terms", 1) != TERMS_VERSION:
        return False  # keyword postings from another tokenizer: a rebuild (vectors reused) fixes them
    if sources is not None:
        try:
            files = discover(list(sources))
        except (OSError, ValueError):
            return False
        old = {s["path"]: s["sha256"] for s in manifest["sources"]}
        if len(old) != len(files):
            return False
        for f, _ in files:
            try:
                if old.get(str(f)) != sha256_bytes(f.read_bytes()):
                    return False
            except OSError:
                return False
    return True


#: Per source: path, content hash, chunks and, when reused from the old index, their vectors.
_Planned = tuple[str, str, list[Chunk], np.ndarray | None]


def build_index(
    sources: Sequence[str],
    out: str | os.PathLike[str],
    embedder: Embedder,
    name: str = "",
    force: bool = False,
    progress: Progress | None = None,
    extra: dict[str, Any] | None = None,
    chunk_filter: Callable[[Chunk], bool] | None = None,
) -> BuildStats:
    """Build (or incrementally rebuild) the index at ``out`` from SOURCE files and directories.

    ``chunk_filter`` keeps only the chunks it accepts (e.g. some sections of each man page).
    """
    t0 = time.monotonic()
    out = Path(out)
    progress = progress or Progress(quiet=True)
    stats = BuildStats()
    files = check_sources(sources)
    out.parent.mkdir(parents=True, exist_ok=True)
    _cleanup_stale(out)
    check_output(out)  # never replace a directory that is not an index

    old = None if force else _open_previous(out, embedder, progress)
    stats.sources = len(files)
    plan = _plan_sources(files, old, chunk_filter, stats, progress)
    all_chunks, vectors, src_records = _embed_plan(plan, embedder, stats, progress)
    if old is not None:
        old.close()
    if not all_chunks:
        failed = f" ({len(stats.sources_failed)} failed to read)" if stats.sources_failed else ""
        raise EmptyBuildError(
            f"the {len(files)} source file(s){failed} gave no text to index; nothing was written"
        )
    index_extra = {
        "doc_tokens": embedder.max_tokens,
        "roots": [str(Path(s).expanduser().resolve()) for s in sources],
        **({"corpus": True} if any(is_corpus_dir(s) for s in sources) else {}),
        **(extra or {}),
    }
    manifest = _write_and_swap(
        out, all_chunks, vectors, src_records, embedder, name or out.name, index_extra, progress
    )
    stats.chunks = len(all_chunks)
    stats.index_type = str(manifest["faiss"])
    stats.seconds = time.monotonic() - t0
    return stats


def _open_previous(out: Path, embedder: Embedder, progress: Progress) -> Index | None:
    """The existing index at ``out`` when it can be reused (verified, same embedder), else None."""
    if not out.exists():
        return None
    try:
        old = Index(out, verify=True)
        check_embedder(old.manifest, embedder.name, embedder.dim, where=str(out))
    except IndexNotFoundError:
        return None
    except CorruptIndexError as exc:
        progress.note(f"note: existing index is unusable ({exc}); rebuilding from scratch")
        return None
    except EmbedderMismatchError as exc:
        raise EmbedderMismatchError(f"{exc} (or pass --force to rebuild from scratch)") from exc
    if old.manifest.get("doc_tokens") != embedder.max_tokens:
        progress.note(
            f"note: existing index cut documents at {old.manifest.get('doc_tokens') or 'an unrecorded length'}, "
            f"this embedder at {embedder.max_tokens}; embedding every chunk again"
        )
        old.close()
        return None
    return old


def _plan_sources(
    files: list[tuple[Path, bool]],
    old: Index | None,
    chunk_filter: Callable[[Chunk], bool] | None,
    stats: BuildStats,
    progress: Progress,
) -> list[_Planned]:
    """Per source: reused (chunks + vectors from the old index) when unchanged, else freshly chunked."""
    old_sources: dict[str, dict[str, Any]] = (
        {s["path"]: s for s in old.manifest["sources"]} if old is not None else {}
    )
    plan: list[_Planned] = []
    progress.start("chunking", len(files))
    for path, in_corpus in files:
        key = str(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            stats.sources_failed.append(f"{key}: {exc}")
            progress.advance(1)
            continue
        digest = sha256_bytes(raw)
        prev = old_sources.get(key)
        if old is not None and prev is not None and prev.get("sha256") == digest:
            first, count = int(prev["first"]), int(prev["count"])
            chunks = old.chunks(list(range(first, first + count)))
            plan.append((key, digest, chunks, old.vectors(first, count)))
            stats.sources_reused += 1
        else:
            try:
                data = gzip.decompress(raw) if key.endswith(".gz") else raw
                chunks = chunk_bytes(data, key, corpus=in_corpus)
                if chunk_filter is not None:
                    chunks = [c for c in chunks if chunk_filter(c)]
            except Exception as exc:  # a bad file must not stop the build
                stats.sources_failed.append(f"{key}: {exc}")
                progress.advance(1)
                continue
            plan.append((key, digest, chunks, None))
            stats.sources_chunked += 1
            if chunks:
                stats.embedded_sources.append(key)
        progress.advance(1)
    progress.finish()
    return plan


def _embed_plan(
    plan: list[_Planned], embedder: Embedder, stats: BuildStats, progress: Progress
) -> tuple[list[Chunk], np.ndarray, list[dict[str, Any]]]:
    """Embed the new chunks of a plan; all chunks in order, their vectors and the source records."""
    # Identical texts (boilerplate sections) are embedded once.
    todo = [c for _, _, chunks, vecs in plan if vecs is None for c in chunks]
    texts = [c.embed_text() for c in todo]
    unique = list(dict.fromkeys(texts))
    t_embed = time.monotonic()
    progress.start("embedding", len(unique))
    uvecs = (
        embedder.encode(unique, progress=progress.advance)
        if unique
        else np.zeros((0, embedder.dim), np.float32)
    )
    progress.finish()
    stats.embed_seconds = time.monotonic() - t_embed
    stats.chunks_embedded = len(todo)
    pos = {t: i for i, t in enumerate(unique)}

    all_chunks: list[Chunk] = []
    all_vecs: list[np.ndarray] = []
    src_records: list[dict[str, Any]] = []
    for key, digest, chunks, vecs in plan:
        if vecs is None:
            vecs = (
                uvecs[[pos[c.embed_text()] for c in chunks]]
                if chunks
                else np.zeros((0, embedder.dim), np.float32)
            )
        src_records.append({"path": key, "sha256": digest, "first": len(all_chunks), "count": len(chunks)})
        all_chunks.extend(chunks)
        all_vecs.append(vecs)
    vectors = np.concatenate(all_vecs) if all_vecs else np.zeros((0, embedder.dim), np.float32)
    return all_chunks, vectors, src_records


def _write_and_swap(
    out: Path,
    chunks: list[Chunk],
    vectors: np.ndarray,
    src_records: list[dict[str, Any]],
    embedder: Embedder,
    name: str,
    extra: dict[str, Any],
    progress: Progress,
) -> dict[str, Any]:
    """Write the index to a temporary directory next to ``out`` and swap it in; its manifest."""
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        progress.note(f"writing index: {len(chunks)} chunks")
        manifest = write_index(
            tmp, chunks, vectors, src_records, embedder.name, embedder.dim, name=name, extra=extra
        )
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
