"""Search: exact-symbol lookup + dense (FAISS) + keyword (BM25), fused by reciprocal rank, over
one index (``Searcher``) or several layered indexes with per-layer weights (``LayeredSearcher``).

Fusion is by score, not by rank: each candidate scores ``max(cos, 0) + W_KEYWORD * bm25 / best_bm25``
(its dense cosine similarity plus its BM25 score relative to the best keyword match of the query).
Short documents (a man page, a card: at most ``SMALL_SOURCE`` chunks) are one unit of relevance
for keywords: every chunk of such a document gets the best keyword score among its chunks, so a
page whose opening matches the meaning and whose DESCRIPTION matches the words ranks as a whole
(long documents — a PDF manual, a big Markdown file — keep per-passage keyword scores).
Reciprocal-rank fusion throws away how far apart the dense similarities are — a page whose summary
is clearly the closest in meaning ranked below pages that were merely mid-list in both lists — so
the cosine is kept and keywords act as a bounded tie-breaker. A candidate found only by keywords
gets the lowest similarity of the dense pool (an upper bound of its real one). A chunk that
*defines* a symbol named in the query gets ``DEFINE_BOOST`` (larger than any fused score can
differ, so ``MPI_Isend`` finds its own page first), one that merely mentions it ``MENTION_BOOST``.
Identical passages (same source and text) are returned once.

Names are words too: API routines are named by abbreviated words (``MPI_Win_free``, ``cudaMemcpyAsync``),
so the best fused candidates get ``W_NAME`` times the share of a defined name's words that the
query spells (``free a window`` covers ``MPI_Win_free`` wholly, ``MPI_Win_create`` by half).
A name word may drop vowels of the query word (``recv``/``receive``), and MPI's ``I`` before
another routine's name (``MPI_Irecv``) is a word of its own meaning nonblocking.
``W_KEYWORD`` and ``W_NAME`` were tuned on ``tests/retrieval/data/questions/tuning.json`` (and the
older 52 questions); ``heldout.json`` was written before and never used to pick them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from retrieval.chunk import Chunk, is_api_symbol, symbol_key
from retrieval.embedder import Embedder
from retrieval.keyword import stem
from retrieval.store import Index, check_embedder

W_DENSE = 1.0
#: Weight of the max-normalised BM25 score (the best keyword match of a query gets this much).
W_KEYWORD = 0.3
#: More than any two fused scores can differ (cosine in [0, 1] plus at most ``W_KEYWORD``).
DEFINE_BOOST = 2.0
MENTION_BOOST = 0.02
#: Candidates taken from the dense list before fusion (and at least this many from the keyword list).
POOL = 60
#: Candidates taken from the keyword list (BM25 scoring is cheap; more keeps page-level evidence).
KEYWORD_POOL = 200
#: Documents with at most this many chunks pool their keyword evidence (see the module docstring).
SMALL_SOURCE = 8

_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Weight of the name match: the share of a defined routine's name words the query spells
#: (``free a window`` covers all of ``MPI_Win_free``, half of ``MPI_Win_create``).
W_NAME = 0.1
#: How many of the best fused candidates the name match re-ranks.
RERANK = 40
_NAME_PART_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_IMMEDIATE_RE = re.compile(r"(MPIX?)_I([a-z][A-Za-z0-9_]*)")


def name_parts(name: str) -> list[str]:
    """The words of an API name without its library prefix: ``MPI_Win_free`` -> ``win, free``."""
    parts = [p.lower() for chunk in name.split("_") for p in _NAME_PART_RE.findall(chunk)]
    return parts[1:] if len(parts) > 1 else parts


def query_words(query: str) -> set[str]:
    """The content words of a query, lower-cased (identifiers split into their parts too)."""
    out: set[str] = set()
    for w in _IDENT_RE.findall(query):
        for p in [w, *name_parts(w)] if "_" in w or not w.islower() else [w]:
            lw = p.lower()
            if len(lw) > 1 and lw not in _QUERY_STOP:
                out.add(lw)
    return out


_QUERY_STOP = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were will "
    "with which when what how do does can i you we my me all each every one".split()
)


#: Stands for the ``I`` (immediate) that MPI puts before a routine's name to make its
#: nonblocking variant (``MPI_Isend`` is ``MPI_Send`` that returns at once).
NONBLOCKING = "<nonblocking>"
_NONBLOCKING_WORDS = frozenset("nonblocking immediate immediately asynchronous asynchronously".split())


def _abbreviates(part: str, word: str) -> bool:
    """``part`` is the start of a longer word with some vowels dropped (``recv``/``receive``);
    a dropped consonant means another word (``send`` is not ``second``)."""
    if len(part) < 4 or len(word) <= len(part) or word[0] != part[0]:
        return False
    i = 0
    for ch in word:
        if i == len(part):
            break
        if ch == part[i]:
            i += 1
        elif ch not in "aeiou":
            return False
    return i == len(part)


def _part_matches(part: str, words: set[str]) -> bool:
    """A name word matches a query word spelled the same, or one it abbreviates (``win``/``window``)."""
    if part == NONBLOCKING:
        return bool(words & _NONBLOCKING_WORDS) or ("blocking" in words and bool(words & {"non", "without"}))
    if part in words:
        return True
    p = stem(part)
    for w in words:
        if stem(w) == p or (len(part) >= 3 and w.startswith(part)) or (len(w) >= 4 and part.startswith(w)):
            return True
        if _abbreviates(part, w):
            return True
    return False


def name_coverage(name: str, words: set[str], parts: Sequence[str] | None = None) -> float:
    """The share of ``name``'s words (prefix dropped, or ``parts`` when given) that the query
    words spell, in [0, 1]."""
    parts = name_parts(name) if parts is None else parts
    if not parts:
        return 0.0
    # A one-word name (``distribute``, ``MPI_Start``) is an ordinary word: a query that uses it
    # says less than one that spells two words of a name, so it counts half.
    return sum(1 for p in parts if _part_matches(p, words)) / max(len(parts), 2)


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
        # Chunk id -> its source's first chunk id (sources are stored as contiguous id ranges);
        # only sources small enough to count as one document get pooled keyword evidence.
        firsts, small = [], []
        for src in index.manifest.get("sources", []):
            firsts.append(int(src.get("first", 0)))
            small.append(0 < int(src.get("count", 0)) <= SMALL_SOURCE)
        self._src_first = np.asarray(firsts, dtype=np.int64)
        self._src_small = np.asarray(small, dtype=bool)
        #: Whether a name is defined in this index (for the MPI nonblocking prefix), memoised.
        self._defined: dict[str, bool] = {}

    def _doc_keys(self, cids: list[int]) -> list[int]:
        """The unit each chunk's keyword evidence is pooled over: its source when small, else itself."""
        ids = np.asarray(cids, dtype=np.int64)
        if not len(self._src_first) or not len(ids):
            return (-1 - ids).tolist()
        src = np.searchsorted(self._src_first, ids, side="right") - 1
        pooled = (src >= 0) & self._src_small[np.maximum(src, 0)]
        return np.where(pooled, src, -1 - ids).tolist()

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
        floor = self._add_dense(qv, pool, fused, why)
        self._add_keyword(query, pool, floor, fused, why)
        self._add_symbols(query, fused, why)
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        if W_NAME and ranked:
            ranked = self._name_rerank(query, ranked, fused, why)
        return self._hits(ranked, fused, why, k, kinds, max_per_source)

    def _add_dense(
        self, qv: Any, pool: int, fused: dict[int, float], why: dict[int, dict[str, Any]]
    ) -> float:
        """Score the ``pool`` nearest chunks by cosine; returns the lowest similarity kept (>= 0)."""
        dense = self.index.dense(qv, pool)
        floor = max(min((sim for _, sim in dense), default=0.0), 0.0)
        for rank, (cid, sim) in enumerate(dense):
            fused[cid] = W_DENSE * max(float(sim), 0.0)
            why.setdefault(cid, {})["dense"] = [rank, round(sim, 4)]
        return floor

    def _add_keyword(
        self, query: str, pool: int, floor: float, fused: dict[int, float], why: dict[int, dict[str, Any]]
    ) -> None:
        """Add the max-normalised BM25 evidence (pooled per small document) to every candidate.

        A keyword-only candidate starts at the dense floor: it is at most as close in meaning
        as the farthest dense candidate.
        """
        keyword = self.index.keyword.top(query, max(pool, KEYWORD_POOL))
        if not keyword:
            return
        best = keyword[0][1] if keyword[0][1] > 0 else 1.0
        for rank, (cid, sc) in enumerate(keyword):
            if cid not in fused:
                fused[cid] = W_DENSE * floor
            why.setdefault(cid, {})["keyword"] = [rank, round(sc, 3)]
        doc_kw: dict[int, float] = {}
        for key, (_, sc) in zip(self._doc_keys([cid for cid, _ in keyword]), keyword):
            if sc / best > doc_kw.get(key, 0.0):
                doc_kw[key] = sc / best
        cids = list(fused)
        for cid, key in zip(cids, self._doc_keys(cids)):
            fused[cid] += W_KEYWORD * doc_kw.get(key, 0.0)

    def _add_symbols(self, query: str, fused: dict[int, float], why: dict[int, dict[str, Any]]) -> None:
        """Boost chunks that define (or mention) a symbol the query names; the largest boost counts."""
        for sym in query_symbols(query):
            for cid, defines in self.index.lookup(sym):
                boost = DEFINE_BOOST if defines else MENTION_BOOST
                prev = why.setdefault(cid, {}).get("symbol_boost", 0.0)
                if boost > prev:
                    fused[cid] = fused.get(cid, 0.0) + boost - prev
                    why[cid]["symbol_boost"] = boost
                    why[cid]["symbol"] = sym

    def _hits(
        self,
        ranked: list[tuple[int, float]],
        fused: dict[int, float],
        why: dict[int, dict[str, Any]],
        k: int,
        kinds: Sequence[str] | None,
        max_per_source: int | None,
    ) -> list[Hit]:
        """The first ``k`` ranked chunks that pass the filters, each passage once."""
        hits: list[Hit] = []
        per_source: dict[str, int] = {}
        seen: set[tuple[str, int, str]] = set()
        # Fetch in slices so filters (kind, per-source cap) can look past the first k.
        for start in range(0, len(ranked), max(4 * k, 20)):
            ids = [cid for cid, _ in ranked[start : start + max(4 * k, 20)]]
            for cid, chunk in zip(ids, self.index.chunks(ids)):
                if kinds and chunk.kind not in kinds:
                    continue
                passage = (chunk.source, chunk.start_line, chunk.text)
                if passage in seen:
                    continue
                seen.add(passage)
                if max_per_source:
                    n = per_source.get(chunk.source, 0)
                    if n >= max_per_source:
                        continue
                    per_source[chunk.source] = n + 1
                hits.append(Hit(chunk, fused[cid], self.layer, cid, why.get(cid, {})))
                if len(hits) >= k:
                    return hits
        return hits

    def _name_rerank(
        self,
        query: str,
        ranked: list[tuple[int, float]],
        fused: dict[int, float],
        why: dict[int, dict[str, Any]],
    ) -> list[tuple[int, float]]:
        """Add ``W_NAME`` x the share of a defined name's words that the query spells (top of the list)."""
        words = query_words(query)
        if not words:
            return ranked
        head = [cid for cid, _ in ranked[:RERANK]]
        for cid, chunk in zip(head, self.index.chunks(head)):
            cover = max(
                (name_coverage(d, words, self._name_words(d)) for d in chunk.defines[:6]), default=0.0
            )
            if cover > 0:
                fused[cid] += W_NAME * cover
                why.setdefault(cid, {})["name"] = round(cover, 3)
        return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))

    def _name_words(self, name: str) -> list[str]:
        """The words of a defined name; an MPI ``I`` prefix before another routine's name is the
        nonblocking mark (``MPI_Irecv``: nonblocking + recv), not part of a word."""
        m = _IMMEDIATE_RE.fullmatch(name)
        if m:
            base = f"{m.group(1)}_{m.group(2)[0].upper()}{m.group(2)[1:]}"
            if base not in self._defined:
                self._defined[base] = any(defines for _, defines in self.index.lookup(base))
            if self._defined[base]:
                return [NONBLOCKING, *name_parts(base)]
        return name_parts(name)

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
