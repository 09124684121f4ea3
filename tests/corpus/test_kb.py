"""Lookups and hover rendering of ``hpclsp.kb``."""

from __future__ import annotations

from hpclsp import kb


def test_directive_lookup_by_name_and_fortran_alias(corpus: kb.KnowledgeBase) -> None:
    pf = corpus.card("parallel for", "openmp")
    assert pf is not None and pf.kind == "directive"
    assert corpus.card("parallel do", "openmp") is pf
    assert corpus.card("END PARALLEL DO", "openmp") is pf
    assert corpus.card("Parallel   For") is pf


def test_name_shared_by_directive_and_clause(corpus: kb.KnowledgeBase) -> None:
    kinds = {c.kind for c in corpus.find("ordered", "openmp")}
    assert kinds == {"directive", "clause"}
    clause = corpus.card("ordered", "openmp", kind="clause")
    assert clause is not None and clause.kind == "clause"
    assert corpus.card("simd", "openmp", kind="directive").kind == "directive"


def test_c_symbols_are_case_sensitive(corpus: kb.KnowledgeBase) -> None:
    assert corpus.card("cudaMalloc") is not None
    assert corpus.card("cudamalloc") is None
    assert corpus.card("CUDAMALLOC", "cuda") is None
    assert corpus.card("__syncthreads", "cuda").kind == "intrinsic"


def test_openmp_routines_match_fortran_spellings(corpus: kb.KnowledgeBase) -> None:
    c = corpus.card("omp_get_thread_num")
    assert c is not None and c.kind == "routine"
    assert corpus.card("OMP_GET_THREAD_NUM") is c
    assert corpus.card("omp_get_wtime", "cuda") is None


def test_env_variables(corpus: kb.KnowledgeBase) -> None:
    for name in ("OMP_NUM_THREADS", "OMP_SCHEDULE", "OMP_PROC_BIND", "OMP_PLACES", "OMP_TARGET_OFFLOAD"):
        c = corpus.card(name, "openmp")
        assert c is not None and c.kind == "env", name


def test_by_family_and_kind(corpus: kb.KnowledgeBase) -> None:
    directives = corpus.by_family("openmp", "directive")
    assert directives and all(c.family == "openmp" and c.kind == "directive" for c in directives)
    assert len(corpus.by_family("cuda")) >= 120
    assert corpus.by_family("fortran-77") == []


def test_unknown_names_give_nothing(corpus: kb.KnowledgeBase) -> None:
    assert corpus.card("") is None
    assert corpus.card("parallel forr") is None
    assert corpus.find("no_such_thing") == []


def test_render_markdown_has_every_part(corpus: kb.KnowledgeBase) -> None:
    card = corpus.card("reduction", "openmp", "clause")
    md = kb.render_markdown(card, "c")
    assert md.startswith("**reduction**")
    assert "```c\nreduction(" in md
    assert card.summary in md and card.semantics in md
    assert "**Parameters**" in md and "reduction-identifier" in md
    assert "**Pitfalls**" in md and "**Related:**" in md
    assert "built-in card" in md and card.id in md


def test_render_markdown_picks_language(corpus: kb.KnowledgeBase) -> None:
    card = corpus.card("parallel for", "openmp")
    fortran = kb.render_markdown(card, "fortran")
    assert "```fortran\n!$omp parallel do" in fortran and fortran.startswith("**parallel do**")
    c = kb.render_markdown(card, "cpp")
    assert "#pragma omp parallel for" in c
    cuda_card = corpus.card("cudaMemcpy")
    assert "```cuda\n" in kb.render_markdown(cuda_card, "c")
    routine = corpus.card("omp_get_wtime")
    assert "```fortran" in kb.render_markdown(routine, "fortran")


def test_completion_text(corpus: kb.KnowledgeBase) -> None:
    assert "${1" in corpus.card("reduction", "openmp", "clause").completion_text("c")
    assert corpus.card("cudaMalloc").completion_text("cuda").startswith("cudaMalloc(")
    assert corpus.card("parallel for", "openmp").completion_text("fortran") == "parallel do"


def test_module_level_api_uses_the_shipped_corpus() -> None:
    assert kb.card("parallel", "openmp") is not None
    assert kb.get() is kb.get()
    assert any(s.family == "openmp" for s in kb.snippets())
    snippet = next(s for s in kb.snippets() if s.language == "fortran" and s.family == "openmp")
    assert "!$omp" in snippet.text().lower()


def test_snippet_header_parsing() -> None:
    text = "/*\n * title: Tiled matrix multiply\n * tags: cuda, shared-memory matmul\n */\nint x;\n"
    assert kb.parse_snippet_header(text) == ("Tiled matrix multiply", ["cuda", "shared-memory", "matmul"])
    fortran = "! title: Parallel do\n! tags: openmp do\nprogram p\nend program p\n! title: late\n"
    assert kb.parse_snippet_header(fortran) == ("Parallel do", ["openmp", "do"])
    assert kb.parse_snippet_header("int main(void) { return 0; }\n// title: too late\n") == (None, [])
