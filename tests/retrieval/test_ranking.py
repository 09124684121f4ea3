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
