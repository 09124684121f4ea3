"""A BM25 keyword index in plain numpy arrays (CSR postings), saved as ``.npz`` + a JSON vocabulary.

Dense search misses rare exact words (a flag name, an error code); BM25 catches them, and the
search fuses both. Identifiers are indexed whole and by their parts (``mpi_isend``, ``isend``).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

#: Version of how text becomes terms (``tokenize``); an index whose BM25 postings another version
#: wrote is stale (2: identifier parts are stemmed like words).
TERMS_VERSION = 2
K1 = 1.2
B = 0.75

_STOP = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were will "
    "with which when what how do does can i you we my me".split()
)
_TOKEN_RE = re.compile(r"[A-Za-z0-9_]+")


def stem(word: str) -> str:
    """A light English suffix stripper (processes -> process, reaches -> reach, waiting -> wait)."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("xes", "x"),
        ("ing", ""),
        ("ed", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def tokenize(text: str) -> list[str]:
    """Lower-case terms: words, identifiers and the parts of ``snake_case`` identifiers."""
    out: list[str] = []
    for raw in _TOKEN_RE.findall(text):
        w = raw.lower()
        if len(w) > 40:
            continue
        if "_" in w.strip("_"):
            out.append(w)
            out.extend(stem(p) for p in w.split("_") if len(p) > 1 and p not in _STOP)
        elif w not in _STOP and len(w) > 1:
            out.append(stem(w))
    return out


class KeywordIndex:
    """BM25 over a fixed list of documents."""

    def __init__(
        self, vocab: dict[str, int], indptr: np.ndarray, docs: np.ndarray, tfs: np.ndarray, doclen: np.ndarray
    ) -> None:
        self.vocab = vocab
        self.indptr = indptr
        self.docs = docs
        self.tfs = tfs
        self.doclen = doclen
        self.n = int(doclen.shape[0])
        self.avgdl = float(doclen.mean()) if self.n else 1.0

    @classmethod
    def build(cls, texts: Iterable[str]) -> KeywordIndex:
        """Index documents (their order is their id)."""
        vocab: dict[str, int] = {}
        rows: list[list[tuple[int, int]]] = []
        lens: list[int] = []
        for doc_id, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lens.append(sum(counts.values()))
            for term, tf in counts.items():
                tid = vocab.setdefault(term, len(vocab))
                if tid == len(rows):
                    rows.append([])
                rows[tid].append((doc_id, tf))
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        for tid, postings in enumerate(rows):
            indptr[tid + 1] = indptr[tid] + len(postings)
        docs = np.fromiter((d for r in rows for d, _ in r), dtype=np.int32, count=int(indptr[-1]))
        tfs = np.fromiter((t for r in rows for _, t in r), dtype=np.float32, count=int(indptr[-1]))
        return cls(vocab, indptr, docs, tfs, np.asarray(lens, dtype=np.float32))

    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """``(doc_ids, scores)`` of documents containing any query term (unsorted)."""
        terms = [t for t in dict.fromkeys(tokenize(query)) if t in self.vocab]
        if not terms or not self.n:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        acc = np.zeros(self.n, dtype=np.float32)
        norm = K1 * (1 - B + B * self.doclen / self.avgdl)
        for t in terms:
            tid = self.vocab[t]
            lo, hi = int(self.indptr[tid]), int(self.indptr[tid + 1])
            d = self.docs[lo:hi]
            tf = self.tfs[lo:hi]
            df = hi - lo
            idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
            acc[d] += idf * tf * (K1 + 1) / (tf + norm[d])
        ids = np.nonzero(acc)[0]
        return ids, acc[ids]

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(doc_id, score)`` pairs, best first."""
        ids, sc = self.scores(query)
        if not len(ids):
            return []
        if len(ids) > k:
            part = np.argpartition(-sc, k)[:k]
            ids, sc = ids[part], sc[part]
        order = np.argsort(-sc, kind="stable")
        return [(int(ids[i]), float(sc[i])) for i in order]

    def save(self, npz_path: Path, vocab_path: Path) -> None:
        """Write the arrays (``.npz``, no pickled objects) and the vocabulary (JSON list)."""
        with open(npz_path, "wb") as fh:
            np.savez(fh, indptr=self.indptr, docs=self.docs, tfs=self.tfs, doclen=self.doclen)
        terms = [""] * len(self.vocab)
        for t, i in self.vocab.items():
            terms[i] = t
        vocab_path.write_text(json.dumps(terms), encoding="utf-8")

    @classmethod
    def load(cls, npz_path: Path, vocab_path: Path) -> KeywordIndex:
        """Read what ``save`` wrote (``allow_pickle=False``)."""
        with np.load(npz_path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("indptr", "docs", "tfs", "doclen")}
        terms = json.loads(vocab_path.read_text(encoding="utf-8"))
        if not isinstance(terms, list) or len(terms) + 1 != len(arrays["indptr"]):
            raise ValueError("keyword vocabulary does not match its postings")
        return cls({t: i for i, t in enumerate(terms)}, **arrays)
