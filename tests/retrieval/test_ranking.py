"""Unit tests of the ranking helpers: keyword terms and name-word matching (no embedder)."""

from __future__ import annotations

from retrieval.keyword import KeywordIndex, stem, tokenize


def test_identifier_parts_are_stemmed_like_words() -> None:
    # ``MPI_Allreduce`` and the word ``allreduce`` must give the same term, or a query that
    # spells the operation never reaches the pages that only name it.
    assert stem("allreduce") in tokenize("MPI_Allreduce")
    assert tokenize("allreduce") == [stem("allreduce")]
    assert "mpi_file_writes" not in tokenize("MPI_File_write")
    assert stem("writes") in tokenize("MPI_File_writes")


def test_word_query_finds_page_naming_the_identifier() -> None:
    index = KeywordIndex.build(
        [
            "MPI_Allreduce combines values from all processes",
            "MPI_Bcast sends from the root",
            "unrelated text",
        ]
    )
    top = index.top("start an allreduce", 3)
    assert top and top[0][0] == 0


def test_name_words_read_abbreviations_and_the_nonblocking_prefix(tmp_path) -> None:
    from retrieval.chunk import Chunk
    from retrieval.embedder import HashingEmbedder
    from retrieval.search import NONBLOCKING, Searcher, name_coverage, query_words
    from retrieval.store import load_index, write_index

    emb = HashingEmbedder(64)
    names = ["MPI_Recv", "MPI_Irecv", "MPI_Info_get", "MPI_Init"]
    chunks = [Chunk(text=f"{n} page", title=n, source=f"/{n}.3", defines=[n]) for n in names]
    records = [{"path": c.source, "sha256": "0", "first": i, "count": 1} for i, c in enumerate(chunks)]
    write_index(tmp_path / "idx", chunks, emb.encode([c.text for c in chunks]), records, emb.name, emb.dim)
    searcher = Searcher(load_index(tmp_path / "idx"), emb)
    # ``I`` before a routine that exists is MPI's nonblocking mark; ``Info`` and ``Init`` are words.
    assert searcher._name_words("MPI_Irecv") == [NONBLOCKING, "recv"]
    assert searcher._name_words("MPI_Info_get") == ["info", "get"]
    assert searcher._name_words("MPI_Init") == ["init"]
    words = query_words("start a nonblocking receive")
    irecv = name_coverage("MPI_Irecv", words, searcher._name_words("MPI_Irecv"))
    recv = name_coverage("MPI_Recv", words, searcher._name_words("MPI_Recv"))
    assert irecv == 1.0 and recv == 0.5  # recv abbreviates receive; one-word names count half
    blocking = name_coverage("MPI_Irecv", query_words("receive a message"), searcher._name_words("MPI_Irecv"))
    assert blocking == 0.5  # the nonblocking word is not in the query
    # Only vowels may be dropped (a dropped consonant makes another word): ``send`` is not ``second``.
    assert name_coverage("MPI_Send", query_words("the second rank")) == 0.0
