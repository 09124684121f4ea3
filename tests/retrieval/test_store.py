"""Store, builder and search: round trip, incremental rebuild, errors, index type, layered search.

Each store-logic test with the hashing embedder has a sibling with the real default embedder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from retrieval import store
from retrieval.builder import build_index, index_is_current
from retrieval.keyword import TERMS_VERSION
from retrieval.search import Layer, LayeredSearcher, Searcher
from retrieval.store import (
    CorruptIndexError,
    EmbedderMismatchError,
    NewerFormatError,
    load_index,
)


def _sources(root: Path) -> list[str]:
    return [str(root / "docs"), str(root / "corpus")]


@pytest.mark.parametrize("which", ["hashing", "real"])
def test_round_trip_and_exact_symbol_first(which: str, sources: Path, tmp_path: Path, request) -> None:
    emb = request.getfixturevalue(f"{which}_embedder")
    out = tmp_path / "idx"
    stats = build_index(_sources(sources), out, emb, name="site")
    assert stats.chunks == stats.chunks_embedded > 15 and stats.index_type == "flat"
    idx = load_index(out)
    m = idx.manifest
    assert m["format"] == store.FORMAT_VERSION and m["name"] == "site"
    assert m["embedder"] == {"name": emb.name, "dim": emb.dim} and m["chunk_count"] == len(idx)
    assert set(m["files"]) == set(store.FILES) and len(m["sources"]) == 10
    assert all(len(s["sha256"]) == 64 for s in m["sources"])
    s = Searcher(idx, emb)
    for sym, title in [
        ("MPI_Isend", "MPI_Isend"),
        ("MPI_ISEND", "MPI_Isend"),
        ("reduction", "reduction"),
        ("DEMO_Iexchange", "DEMO_Exchange(3)"),
    ]:
        hits = s.search(sym, k=3)
        assert hits[0].chunk.title.startswith(title), (sym, [h.chunk.title for h in hits])
    assert s.lookup_symbol("omp_get_thread_num")[0].chunk.title == "omp_get_thread_num"
    snippets = s.search("dot product", k=3, kinds=["snippet"])
    assert snippets and all(h.chunk.kind == "snippet" for h in snippets)
    assert snippets[0].chunk.title.startswith("dot product with an OpenMP reduction")


def test_real_embedder_natural_language(real_embedder, sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(_sources(sources), out, real_embedder)
    s = Searcher(load_index(out), real_embedder)
    cases = {
        "how long until files in scratch are deleted": "Scratch storage",
        "why would a job on the GPU get stuck": "Why does my GPU job hang?",
        "bind threads to cores for hybrid runs": "Thread pinning",
        "sum a value over every rank so all ranks get it": "MPI_Allreduce",
    }
    for query, title in cases.items():
        hits = s.search(query, k=3)
        assert hits[0].chunk.title == title, (query, [h.chunk.title for h in hits])
    vec = real_embedder.encode_query("hello")
    assert vec.shape == (384,) and abs(float(np.linalg.norm(vec)) - 1.0) < 1e-4


@pytest.mark.parametrize("which", ["hashing", "real"])
def test_incremental_rebuild_reembeds_only_changed(
    which: str, sources: Path, tmp_path: Path, request
) -> None:
    emb = request.getfixturevalue(f"{which}_embedder")
    out = tmp_path / "idx"
    first = build_index(_sources(sources), out, emb)
    old = load_index(out)
    old_vecs = {c.title: v for c, v in zip(old.all_chunks(), old.vectors(0, len(old)))}
    old.close()
    md = sources / "docs" / "cluster.md"
    md.write_text(md.read_text() + "\nA new paragraph about GPU partitions.\n")
    second = build_index(_sources(sources), out, emb)
    assert second.sources_reused == first.sources - 1 and second.sources_chunked == 1
    assert second.embedded_sources == [str(md.resolve())]
    assert second.chunks_embedded == 4 and second.chunks == first.chunks
    new = load_index(out)
    for c, v in zip(new.all_chunks(), new.vectors(0, len(new))):
        if c.source != str(md.resolve()):
            assert np.array_equal(v, old_vecs[c.title])
    assert any("GPU partitions" in c.text for c in new.all_chunks())
    # Nothing changed: nothing re-embedded; a removed file disappears.
    third = build_index(_sources(sources), out, emb)
    assert third.chunks_embedded == 0 and third.sources_reused == first.sources
    (sources / "docs" / "notes.txt").unlink()
    fourth = build_index(_sources(sources), out, emb)
    assert fourth.chunks_embedded == 0 and fourth.sources == first.sources - 1
    assert not any(c.source.endswith("notes.txt") for c in load_index(out).all_chunks())


def test_corrupt_and_checksum_and_newer_format(hashing_embedder, sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(_sources(sources), out, hashing_embedder)
    load_index(out)
    # checksum mismatch: one flipped byte in the vectors
    vec = out / "vectors.faiss"
    data = bytearray(vec.read_bytes())
    data[-5] ^= 0xFF
    vec.write_bytes(bytes(data))
    with pytest.raises(CorruptIndexError, match="checksum of vectors.faiss"):
        load_index(out)
    # truncated file whose checksum was "fixed up": still refused, as corrupt
    vec.write_bytes(bytes(data[:100]))
    m = json.loads((out / "manifest.json").read_text())
    m["files"]["vectors.faiss"] = store.sha256_file(vec)
    (out / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(CorruptIndexError):
        load_index(out)
    # a manifest that is not JSON
    (out / "manifest.json").write_text("{not json")
    with pytest.raises(CorruptIndexError, match="unreadable"):
        load_index(out)
    # newer format
    m["format"] = store.FORMAT_VERSION + 1
    (out / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(NewerFormatError, match="newer"):
        load_index(out)
    # a missing file
    build_index(_sources(sources), out, hashing_embedder, force=True)
    (out / "keyword.npz").unlink()
    with pytest.raises(CorruptIndexError, match="keyword.npz is missing"):
        load_index(out)
    # a corrupt old index does not block a rebuild
    stats = build_index(_sources(sources), out, hashing_embedder)
    assert stats.sources_reused == 0 and load_index(out)


@pytest.mark.parametrize("which", ["hashing", "real"])
def test_embedder_mismatch(which: str, sources: Path, tmp_path: Path, request) -> None:
    from retrieval.embedder import HashingEmbedder

    emb = request.getfixturevalue(f"{which}_embedder")
    other = HashingEmbedder(32, name="hashing-32")
    out = tmp_path / "idx"
    build_index(_sources(sources), out, emb)
    idx = load_index(out)
    with pytest.raises(EmbedderMismatchError, match="was built with embedder"):
        Searcher(idx, other)
    with pytest.raises(EmbedderMismatchError, match="--force"):
        build_index(_sources(sources), out, other)
    stats = build_index(_sources(sources), out, other, force=True)
    assert stats.chunks_embedded == stats.chunks and load_index(out).embedder_name == "hashing-32"


def test_hnsw_above_threshold(hashing_embedder, sources: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store, "HNSW_THRESHOLD", 5)
    out = tmp_path / "idx"
    stats = build_index(_sources(sources), out, hashing_embedder)
    assert stats.index_type == "hnsw"
    idx = load_index(out)
    assert hasattr(idx.faiss, "hnsw") and idx.manifest["faiss"] == "hnsw"
    assert Searcher(idx, hashing_embedder).search("MPI_Barrier", 1)[0].chunk.title == "MPI_Barrier"
    # reused vectors come back out of an HNSW index too
    again = build_index(_sources(sources), out, hashing_embedder)
    assert again.chunks_embedded == 0


def test_layered_search_weights(real_embedder, sources: Path, tmp_path: Path) -> None:
    builtin = tmp_path / "builtin"
    site = tmp_path / "site"
    build_index([str(sources / "corpus")], builtin, real_embedder, name="builtin")
    build_index([str(sources / "docs")], site, real_embedder, name="site")
    b = Searcher(load_index(builtin), real_embedder, layer="builtin")
    s = Searcher(load_index(site), real_embedder, layer="site")
    q = "MPI_Init_thread"  # defined on the site page only
    hits = LayeredSearcher([Layer(b, 1.0), Layer(s, 1.0)]).search(q, 3)
    assert hits[0].layer == "site" and hits[0].chunk.title == "MPI_Init_thread"
    q2 = "nonblocking send request"
    even = LayeredSearcher([Layer(b, 1.0), Layer(s, 1.0)]).search(q2, 4)
    assert even[0].layer == "builtin"
    muted = LayeredSearcher([Layer(b, 0.01), Layer(s, 1.0)]).search(q2, 4)
    assert muted[0].layer == "site"
    assert LayeredSearcher([Layer(b), Layer(s)]).lookup_symbol("MPI_Isend")[0].chunk.title == "MPI_Isend"


def test_index_is_current(hashing_embedder, sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "idx"
    assert not index_is_current(out)
    build_index(_sources(sources), out, hashing_embedder)
    assert index_is_current(out, sources=_sources(sources))
    (sources / "docs" / "notes.txt").write_text("changed\n")
    assert index_is_current(out) and not index_is_current(out, sources=_sources(sources))


def test_index_with_older_keyword_terms_is_stale(hashing_embedder, sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(_sources(sources), out, hashing_embedder)
    manifest_path = out / store.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    assert manifest["keyword_terms"] == TERMS_VERSION
    del manifest["keyword_terms"]  # as written before the version was recorded
    manifest_path.write_text(json.dumps(manifest))
    assert not index_is_current(out, sources=_sources(sources))
    stats = build_index(_sources(sources), out, hashing_embedder)
    assert stats.chunks_embedded == 0  # the rebuild reuses every vector
    assert index_is_current(out, sources=_sources(sources))


def test_vectors_cut_at_another_length_are_not_reused(real_embedder, sources: Path, tmp_path: Path) -> None:
    """An index whose documents were cut at another token count (or at an unrecorded one, as before
    the count was stored) is stale, and its rebuild embeds every chunk again."""
    from retrieval.onnx_embedder import MAX_TOKENS

    out = tmp_path / "idx"
    build_index(_sources(sources), out, real_embedder)
    assert real_embedder.max_tokens == MAX_TOKENS
    assert index_is_current(out, real_embedder.name, _sources(sources), real_embedder.max_tokens)
    manifest_path = out / store.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    assert manifest["doc_tokens"] == MAX_TOKENS
    for old in (128, None):
        if old is None:
            del manifest["doc_tokens"]
        else:
            manifest["doc_tokens"] = old
        manifest_path.write_text(json.dumps(manifest))
        assert not index_is_current(out, real_embedder.name, _sources(sources), real_embedder.max_tokens)
        assert index_is_current(out, real_embedder.name, _sources(sources))  # the check is opt-in
        stats = build_index(_sources(sources), out, real_embedder)
        assert stats.chunks_embedded == stats.chunks > 0
        assert index_is_current(out, real_embedder.name, _sources(sources), real_embedder.max_tokens)
        manifest = json.loads(manifest_path.read_text())


def test_no_pickle_files(hashing_embedder, sources: Path, tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(_sources(sources), out, hashing_embedder)
    names = sorted(os.listdir(out))
    assert names == sorted([*store.FILES, "manifest.json"])
    with np.load(out / "keyword.npz", allow_pickle=False) as z:
        assert set(z.files) == {"indptr", "docs", "tfs", "doclen"}
