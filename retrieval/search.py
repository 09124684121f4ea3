"""Search: exact-symbol lookup + dense (FAISS) + keyword (BM25), fused by reciprocal rank, over
one index (``Searcher``) or several layered indexes with per-layer weights (``LayeredSearcher``).

Fusion: each candidate scores ``w_dense/(K+rank_dense) + w_kw/(K+rank_kw)``; a chunk that
*defines* a symbol named in the query gets ``DEFINE_BOOST`` (larger than any rank term, so
``MPI_Isend`` finds its own page first), one that merely mentions it ``MENTION_BOOST``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from retrieval.chunk import Chunk, is_api_symbol, symbol_key
from retrieval.embedder import Embedder
from retrieval.store import Index, check_embedder

RRF_K = 60
W_DENSE = 1.0
W_KEYWORD = 0.7
DEFINE_BOOST = 0.05
MENTION_BOOST = 0.004
#: Candidates taken from each ranked list before fusion.
POOL = 60

_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclasses.dataclass
class Hit:
    """One search result."""

    chunk: Chunk
    score: float
    layer: str = ""
    chunk_id: int = -1
    #: How it was found: ranks in the dense/keyword lists and the matched symbol.
    why: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def text(self) -> str:
        """The chunk text (so consumers can treat hits like passages)."""
        return self.chunk.text

    @property
    def title(self) -> str:
        """The chunk title."""
        return self.chunk.title

    @property
    def source(self) -> str:
        """The chunk's source path."""
        return self.chunk.source

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (used by ``hpclsp index query --format json`` and askDocs)."""
        c = self.chunk
        meta = {k: v for k, v in c.meta.items() if k != "card"}
        return {
            "score": round(self.score, 6),
            "layer": self.layer,
            "title": c.title,
            "source": c.source,
            "kind": c.kind,
            "language": c.language,
            "start_line": c.start_line,
            "end_line": c.end_line,
            "page": c.page,
            "section": c.section,
            "defines": c.defines,
            "symbols": c.symbols[:20],
            "meta": meta,
            "text": c.text,
            "why": self.why,
        }


def query_symbols(query: str) -> list[str]:
    """Symbols a query names: API-looking identifiers, and the whole query when it is short."""
    out: dict[str, None] = {}
    q = query.strip()
    if q and len(q.split()) <= 3:
        out[q] = None
    for w in _IDENT_RE.findall(q):
        if is_api_symbol(w):
            out[w] = None
    return list(out)


class Searcher:
    """Fused search over one index with the embedder it was built with."""

    def __init__(self, index: Index, embedder: Embedder, layer: str = "") -> None:
        check_embedder(index.manifest, embedder.name, embedder.dim, where=str(index.directory))
        self.index = index
        self.embedder = embedder
        self.layer = layer or index.name

    def search(
        self,
        query: str,
        k: int = 5,
        kinds: Sequence[str] | None = None,
        max_per_source: int | None = None,
        query_vec: Any = None,
    ) -> list[Hit]:
        """The ``k`` best chunks for a query (natural language or a symbol)."""
        query = query.strip()
        if not query or not len(self.index):
            return []
        pool = max(POOL, 4 * k)
        qv = self.embedder.encode_query(query) if query_vec is None else query_vec
        fused: dict[int, float] = {}
        why: dict[int, dict[str, Any]] = {}
        for rank, (cid, sim) in enumerate(self.index.dense(qv, pool)):
            fused[cid] = fused.get(cid, 0.0) + W_DENSE / (RRF_K + rank)
            why.setdefault(cid, {})["dense"] = [rank, round(sim, 4)]
        for rank, (cid, sc) in enumerate(self.index.keyword.top(query, pool)):
            fused[cid] = fused.get(cid, 0.0) + W_KEYWORD / (RRF_K + rank)
            why.setdefault(cid, {})["keyword"] = [rank, round(sc, 3)]
        for sym in query_symbols(query):
            for cid, defines in self.index.lookup(sym):
                boost = DEFINE_BOOST if defines else MENTION_BOOST
                prev = why.setdefault(cid, {}).get("symbol_boost", 0.0)
                if boost > prev:
                    fused[cid] = fused.get(cid, 0.0) + boost - prev
                    why[cid]["symbol_boost"] = boost
                    why[cid]["symbol"] = sym
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        hits: list[Hit] = []
        per_source: dict[str, int] = {}
        # Fetch in slices so filters (kind, per-source cap) can look past the first k.
        for start in range(0, len(ranked), max(4 * k, 20)):
            ids = [cid for cid, _ in ranked[start : start + max(4 * k, 20)]]
            for cid, chunk in zip(ids, self.index.chunks(ids)):
                if kinds and chunk.kind not in kinds:
                    continue
                if max_per_source:
                    n = per_source.get(chunk.source, 0)
                    if n >= max_per_source:
                        continue
                    per_source[chunk.source] = n + 1
                hits.append(Hit(chunk, fused[cid], self.layer, cid, why.get(cid, {})))
                if len(hits) >= k:
                    return hits
        return hits

    def lookup_symbol(self, name: str, k: int = 5) -> list[Hit]:
        """Chunks that define ``name`` (cards and pages documenting it), best first; mentions after."""
        rows = self.index.lookup(name)
        if not rows:
            return []
        ids = [cid for cid, _ in rows[: max(k * 4, 20)]]
        defines = dict(rows)
        chunks = self.index.chunks(ids)
        hits = [
            Hit(
                c,
                (1.0 if defines[cid] else 0.1) + (0.05 if c.language == "card" else 0.0),
                self.layer,
                cid,
                {"symbol": name, "defines": defines[cid]},
            )
            for cid, c in zip(ids, chunks)
        ]
        # Prefer the definition whose title is the symbol itself (a card, a page's first section).
        key = symbol_key(name)
        hits.sort(
            key=lambda h: (
                -h.score,
                0 if symbol_key(h.chunk.title.split("(")[0].split(" ")[0]) == key else 1,
                h.chunk_id,
            )
        )
        return hits[:k]


@dataclasses.dataclass
class Layer:
    """One index in a layered search, with its weight (built-in < site < project, say)."""

    searcher: Searcher
    weight: float = 1.0


class LayeredSearcher:
    """Search several indexes and merge by weighted fused score."""

    def __init__(self, layers: Sequence[Layer]) -> None:
        self.layers = list(layers)

    def search(
        self,
        query: str,
        k: int = 5,
        kinds: Sequence[str] | None = None,
        max_per_source: int | None = None,
    ) -> list[Hit]:
        """The ``k`` best chunks across all layers."""
        vec_cache: dict[tuple[int, str], Any] = {}
        merged: list[Hit] = []
        for layer in self.layers:
            emb = layer.searcher.embedder
            key = (id(emb), query)
            if key not in vec_cache:
                vec_cache[key] = emb.encode_query(query.strip()) if query.strip() else None
            for h in layer.searcher.search(query, k, kinds, max_per_source, query_vec=vec_cache[key]):
                h.score *= layer.weight
                merged.append(h)
        merged.sort(key=lambda h: -h.score)
        return merged[:k]

    def lookup_symbol(self, name: str, k: int = 5) -> list[Hit]:
        """Definitions of a symbol across layers (weighted), best first."""
        merged: list[Hit] = []
        for layer in self.layers:
            for h in layer.searcher.lookup_symbol(name, k):
                h.score *= layer.weight
                merged.append(h)
        merged.sort(key=lambda h: -h.score)
        return merged[:k]
