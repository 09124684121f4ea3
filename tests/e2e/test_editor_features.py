"""Inlay hints, semantic tokens, signature help and document symbols end to end (both client profiles)."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from .conftest import open_doc

C_SOURCE = """\
#include <mpi.h>
double grid[512];

void relax(int n, double *rhs) {
  double total = 0.0, t;
  int i;
  #pragma omp parallel for private(t) reduction(+:total)
  for (i = 0; i < n; i++) {
    int k = i / 2;
    t = grid[i] + rhs[k];
    total += t;
  }
  #pragma omp parallel default(none) shared(grid)
  {
    #pragma omp for
    for (int j = 0; j < n; j++)
      grid[j] = 0.0;
  }
  MPI_Send(rhs, n, MPI_DOUBLE, 1, 0, MPI_COMM_WORLD);
}
"""

F_SOURCE = """\
module heat
contains
  subroutine step(u, unew, n)
    integer, intent(in) :: n
    real(8), intent(in) :: u(n)
    real(8), intent(out) :: unew(n)
    real(8) :: flux, s
    integer :: i
    s = 0
!$omp parallel do private(flux) &
!$omp& reduction(+:s)
    do i = 2, n - 1
      flux = u(i - 1) - 2d0 * u(i) + u(i + 1)
      unew(i) = u(i) + 0.1d0 * flux
      s = s + flux
    end do
!$omp end parallel do
    call mpi_allreduce(s, s, 1, MPI_DOUBLE_PRECISION, MPI_SUM, MPI_COMM_WORLD, i)
  end subroutine step
end module heat
"""

# Non-ASCII (one astral character = two UTF-16 units) before the clauses on the same line.
U_SOURCE = """\
void f(double *x, int n) {
  #pragma omp parallel for /* 𝄞 é */ firstprivate(n)
  for (int i = 0; i < n; i++) x[i] = n;
}
"""


def _whole(text: str) -> types.Range:
    return types.Range(
        start=types.Position(line=0, character=0),
        end=types.Position(line=len(text.splitlines()), character=0),
    )


def _label(hint: types.InlayHint) -> str:
    return hint.label if isinstance(hint.label, str) else "".join(p.value for p in hint.label)


async def _hints(client: LanguageClient, uri: str, text: str) -> dict[int, str]:
    res = await client.text_document_inlay_hint_async(
        types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri=uri), range=_whole(text))
    )
    return {h.position.line: _label(h) for h in res or []}


def _decode(data: list[int], legend: types.SemanticTokensLegend, text: str) -> list[tuple[int, str, str]]:
    """(line, token text, type) of each token; columns are UTF-16 units."""
    lines = text.splitlines()
    out, line, col = [], 0, 0
    for k in range(0, len(data), 5):
        dl, dc, length, typ, _mods = data[k : k + 5]
        line += dl
        col = dc if dl else col + dc
        units = lines[line].encode("utf-16-le")
        out.append((line, units[2 * col : 2 * (col + length)].decode("utf-16-le"), legend.token_types[typ]))
    return out


async def test_capabilities_declared(client: LanguageClient):
    caps = client.init_result.capabilities
    assert caps.inlay_hint_provider
    assert caps.document_symbol_provider
    sig = caps.signature_help_provider
    assert sig is not None and "(" in (sig.trigger_characters or []) and "," in (sig.trigger_characters or [])
    tokens = caps.semantic_tokens_provider
    assert tokens is not None and tokens.full
    assert {"keyword", "macro", "variable"} <= set(tokens.legend.token_types)


async def test_inlay_hints_c(client: LanguageClient):
    uri = open_doc(client, C_SOURCE, "hints.c")
    hints = await _hints(client, uri, C_SOURCE)
    # Explicit clauses and the implicit rules: shared by default, loop index and block locals private.
    assert hints[6] == "shared: grid, n, rhs · private: i, k, t · reduction(+): total"
    # default(none): n is used but no clause lists it; j is declared inside the region.
    assert hints[12] == "shared: grid · private: j · unlisted: n"
    assert "private: j" in hints[14]
    # The hint sits after the directive, not inside it.
    res = await client.text_document_inlay_hint_async(
        types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri=uri), range=_whole(C_SOURCE))
    )
    first = next(h for h in res or [] if h.position.line == 6)
    assert first.position.character == len(C_SOURCE.splitlines()[6])
    parts = first.label
    assert not isinstance(parts, str)
    tip = parts[0].tooltip
    assert isinstance(tip, types.MarkupContent) and "`rhs`" in tip.value and "implicit" in tip.value


async def test_inlay_hints_fortran_sentinel(client: LanguageClient):
    uri = open_doc(client, F_SOURCE, "hints.f90")
    hints = await _hints(client, uri, F_SOURCE)
    # At the end of the continued directive; the dummy n is shared, the loop index private.
    assert hints == {10: "shared: n, u, unew · private: flux, i · reduction(+): s"}


async def test_inlay_hints_only_in_range(client: LanguageClient):
    uri = open_doc(client, C_SOURCE, "hints_range.c")
    res = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=10, character=0), end=types.Position(line=13, character=0)
            ),
        )
    )
    assert [h.position.line for h in res or []] == [12]


async def test_semantic_tokens_c_and_fortran(client: LanguageClient):
    legend = client.init_result.capabilities.semantic_tokens_provider.legend
    uri = open_doc(client, C_SOURCE, "tokens.c")
    res = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    toks = _decode(res.data, legend, C_SOURCE)
    assert [t for t in toks if t[0] == 6] == [
        (6, "#pragma omp", "macro"),
        (6, "parallel for", "keyword"),
        (6, "private", "modifier"),
        (6, "t", "variable"),
        (6, "reduction", "modifier"),
        (6, "+", "operator"),
        (6, "total", "variable"),
    ]
    assert (12, "none", "enumMember") in toks
    assert not [t for t in toks if t[0] in (7, 8, 18)]  # code lines carry no tokens

    uri = open_doc(client, F_SOURCE, "tokens.f90")
    res = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    toks = _decode(res.data, legend, F_SOURCE)
    assert [t for t in toks if t[0] in (9, 10)] == [
        (9, "!$omp", "macro"),
        (9, "parallel do", "keyword"),
        (9, "private", "modifier"),
        (9, "flux", "variable"),
        (10, "!$omp&", "macro"),
        (10, "reduction", "modifier"),
        (10, "+", "operator"),
        (10, "s", "variable"),
    ]
    assert (16, "end parallel do", "keyword") in toks


async def test_semantic_tokens_utf16_columns(client: LanguageClient):
    legend = client.init_result.capabilities.semantic_tokens_provider.legend
    uri = open_doc(client, U_SOURCE, "tokens_utf16.c")
    res = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    toks = _decode(res.data, legend, U_SOURCE)
    assert (1, "firstprivate", "modifier") in toks and (1, "n", "variable") in toks


async def _signature(
    client: LanguageClient, uri: str, line: int, character: int
) -> types.SignatureHelp | None:
    return await client.text_document_signature_help_async(
        types.SignatureHelpParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )


def _active(sig: types.SignatureHelp) -> str:
    info = sig.signatures[sig.active_signature or 0]
    param = info.parameters[sig.active_parameter]
    label = param.label
    return info.label[label[0] : label[1]] if isinstance(label, tuple | list) else label


async def test_signature_help_mpi_c(client: LanguageClient):
    uri = open_doc(client, C_SOURCE, "sig.c")
    line = C_SOURCE.splitlines()[18]
    sig = await _signature(client, uri, 18, line.index("MPI_DOUBLE"))
    assert sig is not None and sig.signatures[0].label.startswith("int MPI_Send(")
    assert sig.active_parameter == 2 and _active(sig) == "MPI_Datatype datatype"
    doc = sig.signatures[0].parameters[2].documentation
    assert isinstance(doc, types.MarkupContent) and "datatype" in doc.value.lower()
    # Right after "(": the first parameter; outside any call: nothing.
    sig = await _signature(client, uri, 18, line.index("(") + 1)
    assert sig is not None and sig.active_parameter == 0
    assert await _signature(client, uri, 9, 6) is None


async def test_signature_help_fortran_and_cuda(client: LanguageClient):
    uri = open_doc(client, F_SOURCE, "sig.f90")
    line = F_SOURCE.splitlines()[17]
    sig = await _signature(client, uri, 17, line.index("MPI_SUM"))
    assert sig is not None and sig.signatures[0].label.lower().startswith("mpi_allreduce(")
    assert _active(sig) == "op"

    cu = "void g(float *d, float *h, size_t n) {\n  cudaMemcpy(d, h, n * sizeof(float), );\n}\n"
    uri = open_doc(client, cu, "sig.cu")
    sig = await _signature(client, uri, 1, cu.splitlines()[1].index(")") + 3)
    assert sig is not None and "cudaMemcpy" in sig.signatures[0].label
    assert _active(sig) == "cudaMemcpyKind kind"

    omp = "#include <omp.h>\nint main(void) { omp_set_num_threads(4); }\n"
    uri = open_doc(client, omp, "sig_omp.c")
    sig = await _signature(client, uri, 1, omp.splitlines()[1].index("4"))
    assert sig is not None and "omp_set_num_threads" in sig.signatures[0].label


def _tree(symbols) -> list:
    return [(s.name, s.kind, _tree(s.children or [])) for s in symbols]


async def test_document_symbols(client: LanguageClient):
    uri = open_doc(client, C_SOURCE, "symbols.c")
    res = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    ev, fn = types.SymbolKind.Event, types.SymbolKind.Function
    assert _tree(res) == [
        ("relax", fn, [("omp parallel for", ev, []), ("omp parallel", ev, [("omp for", ev, [])])]),
    ]
    region = res[0].children[0]
    assert region.detail == "private(t) reduction(+:total)"
    assert (region.range.start.line, region.range.end.line) == (6, 11)

    uri = open_doc(client, F_SOURCE, "symbols.f90")
    res = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert _tree(res) == [
        ("heat", types.SymbolKind.Module, [("step", fn, [("omp parallel do", ev, [])])]),
    ]
    region = res[0].children[0].children[0]
    assert (region.range.start.line, region.range.end.line) == (9, 16)  # through !$omp end parallel do
