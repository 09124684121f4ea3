"""Chunkers per format: titles, positions, kinds, languages and API symbols."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from retrieval.chunk import extract_symbols, is_api_symbol
from retrieval.chunkers import chunk_file, chunk_pdf, chunk_source, detect_format, discover

DATA = Path(__file__).parent / "data"
DOCS = DATA / "docs"


def test_symbols_from_prose_and_pragmas() -> None:
    text = (
        "Post MPI_Irecv, then __syncthreads(); copy with cudaMemcpyAsync and ask omp_get_thread_num().\n"
        "#pragma omp parallel for reduction(+:s) schedule(static)\n"
        "!$OMP PARALLEL DO PRIVATE(j)\n"
        "export OMP_NUM_THREADS=4; the word reduction in prose is not a symbol."
    )
    syms = extract_symbols(text)
    for s in ("MPI_Irecv", "__syncthreads", "cudaMemcpyAsync", "omp_get_thread_num", "OMP_NUM_THREADS"):
        assert s in syms
    for s in ("parallel", "for", "reduction", "schedule", "static", "do", "private"):
        assert s in syms
    assert "prose" not in syms and "word" not in syms
    assert is_api_symbol("MPI_Isend") and is_api_symbol("cudaMalloc") and not is_api_symbol("malloc")


def test_markdown_by_heading_ignores_fenced_code() -> None:
    chunks = chunk_file(DOCS / "cluster.md")
    titles = [c.title for c in chunks]
    assert titles == ["Using the Aurora cluster", "Submitting jobs", "MPI_Init_thread", "Scratch storage"]
    jobs = chunks[1]
    assert "# not a heading" in jobs.text and jobs.start_line == 4
    assert chunks[2].defines == ["MPI_Init_thread"] and "MPI_THREAD_MULTIPLE" in chunks[2].symbols
    assert chunks[3].section == "Using the Aurora cluster > Scratch storage"  # setext heading
    assert all(c.kind == "doc" and c.language == "markdown" for c in chunks)


def test_rst_sections_with_levels() -> None:
    chunks = chunk_file(DOCS / "guide.rst")
    assert [c.title for c in chunks] == ["Thread pinning", "Large messages"]
    assert chunks[1].section == "Tuning guide > Network settings > Large messages"
    assert {"OMP_PROC_BIND", "OMP_PLACES"} <= set(chunks[0].symbols)


def test_html_structure_drops_scripts_and_nav() -> None:
    chunks = chunk_file(DOCS / "faq.html")
    assert [c.title for c in chunks] == [
        "Frequently asked questions",
        "Why does my GPU job hang?",
        "How many threads?",
    ]
    all_text = " ".join(c.text for c in chunks)
    assert "hidden" not in all_text and "menu home" not in all_text and "color:red" not in all_text
    assert "second & last" in all_text
    assert chunks[1].symbols == ["cudaMemcpyAsync", "cudaStreamSynchronize"]
    assert chunks[1].start_line == 4 and chunks[2].start_line == 7


def test_text_by_paragraph() -> None:
    chunks = chunk_file(DOCS / "notes.txt")
    assert len(chunks) == 1 and chunks[0].start_line == 0 and chunks[0].end_line == 5
    big = "\n\n".join(f"Paragraph {i} " + "word " * 60 for i in range(20))
    from retrieval.chunkers import chunk_text

    many = chunk_text(big, "big.txt")
    assert len(many) > 5 and all(len(c.text) < 2000 for c in many)
    assert many[1].start_line > many[0].end_line


def test_man_page_plain_and_gzipped(tmp_path: Path) -> None:
    plain = chunk_file(DOCS / "mpi_sendrecv_demo.3")
    gz = tmp_path / "mpi_sendrecv_demo.3.gz"
    gz.write_bytes(gzip.compress((DOCS / "mpi_sendrecv_demo.3").read_bytes()))
    zipped = chunk_file(gz)
    assert [c.text for c in plain] == [c.text for c in zipped]
    first = plain[0]
    assert first.title.startswith("DEMO_Exchange(3)")
    assert first.defines == ["DEMO_Exchange", "DEMO_Iexchange"]
    assert first.text.startswith("DEMO_Exchange, DEMO_Iexchange - Swap a buffer")
    assert "partner's buffer" in first.text and "\\f" not in first.text
    assert first.symbols[:2] == ["DEMO_Exchange", "DEMO_Iexchange"] and first.language == "man"
    assert [c.section for c in plain] == ["NAME", "SYNOPSIS", "DESCRIPTION / SEE ALSO"]
    assert "MPI_Sendrecv_replace" in plain[2].symbols and plain[2].defines == first.defines


def test_man_redirect_page_has_no_chunks(tmp_path: Path) -> None:
    p = tmp_path / "DEMO_Iexchange.3"
    p.write_text(".so man3/DEMO_Exchange.3\n")
    assert chunk_file(p) == []


def test_real_man_page_sections() -> None:
    page = next(iter(sorted(Path("/usr/share/man/man3").glob("MPI_Isend.*3*"))), None)
    assert page is not None, "openmpi-doc is not installed (scripts/setup.d installs it)"
    chunks = chunk_file(page)
    assert chunks[0].defines == ["MPI_Isend"]
    assert "nonblocking send" in chunks[0].text
    assert any(c.section == "DESCRIPTION" for c in chunks)
    assert all(c.start_line <= c.end_line for c in chunks)


def test_c_and_cuda_by_function() -> None:
    chunks = chunk_file(DOCS / "saxpy.cu")
    assert [c.section for c in chunks] == ["saxpy", "run"]
    assert (
        chunks[0].title == "saxpy kernel: saxpy"
        and chunks[0].kind == "snippet"
        and chunks[0].language == "cuda"
    )
    assert {"__global__", "threadIdx", "__syncthreads"} <= set(chunks[0].symbols)
    assert (chunks[0].start_line, chunks[0].end_line) == (1, 6)
    cpp = chunk_source(
        "namespace n { struct S { int g() { return 1; } }; }\nint f() { return 2; }\n", "a.cpp"
    )
    assert [c.section for c in cpp] == ["g", "f"]


def test_fortran_by_subroutine_and_function() -> None:
    chunks = chunk_file(DOCS / "stencil.f90")
    assert [c.section for c in chunks] == ["jacobi", "total", "main"]
    assert chunks[0].title == "Jacobi sweep in Fortran: jacobi"
    assert {"parallel", "do", "private"} <= set(chunks[0].symbols)
    assert chunks[0].meta["tags"] == ["openmp", "fortran"]


def test_source_without_functions_is_one_chunk() -> None:
    chunks = chunk_source("int x = 1;\n", "g.c")
    assert len(chunks) == 1 and chunks[0].text.strip() == "int x = 1;"


def _minimal_pdf(pages: list[list[str]]) -> bytes:
    """A small valid PDF whose pages show the given lines (Helvetica)."""
    objs: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        ops = ["BT /F1 12 Tf 72 740 Td 14 TL"]
        for ln in lines:
            ops.append(f"({ln}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode()
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objs.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_by_page_and_heading(tmp_path: Path) -> None:
    data = _minimal_pdf(
        [
            [
                "1 Introduction",
                "This guide explains how to run jobs.",
                "2 Hybrid jobs",
                "Call MPI_Init_thread first.",
            ],
            ["Set OMP_NUM_THREADS per rank.", "3 Storage", "Scratch is purged monthly."],
        ]
    )
    p = tmp_path / "guide.pdf"
    p.write_bytes(data)
    chunks = chunk_file(p)
    assert [(c.page, c.section) for c in chunks] == [
        (1, "1 Introduction"),
        (1, "2 Hybrid jobs"),
        (2, "2 Hybrid jobs"),
        (2, "3 Storage"),
    ]
    assert "MPI_Init_thread" in chunks[1].symbols and "OMP_NUM_THREADS" in chunks[2].symbols
    assert chunks[0].language == "pdf" and chunks[0].title == "1 Introduction (p. 1)"


def test_bad_input_never_raises(tmp_path: Path) -> None:
    assert chunk_pdf(b"%PDF-1.4 garbage", "x.pdf") == []
    junk = bytes(range(256)) * 50
    for name in ("a.md", "a.rst", "a.html", "a.txt", "a.3", "a.c", "a.f90"):
        p = tmp_path / name
        p.write_bytes(junk)
        assert isinstance(chunk_file(p), list)


def test_detect_and_discover(tmp_path: Path) -> None:
    assert detect_format("MPI_Isend.openmpi.3.gz") == "man"
    assert detect_format("x.F90") == "source" and detect_format("x.htm") == "html"
    assert detect_format("data.csv") is None
    shutil.copytree(DOCS, tmp_path / "docs")
    (tmp_path / "docs" / ".hidden.md").write_text("# secret\n")
    (tmp_path / "docs" / "table.csv").write_text("a,b\n")
    files = [p.name for p, _ in discover([str(tmp_path / "docs")])]
    assert ".hidden.md" not in files and "table.csv" not in files and "cluster.md" in files
    corpus = discover([str(DATA / "corpus")])
    assert all(is_corpus for _, is_corpus in corpus) and len(corpus) == 3
    with pytest.raises(FileNotFoundError):
        discover([str(tmp_path / "missing")])


def test_corpus_cards_one_chunk_each() -> None:
    chunks = chunk_file(DATA / "corpus" / "cards" / "mpi.json", corpus=True)
    assert [c.title for c in chunks] == ["MPI_Isend", "MPI_Allreduce", "MPI_Barrier"]
    isend = chunks[0]
    assert isend.defines == ["MPI_Isend", "MPI_ISEND"] and isend.meta["id"] == "mpi/MPI_Isend"
    assert "int MPI_Isend(" in isend.text and "Pitfalls" in isend.text and isend.language == "card"
    snip = chunk_file(DATA / "corpus" / "snippets" / "openmp" / "dot_reduction.c", corpus=True)
    assert [c.title for c in snip] == [
        "dot product with an OpenMP reduction: dot",
        "dot product with an OpenMP reduction: worker_id",
    ]
    assert "reduction" in snip[0].symbols and snip[0].meta["tags"] == ["openmp", "reduction", "parallel"]


_NESTED_FENCES = """# Writing job scripts

How to show a fenced block inside a fenced block:

````markdown
Here is a script:
```bash
# load modules first
module load openmpi
```
## still inside the outer fence
````

## Queues

Jobs go to the `short` queue by default.

~~~
# a tilde fence is code too
~~~

    # an indented code line is not a heading

## Arrays

Use `--array=1-10`.
"""


def test_markdown_four_backtick_fence_holding_a_three_backtick_line() -> None:
    from retrieval.chunkers.markup import _chunk_markdown_regex, chunk_markdown

    for chunker in (chunk_markdown, _chunk_markdown_regex):
        chunks = chunker(_NESTED_FENCES, "jobs.md")
        assert [c.title for c in chunks] == ["Writing job scripts", "Queues", "Arrays"], chunker
        first = chunks[0]
        assert "module load openmpi" in first.text and "## still inside the outer fence" in first.text
        assert first.start_line == 0 and first.end_line == 12
        queues = chunks[1]
        assert queues.start_line == 13 and queues.section == "Writing job scripts > Queues"
        assert "# a tilde fence is code too" in queues.text and "indented code line" in queues.text
        assert chunks[2].start_line == 23 and "--array=1-10" in chunks[2].text
