"""Retrieval quality on real documents no one here wrote: Debian's Open MPI man pages (openmpi-doc).

The index is built once per module from every ``MPI_*`` page in ``/usr/share/man/man3`` with the
real default embedder. To keep the test within a couple of minutes on 2 shared cores only the
sections a reader needs to recognise a routine are kept: the page's opening (NAME and syntax)
and its DESCRIPTION. Three question sets: the older 52 below, the tuning set and the held-out set
in ``data/questions`` (the held-out one was written before the ranking was tuned and never used
to tune it). Every routine name must rank its own page first.

The older 52 reached 0.904 when the keyword weight was picked on that same set (torch); with
the weights picked on the tuning sets it measures 46/52 = 0.885 here (ONNX int8 path; 0.865 with
torch before the keyword fix), short of 0.9: the six misses are oblique phrasings whose page the
small embedder places below its siblings (``MPI_Wait`` under ``MPI_Waitany``/``MPI_Waitall``,
``MPI_Scatter`` under ``MPI_Gather``). ``bench/retrieval.py`` measures the full pages.
"""

from __future__ import annotations

import gzip
import re
import time
from pathlib import Path

import pytest

from retrieval.builder import build_index
from retrieval.chunk import Chunk
from retrieval.search import Searcher
from retrieval.store import load_index

MAN3 = Path("/usr/share/man/man3")

#: Query -> acceptable routines (a page "answers" when it defines one of them).
QUERIES: dict[str, tuple[str, ...]] = {
    "start a nonblocking receive": ("MPI_Irecv",),
    "combine values from all processes and distribute the result": ("MPI_Allreduce",),
    "wait until every request in a list has completed": ("MPI_Waitall",),
    "wait for any one of several requests to complete": ("MPI_Waitany",),
    "send the same data from one root process to all others in the group": ("MPI_Bcast",),
    "collect a piece of data from every process onto the root": ("MPI_Gather",),
    "every process exchanges separate blocks of data with every other process": ("MPI_Alltoall",),
    "gather data from all tasks and give the combined data to all of them": ("MPI_Allgather",),
    "reduce values from every process to a single result on the root": ("MPI_Reduce",),
    "which number does the calling process have in the communicator": ("MPI_Comm_rank",),
    "set up the MPI execution environment at program start": ("MPI_Init", "MPI_Init_thread"),
    "shut down MPI before the program exits": ("MPI_Finalize",),
    "initialize MPI asking for a level of thread support": ("MPI_Init_thread",),
    "kill all processes of the job after a fatal error": ("MPI_Abort",),
    "read the wall clock time in seconds": ("MPI_Wtime",),
    "divide a communicator into subgroups by color and key": ("MPI_Comm_split",),
    "make a copy of a communicator with the same group": ("MPI_Comm_dup",),
    "release a communicator that is no longer needed": ("MPI_Comm_free", "MPI_Comm_disconnect"),
    "build a communicator with a cartesian grid topology": ("MPI_Cart_create",),
    "find the source and destination neighbours for a shift along one grid dimension": ("MPI_Cart_shift",),
    "send a message and receive another one in a single call": ("MPI_Sendrecv", "MPI_Sendrecv_replace"),
    "block until a matching message arrives without receiving it": ("MPI_Probe", "MPI_Mprobe"),
    "how many elements did a receive actually get": ("MPI_Get_count", "MPI_Get_elements"),
    "datatype made of several copies of an existing type placed next to each other": ("MPI_Type_contiguous",),
    "a derived datatype must be committed before it is used in communication": ("MPI_Type_commit",),
    "datatype for equally spaced blocks of elements with a stride": (
        "MPI_Type_vector",
        "MPI_Type_create_hvector",
    ),
    "expose a region of local memory for one-sided access": ("MPI_Win_create", "MPI_Win_allocate"),
    "fetch data from a remote window without the target taking part": ("MPI_Get", "MPI_Rget"),
    "fence to separate epochs of one-sided communication": ("MPI_Win_fence",),
    "open a file collectively for parallel I/O": ("MPI_File_open",),
    "write into a file at an explicit offset": ("MPI_File_write_at", "MPI_File_iwrite_at"),
    "provide a user buffer for buffered mode sends": ("MPI_Buffer_attach",),
    "inclusive prefix reduction over the ranks of a communicator": ("MPI_Scan",),
    "gather a different amount of data from each process to the root": ("MPI_Gatherv",),
    "create a persistent request for a standard-mode send": ("MPI_Send_init",),
    "get the name of the host the process runs on": ("MPI_Get_processor_name",),
    "cancel a pending communication request": ("MPI_Cancel",),
    "allocate memory suitable for remote memory access": ("MPI_Alloc_mem", "MPI_Win_allocate"),
    "receive a message, blocking until it has arrived": ("MPI_Recv",),
    "send a message and return when the buffer can be reused": ("MPI_Send",),
    "start every persistent request in an array": ("MPI_Startall",),
    "reduce values from all processes and scatter the result blocks": (
        "MPI_Reduce_scatter",
        "MPI_Reduce_scatter_block",
    ),
    "pack data into a contiguous buffer before sending it": ("MPI_Pack",),
    "get the group of processes behind a communicator": ("MPI_Comm_group",),
    "attach an error handler to a communicator": ("MPI_Comm_set_errhandler", "MPI_Comm_create_errhandler"),
    "add data into a remote window with a reduction operation": ("MPI_Accumulate", "MPI_Raccumulate"),
    # Oblique phrasings: the default embedder (MiniLM) tends to confuse them with sibling routines.
    "block until one particular request has finished": ("MPI_Wait",),
    "check without blocking whether a nonblocking operation is done": ("MPI_Test",),
    "hand out distinct parts of an array from the root to each process": ("MPI_Scatter",),
    "how many processes belong to a communicator": ("MPI_Comm_size",),
    "write data into the memory of a remote process with one-sided communication": ("MPI_Put", "MPI_Rput"),
    "make all processes wait until everyone reaches the same point": ("MPI_Barrier",),
}


def _keep(chunk: Chunk) -> bool:
    """The page opening (NAME + syntax) and the DESCRIPTION section."""
    return "NAME" in chunk.section.split(" / ") or chunk.section.startswith("DESCRIPTION")


def _is_redirect(path: Path) -> bool:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.lstrip().startswith(b".so")


@pytest.fixture(scope="module")
def man_index(real_embedder, tmp_path_factory):
    pages = sorted(MAN3.glob("MPI_*.3*"))
    assert len(pages) > 300, "Debian openmpi-doc is not installed (scripts/setup.d/10-system.sh installs it)"
    out = tmp_path_factory.mktemp("man") / "idx"
    t0 = time.monotonic()
    stats = build_index([str(p) for p in pages], out, real_embedder, name="openmpi", chunk_filter=_keep)
    print(
        f"\nopenmpi-doc: {stats.chunks} chunks from {stats.sources} pages in {time.monotonic() - t0:.1f}s "
        f"({stats.rate:.0f} chunks/s embedding)"
    )
    index = load_index(out)
    return Searcher(index, real_embedder), [p for p in pages if not _is_redirect(p)]


def _answers(chunk: Chunk, names: tuple[str, ...]) -> bool:
    return any(n in chunk.defines for n in names)


def test_natural_language_recall_at_5(man_index) -> None:
    searcher, _ = man_index
    assert len(QUERIES) >= 52  # all questions, the oblique ones included
    misses = []
    for query, names in QUERIES.items():
        hits = searcher.search(query, k=5, max_per_source=1)
        if not any(_answers(h.chunk, names) for h in hits):
            misses.append((query, names, [h.chunk.defines[:2] for h in hits]))
    recall = 1 - len(misses) / len(QUERIES)
    print(f"\nrecall@5 = {recall:.3f} over {len(QUERIES)} queries; misses: {misses}")
    assert recall >= 0.85, misses


@pytest.mark.parametrize("name", ["heldout", "tuning"])
def test_question_set_recall_at_5(man_index, name: str) -> None:
    from retrieval.evaluate import load_questions, recall_at_k

    searcher, _ = man_index
    questions = load_questions(Path(__file__).parent / "data" / "questions" / f"{name}.json")
    assert len(questions) >= 60
    result = recall_at_k(searcher, questions, k=5, name=name)
    # Which held-out questions miss is not shown: no one is to tune on them.
    shown = "not shown" if name == "heldout" else result.misses
    print(f"\n{result}; misses: {shown}")
    assert result.value >= 0.9, shown


def test_every_routine_name_ranks_its_page_first(man_index) -> None:
    searcher, pages = man_index
    names: dict[str, Path] = {}
    for page in pages:
        stem = re.sub(r"\.(openmpi\.)?3.*$", "", page.name)
        names[stem] = page
    assert len(names) > 300
    wrong = []
    for name in names:
        hits = searcher.search(name, k=1)
        if not hits or name.lower() not in [d.lower() for d in hits[0].chunk.defines]:
            wrong.append((name, hits[0].chunk.title if hits else None))
    assert not wrong, wrong[:20]
    # names documented on another routine's page (a `.so` redirect) find that page
    top = searcher.search("MPI_Ibcast", k=1)[0].chunk
    assert "MPI_Bcast" in top.defines and "MPI_Ibcast" in top.defines
