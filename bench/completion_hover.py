"""Static completion and hover latency through the real server (SPEC §5: < 20 ms / < 50 ms p50 warm).

Starts ``hpclsp serve`` over stdio, opens a C, a Fortran and a CUDA document (a few hundred
lines each, generated here), warms up, then times ``textDocument/completion`` and
``textDocument/hover`` round trips in each context and prints p50/p95 per context and overall.
Figures, not assertions.

    .venv/bin/python bench/completion_hover.py [--rounds N]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import time

from hpclsp.stdio_client import Client

ROOT = pathlib.Path(__file__).resolve().parents[1]

_C_BODY = """\
void kernel_{k}(double *restrict u, const double *restrict f, int n, double h2) {{
    double resid = 0.0;
    int i;
    #pragma omp parallel for reduction(+:resid) schedule(static)
    for (i = 1; i < n - 1; i++) {{
        double r = f[i] - (2.0 * u[i] - u[i - 1] - u[i + 1]) / h2;
        resid += r * r;
    }}
    MPI_Allreduce(MPI_IN_PLACE, &resid, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}}
"""

_F_BODY = """\
  subroutine smooth_{k}(u, n)
    integer, intent(in) :: n
    real(dp), intent(inout) :: u(n)
    integer :: i, ierr
    real(dp) :: s
    s = 0.0_dp
    !$omp parallel do reduction(+:s)
    do i = 1, n
      s = s + u(i)
    end do
    !$omp end parallel do
    call MPI_Allreduce(MPI_IN_PLACE, s, 1, MPI_DOUBLE_PRECISION, MPI_SUM, MPI_COMM_WORLD, ierr)
  end subroutine smooth_{k}
"""

_CU_BODY = """\
__global__ void scale_{k}(float *a, float s, int n) {{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) a[i] *= s;
    __syncthreads();
}}
"""


def c_document(units: int = 40) -> str:
    """A C file of ``units`` MPI+OpenMP functions, ending with one being typed."""
    head = "#include <mpi.h>\n#include <omp.h>\n"
    tail = "void typing(double *buf, int n) {\n    int count = 0;\n    float local = 0;\n    CURSOR\n}\n"
    return head + "".join(_C_BODY.format(k=k) for k in range(units)) + tail


def fortran_document(units: int = 30) -> str:
    """A Fortran module of ``units`` subroutines, ending with one being typed."""
    head = (
        "module bench_mod\n  use mpi\n  implicit none\n  integer, parameter :: dp = kind(1.0d0)\ncontains\n"
    )
    tail = (
        "  subroutine typing(x, m)\n    integer :: m, ierr\n    real(dp) :: x(m)\n    CURSOR\n"
        "  end subroutine typing\nend module bench_mod\n"
    )
    return head + "".join(_F_BODY.format(k=k) for k in range(units)) + tail


def cuda_document(units: int = 40) -> str:
    """A CUDA file of ``units`` kernels, ending with host code being typed."""
    tail = "int main(void) {\n    float *d;\n    CURSOR\n    return 0;\n}\n"
    return "".join(_CU_BODY.format(k=k) for k in range(units)) + tail


#: (label, document kind, text typed at CURSOR) for completion.
COMPLETIONS = [
    ("omp directive", "c", "#pragma omp parallel f"),
    ("omp clause", "c", "#pragma omp parallel for re"),
    ("omp reduction vars", "c", "#pragma omp parallel for reduction(+:"),
    ("mpi routine", "c", "MPI_Isen"),
    ("mpi all MPI_", "c", "MPI_"),
    ("mpi datatype", "c", "MPI_Send(buf, n, "),
    ("fortran clause", "fortran", "!$omp parallel do priv"),
    ("fortran datatype", "fortran", "call MPI_Send(x, m, "),
    ("cuda api", "cuda", "cudaMem"),
    ("cuda launch", "cuda", "scale_1"),
]

#: (label, document kind, text on the line, hover column offset inside it).
HOVERS = [
    ("directive", "c", "#pragma omp parallel for reduction(+:count)", 14),
    ("clause", "c", "#pragma omp parallel for reduction(+:count)", 27),
    ("mpi routine", "c", "MPI_Barrier(MPI_COMM_WORLD);", 3),
    ("plain identifier", "c", "count = count + 1;", 2),
    ("fortran directive", "fortran", "!$omp parallel do", 8),
    ("cuda api", "cuda", "cudaDeviceSynchronize();", 4),
]

_MAKERS = {"c": (c_document, "bench.c", "c"), "fortran": (fortran_document, "bench.f90", "fortran"),
           "cuda": (cuda_document, "bench.cu", "cuda")}  # fmt: skip


def _open(client: Client, kind: str, typed: str, version: int) -> tuple[str, int, int]:
    make, name, lang = _MAKERS[kind]
    text = make()
    uri = (ROOT / "bench" / "_virtual" / name).as_uri()
    lines = text.split("\n")
    row = next(i for i, line in enumerate(lines) if "CURSOR" in line)
    col = lines[row].index("CURSOR")
    text = text.replace("CURSOR", typed)
    if version == 1:
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": lang, "version": version, "text": text}},
        )
    else:
        client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
        )
    return uri, row, col


def _percentiles(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
    return statistics.median(s) * 1000, p95 * 1000


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=30, help="timed requests per context")
    args = ap.parse_args(argv)
    client = Client()
    client.initialize({"model": {"backend": "none"}})
    versions: dict[str, int] = {}
    all_completion: list[float] = []
    all_hover: list[float] = []
    try:
        print(
            f"static completion, {args.rounds} timed requests per context after warm-up (target p50 < 20 ms)"
        )
        for label, kind, typed in COMPLETIONS:
            versions[kind] = versions.get(kind, 0) + 1
            uri, row, col = _open(client, kind, typed, versions[kind])
            params = {"textDocument": {"uri": uri}, "position": {"line": row, "character": col + len(typed)}}
            result = None
            for _ in range(3):  # warm-up (first use loads the cards and parses the document)
                result = client.request("textDocument/completion", params)
            times = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                result = client.request("textDocument/completion", params)
                times.append(time.perf_counter() - t)
            all_completion.extend(times)
            n = len((result or {}).get("items", [])) if isinstance(result, dict) else len(result or [])
            p50, p95 = _percentiles(times)
            print(f"  {label:22} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ({n} items)")
        p50, p95 = _percentiles(all_completion)
        print(f"  {'ALL':22} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")
        print(f"hover, {args.rounds} timed requests per context after warm-up (target p50 < 50 ms)")
        for label, kind, line_text, offset in HOVERS:
            versions[kind] = versions.get(kind, 0) + 1
            uri, row, col = _open(client, kind, line_text, versions[kind])
            params = {"textDocument": {"uri": uri}, "position": {"line": row, "character": col + offset}}
            result = None
            for _ in range(3):
                result = client.request("textDocument/hover", params)
            times = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                result = client.request("textDocument/hover", params)
                times.append(time.perf_counter() - t)
            all_hover.extend(times)
            p50, p95 = _percentiles(times)
            shown = "card" if result else "nothing"
            print(f"  {label:22} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ({shown})")
        p50, p95 = _percentiles(all_hover)
        print(f"  {'ALL':22} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")
    finally:
        client.close()


if __name__ == "__main__":
    main()
