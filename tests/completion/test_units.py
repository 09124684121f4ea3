"""Fast in-process checks of the completion/hover helpers: scope, context, the retrieval fallback
and robustness on bad input (no server needed)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hpclsp.analysis import languages
from hpclsp.analysis.findings import Pos
from hpclsp.completion import context as cx
from hpclsp.completion import scope
from hpclsp.completion.items import snippet_to_plain
from hpclsp.documents import Document
from hpclsp.handlers import hpc_completion, hpc_hover


def test_c_scope_innermost_first_and_before_cursor():
    src = b"int g;\nvoid f(double *p) {\n  int a;\n  { int inner; }\n  int b;\n  /*X*/\n  int after;\n}\n"
    tree = languages.parse("c", src)
    names = [v.name for v in scope.c_variables(tree, src, src.index(b"/*X*/"))]
    assert names == ["a", "b", "p", "g"]  # "inner" is in a closed block, "after" comes later
    p = next(v for v in scope.c_variables(tree, src, src.index(b"/*X*/")) if v.name == "p")
    assert p.type == "double" and p.is_array and p.kind == "parameter"


def test_fortran_scope_kind_parameters_and_hosts():
    lines = [
        "module m",
        "  integer, parameter :: wp = selected_real_kind(15)",
        "  real(wp) :: shared_val",
        "contains",
        "  subroutine s(a)",
        "    real(kind=wp), intent(in) :: a(:)",
        "    integer*8 big",
        "    ",
        "  end subroutine s",
        "end module m",
    ]
    found = {v.name: v for v in scope.fortran_variables(lines, Pos(7, 4))}
    assert found["a"].type == "real(kind=8)" and found["a"].kind == "dummy" and found["a"].is_array
    assert found["big"].type == "integer*8"
    assert found["shared_val"].kind == "host"


def test_call_context_counts_top_level_commas_and_skips_strings():
    call = cx.call_at(['  MPI_Send(f(a, b), "x,y", (int) n,', "           MPI_D"], Pos(1, 16))
    assert call is not None and call.name == "MPI_Send" and call.index == 3
    assert call.args == ["f(a, b)", '"x,y"', "(int) n"]
    assert cx.call_at(["x = 1; foo"], Pos(0, 10)) is None


def test_snippet_to_plain():
    assert snippet_to_plain("MPI_Wait(${1:&req}, ${2|a,b|})$0") == "MPI_Wait(&req, a)"


class FakeRetrieval:
    """A retrieval service double: records calls, returns canned hits."""

    def __init__(
        self, ready: bool, hits: list[dict[str, Any]], symbol_hits: list[dict[str, Any]] | None = None
    ):
        self.ready = ready
        self.hits = hits
        self.symbol_hits = symbol_hits or []
        self.calls: list[str] = []

    def search(self, query: str, k: int) -> list[dict[str, Any]]:
        self.calls.append(f"search:{query}")
        return self.hits[:k]

    def lookup_symbol(self, name: str) -> list[dict[str, Any]]:
        self.calls.append(f"lookup:{name}")
        return [h for h in self.symbol_hits if name in h.get("defines", [])]


C = "int main(void) {\n  int i = 0;\n  halo_exchange(i);\n  stencil_apply(i);\n  return i;\n}\n"


def _hover(svc: FakeRetrieval | None, needle: str, line: int) -> str | None:
    ls = SimpleNamespace(retrieval=svc)
    doc = Document("file:///tmp/fallback.c", "c", 1, C)
    col = doc.line_text(line).index(needle) + 1
    return hpc_hover.provide(ls, doc, Pos(line, col))  # type: ignore[arg-type]


def test_hover_fallback_shows_site_definition_with_its_source():
    site = {"title": "halo_exchange", "text": "Exchanges ghost cells with both neighbours.", "source": "site/wiki.md",
            "kind": "doc", "defines": ["halo_exchange"]}  # fmt: skip
    svc = FakeRetrieval(True, [], [site])
    md = _hover(svc, "halo_exchange", 2)
    assert md is not None and "ghost cells" in md and "`site/wiki.md`" in md


def test_hover_fallback_needs_relevance_and_readiness():
    weak = {
        "title": "Jacobi",
        "text": "stencil_apply is mentioned here",
        "source": "a.md",
        "why": {"dense": [0, 0.31]},
    }
    strong = {"title": "Stencils", "text": "stencil_apply applies the 5-point operator.", "source": "b.md",
              "why": {"dense": [0, 0.8]}}  # fmt: skip
    assert _hover(FakeRetrieval(True, [weak]), "stencil_apply", 3) is None
    assert "5-point" in (_hover(FakeRetrieval(True, [strong]), "stencil_apply", 3) or "")
    not_ready = FakeRetrieval(False, [strong])
    assert _hover(not_ready, "stencil_apply", 3) is None and not_ready.calls == []
    assert _hover(None, "stencil_apply", 3) is None


def test_hover_fallback_never_queries_for_declared_or_short_names():
    strong = {"title": "main", "text": "main i", "source": "b.md", "why": {"dense": [0, 0.99]}}
    svc = FakeRetrieval(True, [strong])
    assert _hover(svc, "main", 0) is None
    assert _hover(svc, "i = 0", 1) is None
    assert svc.calls == []


_TEXT = st.text(
    alphabet=st.sampled_from(list("#pragma omp for(),:+!$&\n \t\\MPI_Send<>{}\"'abcxyz0123")), max_size=120
)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, lang=st.sampled_from(["c", "cpp", "cuda", "fortran"]), line=st.integers(0, 6),
       col=st.integers(0, 40))  # fmt: skip
def test_completion_and_hover_never_raise(text: str, lang: str, line: int, col: int):
    ext = {"c": "c", "cpp": "cpp", "cuda": "cu", "fortran": "f90"}[lang]
    doc = Document(f"file:///tmp/fuzz.{ext}", lang, 1, text)
    ls = SimpleNamespace(client_capabilities=None, retrieval=None)
    pos = doc.from_lsp_position(SimpleNamespace(line=line, character=col))  # type: ignore[arg-type]
    items = hpc_completion._Request(ls, doc, pos).run()  # type: ignore[arg-type]
    assert isinstance(items, list)
    hpc_hover.hover_markdown(ls, doc, pos)  # type: ignore[arg-type]
