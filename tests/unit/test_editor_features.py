"""Editor features without a client: data-sharing hints, call-site scanning, frame resynchronisation."""

from __future__ import annotations

import asyncio
import json

import pytest
from lsprotocol import types

from hpclsp import framing
from hpclsp.documents import Document
from hpclsp.handlers import document_symbols, inlay_hints, semantic_tokens, signature_help


def _hints(text: str, name: str = "t.c", lang: str = "c") -> dict[int, str]:
    doc = Document(f"file:///tmp/{name}", lang, 1, text)
    out = {}
    for h in inlay_hints.inlay_hints(doc):
        label = h.label if isinstance(h.label, str) else "".join(p.value for p in h.label)
        out[h.position.line] = label
    return out


def test_first_and_last_private_and_linear():
    text = """\
void f(int n, double *a) {
  double x = 1.0, last = 0.0;
  int i, step = 0;
  #pragma omp parallel for firstprivate(x) lastprivate(last) linear(step:2)
  for (i = 0; i < n; i++) { last = a[i] * x; step += 2; }
}
"""
    assert _hints(text) == {
        3: "shared: a, n · private: i · firstprivate: x · lastprivate: last · linear: step"
    }


def test_task_implicit_firstprivate_and_threadprivate():
    text = """\
int counter;
#pragma omp threadprivate(counter)
void g(int n, double *a) {
  #pragma omp parallel
  {
    int k = n / 2;
    #pragma omp task
    a[k] = counter;
  }
}
"""
    hints = _hints(text)
    assert hints[3] == "shared: a, n · private: k · threadprivate: counter"
    # In the task: k is private where the task is created, so the task gets a firstprivate copy.
    assert hints[6] == "shared: a · firstprivate: k · threadprivate: counter"


def test_orphaned_loop_locals_are_private():
    text = """\
static double total;
void part(int n, double *a) {
  double t;
  #pragma omp for
  for (int i = 0; i < n; i++) { t = a[i]; total = t; }
}
"""
    # Called from a parallel region, each thread runs part() with its own locals and its own
    # copies of the value parameters (the pointer a is private; what it points to is not).
    assert _hints(text) == {3: "shared: total · private: a, i, n, t"}


def test_simd_outside_a_parallel_region_privatises_only_its_index():
    text = """\
void h(int n, double *a) {
  #pragma omp simd
  for (int k = 0; k < n; k++) a[k] += 1.0;
}
"""
    assert _hints(text) == {1: "shared: a, n · private: k"}


def test_fortran_named_constants_have_no_attribute():
    text = """\
subroutine s(x)
  real(8), intent(inout) :: x(100)
  real(8), parameter :: half = 0.5d0
  integer, parameter :: m = 100
  integer :: i
!$omp parallel do
  do i = 1, m
    x(i) = x(i) * half
  end do
!$omp end parallel do
end subroutine s
"""
    assert _hints(text, "s.f90", "fortran") == {5: "shared: x · private: i"}


def test_no_hints_outside_openmp_or_for_unknown_language():
    assert _hints("int main(void) { return 0; }\n") == {}
    doc = Document("file:///tmp/x.txt", "plaintext", 1, "#pragma omp parallel\n")
    assert inlay_hints.inlay_hints(doc) == []
    assert semantic_tokens.semantic_tokens(doc) == []
    assert document_symbols.document_symbols(doc) == []


@pytest.mark.parametrize(
    ("prefix", "fortran", "expected"),
    [
        ("MPI_Send(buf, n, ", False, ("MPI_Send", 2)),
        ('MPI_Send(buf, strlen("a,(b"), ', False, ("MPI_Send", 2)),
        ("MPI_Send(buf, /* x, y */ n", False, ("MPI_Send", 1)),
        ("MPI_Send(buf, foo(a, b), (n + 1) * 2, ", False, ("MPI_Send", 3)),
        ("MPI_Send(buf, foo(a, ", False, ("foo", 1)),
        ("call mpi_bcast(x, n, MPI_REAL, & ! root next, 0\n     ", True, ("mpi_bcast", 3)),
        ("x = a[i, ", False, None),
        ("MPI_Send(a); y = ", False, None),
        ("kernel<<<grid, block>>>(d, ", False, ("kernel", 1)),
    ],
)
def test_call_site_scan(prefix, fortran, expected):
    sites = list(signature_help.calls_at(prefix, fortran))
    got = (sites[0].name, sites[0].active) if sites else None
    assert got == expected


def test_signature_help_falls_back_to_the_enclosing_known_call():
    text = "void f(double *b, int n) { MPI_Send(b, count_of(b, n), MPI_DOUBLE, 0, 0, MPI_COMM_WORLD); }\n"
    doc = Document("file:///tmp/s.c", "c", 1, text)
    col = text.index("count_of(") + len("count_of(b, ")
    sig = signature_help.signature_help(doc, types.Position(line=0, character=col))
    assert sig is not None and sig.signatures[0].label.startswith("int MPI_Send(")
    assert sig.active_parameter == 1  # inside count_of(...): the MPI_Send argument being written
    assert signature_help.signature_help(doc, types.Position(line=0, character=3)) is None


class _Chunks:
    """An async reader over fixed bytes (what pygls' stdin reader provides)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def readline(self) -> bytes:
        i = self.data.find(b"\n")
        line, self.data = (self.data[: i + 1], self.data[i + 1 :]) if i >= 0 else (self.data, b"")
        return line

    async def readexactly(self, n: int) -> bytes:
        out, self.data = self.data[:n], self.data[n:]
        return out


def _frames(data: bytes) -> tuple[list[bytes], list[str]]:
    errors: list[str] = []

    async def go() -> list[bytes]:
        reader = framing.PushbackReader(_Chunks(data))
        out = []
        while True:
            body = await framing.read_frame(reader, lambda e: errors.append(str(e)))
            if body is None:
                return out
            if body:
                msg = framing.decode_frame(reader, body, json.loads, lambda e: out.append(b"<parse error>"))
                if msg is not framing.SKIP:
                    out.append(json.dumps(msg, separators=(", ", ": ")).encode())

    return asyncio.run(go()), errors


def _frame(body: bytes, length: int | None = None) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


def test_frames_resynchronise_after_a_short_length():
    a, b = '{"id": 1, "text": "été"}'.encode(), b'{"id": 2}'
    frames, errors = _frames(_frame(a, len(a) - 2) + _frame(b))
    # One parse error for the broken frame (none for its left-overs), then the next message.
    assert frames == [b"<parse error>", b] and errors == []


def test_frames_split_a_body_that_swallowed_the_next_header():
    a, b = b'{"id": 1}', b'{"id": 2}'
    for extra in (3, 10, 25):  # part of the next header, all of it, some of its body
        frames, errors = _frames(_frame(a, len(a) + extra) + _frame(b) + _frame(b))
        assert frames == [a, b, b] and errors == [], extra


def test_frames_skip_garbage_with_one_error_and_refuse_huge_lengths():
    b = b'{"id": 2}'
    frames, errors = _frames(b"\x00garbage\r\nmore garbage\r\n" + _frame(b))
    assert frames == [b] and len(errors) == 1
    frames, errors = _frames(b"Content-Length: 999999999999\r\n\r\n" + _frame(b))
    assert frames == [b] and "exceeds" in errors[0]
    frames, errors = _frames(b"Content-Type: application/vscode-jsonrpc\r\n" + _frame(b))
    assert frames == [b] and errors == []
