"""Unit tests of the model plumbing that need no model: GGUF header, families, prompts,
stop policy, post-processing, cache, task loader."""

from __future__ import annotations

import struct

import pytest

from hpclsp.analysis import languages
from hpclsp.llm import cache, fim, gguf, postprocess, prompt, tasks


def _gguf_bytes(meta: dict[str, object], tokens: list[str]) -> bytes:
    def s(x: str) -> bytes:
        b = x.encode()
        return struct.pack("<Q", len(b)) + b

    out = b"GGUF" + struct.pack("<I", 3) + struct.pack("<Q", 0) + struct.pack("<Q", len(meta) + 1)
    for k, v in meta.items():
        out += s(k)
        if isinstance(v, str):
            out += struct.pack("<I", 8) + s(v)
        else:
            out += struct.pack("<I", 4) + struct.pack("<I", int(v))  # type: ignore[arg-type]
    out += (
        s("tokenizer.ggml.tokens")
        + struct.pack("<I", 9)
        + struct.pack("<I", 8)
        + struct.pack("<Q", len(tokens))
    )
    for t in tokens:
        out += s(t)
    return out


@pytest.mark.parametrize(
    ("tokens", "family"),
    [
        (["a", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|file_sep|>"], "qwen2.5-coder"),
        (["<fim_prefix>", "<fim_middle>", "<fim_suffix>"], "starcoder"),
        ([fim.DS_BEGIN, fim.DS_HOLE, fim.DS_END], "deepseek-coder"),
        (["\u2581<PRE>", "\u2581<MID>", "\u2581<SUF>"], "codellama"),
        (["[SUFFIX]", "[PREFIX]"], "codestral"),
        (["<bos>", "<eos>", "int"], "none"),
    ],
)
def test_family_from_gguf_vocabulary(tmp_path, tokens, family):
    p = tmp_path / "m.gguf"
    p.write_bytes(_gguf_bytes({"general.architecture": "llama", "general.name": "x", "ctx": 7}, tokens))
    info = gguf.read_info(str(p), with_tokens=True)
    assert info.architecture == "llama"
    assert info.metadata["ctx"] == 7
    assert info.tokens == tokens
    assert fim.detect_family(info.metadata, info.tokens).name == family


def test_not_a_gguf_is_rejected(tmp_path):
    p = tmp_path / "model.bin"
    p.write_bytes(b"PK\x03\x04 not a model")
    assert not gguf.is_gguf(str(p))
    with pytest.raises(gguf.GGUFError):
        gguf.read_info(str(p))
    trunc = tmp_path / "t.gguf"
    trunc.write_bytes(_gguf_bytes({"general.name": "abc"}, ["a"])[:30])
    with pytest.raises(gguf.GGUFError):
        gguf.read_info(str(trunc))


def test_family_from_remote_model_name():
    assert fim.family_from_name("Qwen2.5-Coder-1.5B-Instruct") == "qwen2.5-coder"
    assert fim.family_from_name("deepseek-coder-6.7b-base") == "deepseek-coder"
    assert fim.family_from_name("bigcode/starcoder2-3b") == "starcoder"
    assert fim.family_from_name("gemma-3-270m") is None


def test_templates_and_qwen_file_separators():
    snip = [fim.Snippet("MPI_Send", "int MPI_Send(...)", "card:mpi-send")]
    q = fim.FAMILIES["qwen2.5-coder"].render("P", "S", snip, path="a.c")
    assert q.startswith("<|repo_name|>")
    assert (
        "<|file_sep|>card:mpi-send\nint MPI_Send(...)\n<|file_sep|>a.c\n<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>"
        in q
    )
    assert fim.FAMILIES["codestral"].render("P", "S") == "[SUFFIX]S[PREFIX]P"
    assert fim.FAMILIES["starcoder"].render("P", "S") == "<fim_prefix>P<fim_suffix>S<fim_middle>"
    plain = fim.FAMILIES["none"].render("P", "S", snip, language="fortran")
    assert (
        plain.startswith("! Reference: MPI_Send") and plain.endswith("P") and "S" not in plain.split("\n")[-1]
    )


def _count(text: str) -> int:
    return len(text) // 4 + 1


def test_prompt_budget_truncates_segments_never_the_template():
    fam = fim.FAMILIES["starcoder"]
    prefix = "\n".join(f"int a{i} = {i};" for i in range(400)) + "\nint x = "
    suffix = ";\n" + "\n".join(f"int b{i} = {i};" for i in range(400))
    snips = [fim.Snippet(f"s{i}", "x" * 200, f"s{i}") for i in range(5)]
    p = prompt.build(fam, prefix, suffix, snips, _count, 300, language="c")
    assert p.tokens <= 300
    assert p.text.startswith("<fim_prefix>") and "<fim_suffix>" in p.text and p.text.endswith("<fim_middle>")
    assert p.prefix.endswith("int x = ")  # the cursor side of the prefix is kept
    assert p.suffix.startswith(";\nint b0 = 0;")  # the cursor side of the suffix is kept
    assert len(p.prefix) < len(prefix) and len(p.suffix) < len(suffix)
    # A small prompt is not truncated at all.
    small = prompt.build(fam, "int y = ", ";", [], _count, 300)
    assert small.prefix == "int y = " and small.suffix == ";"


def test_prefix_only_prompt_drops_suffix():
    p = prompt.build(fim.FAMILIES["none"], "abc", "SUFFIX", [], _count, 100)
    assert p.text == "abc" and p.suffix == ""


def _tree(lang: str, text: str):
    return languages.parse(lang, text.encode())


@pytest.mark.parametrize(
    ("lang", "text", "line", "col", "multi"),
    [
        ("c", "void f(int n) {\n    \n}\n", 1, 4, True),
        ("c", "void f(int n) {\n    int x = \n}\n", 1, 12, False),
        ("c", "void f(int n) {\n    g(a, );\n}\n", 1, 9, False),
        ("c", "#pragma omp parallel for \n", 0, 25, False),
        ("c", "void f(int n) {\n    for (int i = 0; i < n; i++) {\n", 1, 33, True),
        ("fortran", "program p\n  do i = 1, n\n", 1, 13, True),
        ("fortran", "program p\n  do \n", 1, 5, False),
        ("fortran", "program p\n  if (x > 0) then\n", 1, 17, True),
        ("fortran", "program p\n  !$omp parallel do \nend program\n", 1, 20, False),
        ("cuda", "__global__ void k(float *x) {\n    \n}\n", 1, 4, True),
    ],
)
def test_single_vs_multi_line(lang, text, line, col, multi):
    lines = text.split("\n")
    assert postprocess.decide_multiline(lines, lang, line, col, _tree(lang, text)) is multi


def test_stop_policy_single_line_and_directive_continuation():
    p = postprocess.StopPolicy("c", multiline=False)
    assert p.cut("a + b;\nint z;") == 6
    assert p.cut("a + b;") is None
    cont = postprocess.StopPolicy("c", multiline=False, line_prefix="#pragma omp parallel for ")
    assert cont.cut("private(i) \\\n  shared(x)\nint") == len("private(i) \\\n  shared(x)")


def test_stop_policy_end_of_enclosing_block():
    # The enclosing block is closed in the suffix: stop before the closer.
    p = postprocess.StopPolicy("c", multiline=True, suffix_closers=1)
    text = "    x += 1;\n    if (x) {\n        y();\n    }\n}\nint other(void) {"
    assert text[: p.cut(text)] == "    x += 1;\n    if (x) {\n        y();\n    }\n"
    # Not closed yet: include the closer and stop right after it.
    q = postprocess.StopPolicy("c", multiline=True, suffix_closers=0)
    assert text[: q.cut(text)].endswith("    }\n}")
    # Fortran: `end do` closes the loop the cursor is in.
    f = postprocess.StopPolicy("fortran", multiline=True, suffix_closers=1)
    ftext = "    s = s + x(i)\n  end do\n  print *, s\n"
    assert ftext[: f.cut(ftext)] == "    s = s + x(i)\n"


def test_stop_words_per_language():
    f = postprocess.StopPolicy("fortran", multiline=True, suffix_closers=0, max_lines=50)
    t = "  x = 1\ncontains\n  subroutine q()"
    assert t[: f.cut(t)] == "  x = 1"
    c = postprocess.StopPolicy("cuda", multiline=True, suffix_closers=0, max_lines=50)
    t2 = "  y = 2;\n__global__ void other() {"
    assert t2[: c.cut(t2)] == "  y = 2;"


def test_unmatched_closers():
    assert postprocess.unmatched_closers("}\n}\n", "c") == 2
    assert postprocess.unmatched_closers("{ }\n", "c") == 0
    assert postprocess.unmatched_closers('  puts("}");\n}\n', "c") == 1
    assert postprocess.unmatched_closers("  end do\nend program\n", "fortran") == 2


def test_finish_removes_suffix_duplicates_and_unbalanced_closers():
    assert postprocess.finish("i < n; i++)", "for (int i = 0; ", ")", ")", False) == "i < n; i++"
    assert postprocess.finish("a, b);", "f(", ");", ");", False) == "a, b"
    assert postprocess.finish("x[i] + 1;  \n", "y = ", "", "", False) == "x[i] + 1;"
    # A closer with no opener anywhere on the line is dropped.
    assert postprocess.finish("n))", "if (i < ", "", "\n", False) == "n)"
    # Whole lines repeating what follows the cursor are dropped.
    got = postprocess.finish("    s += x[i];\n    }\n  return s;", "", "", "\n    }\n  return s;\n}", True)
    assert got == "    s += x[i];"


def test_cache_exact_and_typing_along():
    c = cache.CompletionCache(capacity=2)
    c.put("int x = ", ";\n", "m", "foo(a, b)")
    assert c.get("int x = ", ";\n", "m") == "foo(a, b)"
    assert c.get("int x = fo", ";\n", "m") == "o(a, b)"
    assert c.get("int x = fx", ";\n", "m") is None
    assert c.get("int x = ", ";\n", "other-model") is None
    c.put("a", "b", "m", "1")
    c.put("c", "d", "m", "2")
    assert c.get("int x = ", ";\n", "m") is None  # evicted (LRU)


def test_task_set():
    ts = tasks.load()
    assert len(ts) == 60
    assert {t.language for t in ts} >= {"c", "cuda", "fortran", "cpp"}
    for t in ts:
        assert t.expected.strip()
        assert tasks.OPEN not in t.text
    assert tasks.exact_match("  a + b;\n", "a + b;")
    assert tasks.edit_similarity("abcd", "abce") == pytest.approx(0.75)
    assert tasks.levenshtein("kitten", "sitting") == 3


def test_retrieved_context_from_cards_is_deduplicated_against_the_window():
    from hpclsp.llm import context

    lines = [
        "void f(double *buf, int n) {",
        "    MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);",
        "    ",
    ]
    syms, _ = context.symbols_near(lines, 2)
    assert "MPI_Allreduce" in syms
    got = context.gather(lines, 2, "c", "\n".join(lines))
    assert any(s.source.startswith("card:") and "MPI_Allreduce" in s.title for s in got)
    # When the card's text is already in the prompt window it is not added again.
    window = "\n".join(lines) + "\n" + "\n".join(s.text for s in got)
    again = context.gather(lines, 2, "c", window)
    assert not {s.source for s in again} & {s.source for s in got}

    # A failing retrieval service degrades to the cards.
    def broken(query: str, k: int):
        raise RuntimeError("index not built")

    assert context.gather(lines, 2, "c", "\n".join(lines), searcher=broken) == got[:2]

    # Hits from the retrieval service are used when cards do not fill the slots.
    class Hit:
        text = "Use MPI_IN_PLACE as the send buffer to reduce in place."
        title = "In-place reductions"
        source = "snippets/mpi/inplace.c"

    more = context.gather(lines, 2, "c", "\n".join(lines), searcher=lambda q, k: [Hit()], k=5)
    assert any(s.source == "snippets/mpi/inplace.c" for s in more)


def test_fortran_directive_context():
    from hpclsp.llm import context

    lines = ["subroutine s(x, n)", "  !$omp parallel do reduction(+:t)", "  do i = 1, n", "    "]
    _, directives = context.symbols_near(lines, 3)
    assert directives[:2] == ["parallel do", "reduction"]


def test_signature_context_names_the_call_being_typed():
    from hpclsp.llm import context

    got = context.signature_context("    MPI_Allreduce(&local, &total, 1, ", "c")
    assert len(got) == 1 and "MPI_Allreduce" in got[0].text and "(" in got[0].text
    assert context.signature_context("    MPI_Allreduce(&a, &b, 1, MPI_INT, MPI_SUM, comm);", "c") == []
    assert context.signature_context("    total = local + ", "c") == []
    assert context.signature_context("    my_helper(", "c") == []


def test_completion_may_close_the_blocks_the_suffix_leaves_open():
    # Inside a do loop whose `end do` is not typed yet: the suffix closes only the subroutine.
    prefix = "subroutine fill(a, n)\n  do i = 1, n\n    a(i) = i\n  "
    suffix = "\nend subroutine fill\n"
    opened = postprocess.unmatched_openers(prefix, "fortran")
    closers = postprocess.unmatched_closers(suffix, "fortran")
    assert (opened, closers) == (2, 1)
    f = postprocess.StopPolicy("fortran", multiline=True, suffix_closers=closers, open_blocks=opened)
    text = "end do\nend subroutine fill\n"
    assert text[: f.cut(text)] == "end do"
    # C: the loop's brace is open and the suffix only closes the function.
    c_prefix = "void f(int n) {\n    for (int i = 0; i < n; i++) {\n        g(i);\n    "
    assert postprocess.unmatched_openers(c_prefix, "c") == 2
    c = postprocess.StopPolicy("c", multiline=True, suffix_closers=1, open_blocks=2)
    assert "}\n}\nint"[: c.cut("}\n}\nint")] == "}"


def test_single_line_completion_does_not_open_a_block_nothing_closes():
    # `for (...)` whose body is the next line and whose suffix closes only the function.
    assert (
        postprocess.finish("v.size(); ++i) {", "for (i = 0; i < ", "", "\n  s += v[i];\n}\n", False, 0)
        == "v.size(); ++i)"
    )
    # The user already typed the closing brace below: the `{` is kept.
    assert (
        postprocess.finish("n; i++) {", "for (i = 0; i < ", "", "\n  s += v[i];\n  }\n}\n", False, 1)
        == "n; i++) {"
    )
