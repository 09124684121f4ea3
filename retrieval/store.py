"""The on-disk index: FAISS vectors + SQLite chunk metadata + BM25 arrays + ``manifest.json``.

Layout of an index directory (data only, never pickle)::

    manifest.json        format, name, embedder {name, dim}, chunk_count, keyword_terms (the
                         tokenizer version of the BM25 postings), sources [{path, sha256,
                         first, count}], built (UTC ISO date), faiss type, files {name: sha256},
                         doc_tokens (the word pieces of a document the embedder saw) and roots
    vectors.faiss        IndexFlatIP below HNSW_THRESHOLD chunks, IndexHNSWFlat (inner product) above
    chunks.sqlite        one row per chunk (row id = vector id) + a symbol table for exact lookup
    keyword.npz          BM25 postings (numpy arrays)
    keyword_vocab.json   BM25 vocabulary

Every file's SHA-256 is recorded in the manifest and verified at load; a mismatch, a manifest
from a newer format or an embedder that does not match raises a ``RetrievalError`` subclass with
a message meant for users.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.chunk import Chunk, symbol_key
from retrieval.keyword import TERMS_VERSION, KeywordIndex

log = logging.getLogger(__name__)

#: Version of the index layout written here; loading a larger one is refused.
FORMAT_VERSION = 1
#: Above this many chunks the FAISS index is HNSW instead of exact flat search.
HNSW_THRESHOLD = 20_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 96

MANIFEST = "manifest.json"
FILES = ("vectors.faiss", "chunks.sqlite", "keyword.npz", "keyword_vocab.json")


class RetrievalError(RuntimeError):
    """Base class of the errors a user may see about an index."""


class IndexNotFoundError(RetrievalError):
    """No index at the given directory."""


class CorruptIndexError(RetrievalError):
    """Index files are missing, unreadable or do not match their checksums."""


class NewerFormatError(RetrievalError):
    """The index was written by a newer hpclsp."""


class EmbedderMismatchError(RetrievalError):
    """The index was built with another embedder than the one given."""


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def read_manifest(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of an index directory, checked for format version (not for file checksums)."""
    d = Path(directory)
    mpath = d / MANIFEST
    if not mpath.is_file():
        raise IndexNotFoundError(f"no index at {d} (missing {MANIFEST}); build one with `hpclsp index build`")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorruptIndexError(
            f"index at {d} is corrupt: unreadable {MANIFEST} ({exc}); rebuild it"
        ) from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("format"), int):
        raise CorruptIndexError(f"index at {d} is corrupt: {MANIFEST} has no format version; rebuild it")
    if manifest["format"] > FORMAT_VERSION:
        raise NewerFormatError(
            f"index at {d} has format {manifest['format']}, newer than this hpclsp supports ({FORMAT_VERSION}); "
            "upgrade hpclsp or rebuild the index"
        )
    for key in ("embedder", "chunk_count", "files", "sources"):
        if key not in manifest:
            raise CorruptIndexError(f"index at {d} is corrupt: {MANIFEST} lacks {key!r}; rebuild it")
    return manifest


def check_embedder(manifest: dict[str, Any], name: str, dim: int, where: str = "") -> None:
    """Raise EmbedderMismatchError unless the manifest's embedder is (name, dim)."""
    emb = manifest.get("embedder") or {}
    if emb.get("name") != name or int(emb.get("dim", -1)) != dim:
        raise EmbedderMismatchError(
            f"index {where} was built with embedder {emb.get('name')!r} (dim {emb.get('dim')}), "
            f"not {name!r} (dim {dim}); rebuild it with this embedder or pass --embedder for the right one"
        )


def _make_faiss(vectors: np.ndarray) -> Any:
    import faiss

    n, dim = vectors.shape
    index: Any
    if n > HNSW_THRESHOLD:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dim)
    if n:
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def write_index(
    directory: Path,
    chunks: Sequence[Chunk],
    vectors: np.ndarray,
    sources: list[dict[str, Any]],
    embedder_name: str,
    dim: int,
    name: str = "",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write a complete index into an (empty) directory; returns the manifest written."""
    import faiss

    if len(chunks) != len(vectors):
        raise ValueError("one vector per chunk expected")
    directory.mkdir(parents=True, exist_ok=True)
    vectors = np.asarray(vectors, dtype=np.float32).reshape(len(chunks), dim)
    index = _make_faiss(vectors)
    faiss.write_index(index, str(directory / "vectors.faiss"))

    db = sqlite3.connect(directory / "chunks.sqlite")
    try:
        db.executescript(
            """
            CREATE TABLE chunks (id INTEGER PRIMARY KEY, source TEXT, title TEXT, kind TEXT, language TEXT,
                                 start_line INTEGER, end_line INTEGER, page INTEGER, section TEXT,
                                 defines TEXT, symbols TEXT, meta TEXT, text TEXT);
            CREATE TABLE symbols (key TEXT, symbol TEXT, chunk INTEGER, defines INTEGER);
            """
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    i,
                    c.source,
                    c.title,
                    c.kind,
                    c.language,
                    c.start_line,
                    c.end_line,
                    c.page,
                    c.section,
                    json.dumps(c.defines),
                    json.dumps(c.symbols),
                    json.dumps(c.meta),
                    c.text,
                )
                for i, c in enumerate(chunks)
            ),
        )
        db.executemany(
            "INSERT INTO symbols VALUES (?,?,?,?)",
            (
                (symbol_key(s), s, i, 1 if s in c.defines else 0)
                for i, c in enumerate(chunks)
                for s in dict.fromkeys(c.symbols)
            ),
        )
        db.execute("CREATE INDEX symbols_key ON symbols (key)")
        db.commit()
    finally:
        db.close()

    KeywordIndex.build(c.keyword_text() for c in chunks).save(
        directory / "keyword.npz", directory / "keyword_vocab.json"
    )
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "name": name or directory.name,
        "embedder": {"name": embedder_name, "dim": dim},
        "chunk_count": len(chunks),
        "keyword_terms": TERMS_VERSION,
        "faiss": "hnsw" if len(chunks) > HNSW_THRESHOLD else "flat",
        "built": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "sources": sources,
        "files": {f: sha256_file(directory / f) for f in FILES},
    }
    if extra:
        manifest.update(extra)
    tmp = directory / (MANIFEST + ".part")
    tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST)
    return manifest


class Index:
    """A loaded index: dense search, BM25, symbol lookup and chunk access (thread-safe)."""

    def __init__(self, directory: str | os.PathLike[str], verify: bool = True) -> None:
        import faiss

        self.directory = Path(directory)
        self.manifest = read_manifest(self.directory)
        files = self.manifest["files"]
        for f in FILES:
            p = self.directory / f
            if not p.is_file():
                raise CorruptIndexError(f"index at {self.directory} is corrupt: {f} is missing; rebuild it")
            if verify and files.get(f) != sha256_file(p):
                raise CorruptIndexError(
                    f"index at {self.directory} is corrupt: checksum of {f} does not match the manifest; rebuild it"
                )
        try:
            self.faiss = faiss.read_index(str(self.directory / "vectors.faiss"))
            self.keyword = KeywordIndex.load(
                self.directory / "keyword.npz", self.directory / "keyword_vocab.json"
            )
            uri = (self.directory / "chunks.sqlite").resolve().as_uri() + "?mode=ro&immutable=1"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            (count,) = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()
        except (RuntimeError, ValueError, OSError, sqlite3.Error, KeyError) as exc:
            raise CorruptIndexError(f"index at {self.directory} is corrupt: {exc}; rebuild it") from exc
        n = int(self.manifest["chunk_count"])
        if count != n or self.faiss.ntotal != n or self.keyword.n != n:
            raise CorruptIndexError(
                f"index at {self.directory} is corrupt: chunk counts disagree; rebuild it"
            )
        if self.faiss.d != int(self.manifest["embedder"]["dim"]):
            raise CorruptIndexError(
                f"index at {self.directory} is corrupt: vector dimension mismatch; rebuild it"
            )
        if hasattr(self.faiss, "hnsw"):
            self.faiss.hnsw.efSearch = HNSW_EF_SEARCH
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The index name from its manifest."""
        return str(self.manifest.get("name") or self.directory.name)

    @property
    def embedder_name(self) -> str:
        """Name of the embedder the index was built with."""
        return str(self.manifest["embedder"]["name"])

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self.manifest["embedder"]["dim"])

    def __len__(self) -> int:
        return int(self.manifest["chunk_count"])

    def dense(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top ``k`` chunks by inner product with a normalised query vector."""
        if not len(self):
            return []
        q = np.ascontiguousarray(query_vec.reshape(1, -1), dtype=np.float32)
        scores, ids = self.faiss.search(q, min(k, len(self)))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def lookup(self, symbol: str) -> list[tuple[int, bool]]:
        """Chunks that define (True) or mention (False) a symbol, case-insensitively."""
        with self._lock:
            rows = self._db.execute(
                "SELECT chunk, defines FROM symbols WHERE key = ? ORDER BY defines DESC, chunk LIMIT 200",
                (symbol_key(symbol),),
            ).fetchall()
        return [(int(c), bool(d)) for c, d in rows]

    def chunks(self, ids: Sequence[int]) -> list[Chunk]:
        """The chunks with these ids, in the given order."""
        if not ids:
            return []
        with self._lock:
            rows = self._db.execute(
                f"SELECT * FROM chunks WHERE id IN ({','.join('?' * len(ids))})", [int(i) for i in ids]
            ).fetchall()
        by_id = {r[0]: _row_chunk(r) for r in rows}
        return [by_id[i] for i in ids if i in by_id]

    def all_chunks(self) -> list[Chunk]:
        """Every chunk in id order."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM chunks ORDER BY id").fetchall()
        return [_row_chunk(r) for r in rows]

    def kind_counts(self) -> list[tuple[str, str, int]]:
        """``(kind, language, chunk count)`` rows, for ``hpclsp index info``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT kind, language, COUNT(*) FROM chunks GROUP BY kind, language"
            ).fetchall()
        return [(str(k), str(lang), int(n)) for k, lang, n in rows]

    def vectors(self, first: int, count: int) -> np.ndarray:
        """Stored vectors ``first .. first+count-1`` (for incremental rebuilds)."""
        if count == 0:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self.faiss.reconstruct_n(first, count), dtype=np.float32)

    def close(self) -> None:
        """Release the SQLite connection."""
        with self._lock:
            self._db.close()


def _row_chunk(r: Sequence[Any]) -> Chunk:
    return Chunk(
        source=r[1],
        title=r[2],
        kind=r[3],
        language=r[4],
        start_line=r[5],
        end_line=r[6],
        page=r[7],
        section=r[8],
        defines=json.loads(r[9]),
        symbols=json.loads(r[10]),
        meta=json.loads(r[11]),
        text=r[12],
    )


def load_index(directory: str | os.PathLike[str], verify: bool = True) -> Index:
    """Load and verify an index directory."""
    return Index(directory, verify=verify)
