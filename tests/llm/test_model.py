"""The real embedded model behind the completion service: completions appear for C, Fortran and
CUDA; cancellation stops within a few tokens; the caches (ours and llama.cpp's KV cache) work."""

from __future__ import annotations

import threading

import pytest

from hpclsp.llm import tasks
from hpclsp.llm.service import CompletionRequest, ModelService
from hpclsp.llm.worker_client import WorkerBackend

C_SAXPY = """void saxpy(int n, float a, const float *x, float *y) {
    #pragma omp parallel for
    for (int i = 0; i < n; i++) {
        y[i] = """
F_SAXPY = """subroutine saxpy(n, a, x, y)
  integer, intent(in) :: n
  real, intent(in) :: a, x(n)
  real, intent(inout) :: y(n)
  integer :: i
  do i = 1, n
    y(i) = """
CU_FREE = """#include <cuda_runtime.h>

void release(float *d_a, float *d_b) {
    cudaFree(d_a);
    """


def _req(text: str, language: str, suffix: str = "", **kw) -> CompletionRequest:
    lines = text.split("\n")
    return CompletionRequest(text + suffix, language, len(lines) - 1, len(lines[-1]), **kw)


@pytest.mark.parametrize(
    ("language", "text", "suffix"),
    [
        ("c", C_SAXPY, "\n    }\n}\n"),
        ("fortran", F_SAXPY, "\n  end do\nend subroutine saxpy\n"),
        ("cuda", CU_FREE, "\n}\n"),
    ],
)
def test_completion_appears(service: ModelService, language, text, suffix):
    res = service.complete(_req(text, language, suffix, path=f"x.{language}"))
    assert res.source == "model", res
    assert res.text.strip(), f"no completion for {language}"
    assert "<" + "eos>" not in res.text and "<end_of_turn>" not in res.text
    assert res.generation is not None and 0 < res.generation.tokens <= 48
    if not res.multiline:
        assert "\n" not in res.text


def test_cuda_completion_is_the_expected_call(service: ModelService):
    res = service.complete(_req(CU_FREE, "cuda", "\n}\n"))
    assert res.text == "cudaFree(d_b);"


def test_cancel_flag_stops_generation_within_a_few_tokens(service: ModelService):
    seen: list[int] = []
    holder: dict[str, object] = {}

    def on_token(n: int) -> None:
        seen.append(n)
        if n == 3:
            holder["job"].cancel.set()  # type: ignore[attr-defined]

    text = "int main(void) {\n"
    req = CompletionRequest(text + "\n}\n", "c", 1, 0, max_tokens=200, on_token=on_token, use_retrieval=False)
    started = threading.Event()
    # Hold the worker until the job handle is stored, so the callback always finds it.
    service._executor.submit(started.wait, 5)
    job = service.submit(req, key="cancel-test")
    holder["job"] = job
    started.set()
    res = job.future.result(timeout=60)
    assert res.source == "cancelled"
    assert res.generation is not None and res.generation.finish == "cancelled"
    assert res.generation.tokens <= 4, seen
    assert max(seen) <= 4


def test_newer_request_for_the_same_document_cancels_the_older(service: ModelService):
    newer: dict[str, object] = {}

    def on_token(n: int) -> None:
        if n == 2 and "job" not in newer:
            newer["job"] = service.submit(_req(CU_FREE, "cuda", "\n}\n"), key="doc-1")

    old = service.submit(
        CompletionRequest("int f(void) {\n\n}\n", "c", 1, 0, max_tokens=200, on_token=on_token), key="doc-1"
    )
    res = old.result = old.future.result(timeout=60)
    assert res.source == "cancelled" and res.generation is not None
    assert res.generation.tokens <= 3
    newer_res = newer["job"].future.result(timeout=60)  # type: ignore[attr-defined]
    assert newer_res.source in ("model", "cache") and newer_res.text


def test_repeated_request_is_served_from_cache_without_generating(service: ModelService):
    req = _req(CU_FREE, "cuda", "\n}\n")
    first = service.complete(req)
    assert first.text
    before = service.generations
    again = service.complete(req)
    assert again.source == "cache" and again.text == first.text
    assert service.generations == before
    # Typing the first characters of the suggestion is served from the same entry.
    typed = first.text[:4]
    lines = CU_FREE.split("\n")
    lines[-1] += typed
    along = service.lookup(
        CompletionRequest("\n".join(lines) + "\n}\n", "cuda", len(lines) - 1, len(lines[-1]))
    )
    assert along is not None and along.text == first.text[4:]
    assert service.generations == before


def test_kv_cache_prefix_is_reused_across_keystrokes(service: ModelService):
    base = C_SAXPY + "2.0f"
    first = service.complete(_req(base, "c", "\n    }\n}\n", use_retrieval=False))
    assert first.source == "model"
    typed = "q" if not first.text.startswith("q") else "z"  # not along the suggestion: no cache hit
    res = service.complete(_req(base + typed, "c", "\n    }\n}\n", use_retrieval=False))
    assert res.generation is not None and res.source == "model"
    assert res.generation.cached_tokens >= res.generation.prompt_tokens * 0.8


def test_backend_reports_family_and_counts_tokens(service: ModelService):
    b = service.backend
    assert isinstance(b, WorkerBackend)  # llama.cpp runs in the model worker, not in this process
    assert b.family.name == "qwen2.5-coder"  # prompted with Qwen's fill-in-the-middle template
    assert b.count_tokens("MPI_Allreduce") > 0


def test_a_task_from_the_benchmark_set(service: ModelService):
    t = next(t for t in tasks.load() if t.name == "cuda_free.cu")
    res = service.complete(CompletionRequest(t.text, t.language, t.line, t.col, path=t.path))
    assert tasks.exact_match(res.text, t.expected)
