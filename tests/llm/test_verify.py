"""Verified suggestions (a completion adding a racy OpenMP pragma is dropped or marked) and the
failure modes of model loading (missing file, not a GGUF)."""

from __future__ import annotations

import threading

from hpclsp.config import ModelSettings
from hpclsp.llm import backends, fim, verify
from hpclsp.llm.service import CompletionRequest, ModelService

LOOP = """double total(const double *x, int n) {
    double s = 0.0;
{indent4}
    for (int i = 0; i < n; i++)
        s += x[i];
    return s;
}
"""
F_LOOP = """subroutine total(x, n, s)
  integer, intent(in) :: n
  real(8), intent(in) :: x(n)
  real(8), intent(out) :: s
  integer :: i
  s = 0.0d0
{indent2}
  do i = 1, n
    s = s + x(i)
  end do
end subroutine total
"""
# The cursor lines hold only indentation (kept out of the literals so editors do not strip it).
LOOP = LOOP.replace("{indent4}", "    ")
F_LOOP = F_LOOP.replace("{indent2}", "  ")


class ScriptedBackend:
    """A backend that 'generates' a fixed text token by token (stands in for a model's choice)."""

    name = "scripted"
    family = fim.FAMILIES["none"]
    model_id = "scripted"

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls = 0

    def count_tokens(self, text: str) -> int:
        return len(text) // 4 + 1

    def generate(self, prompt, *, max_tokens, cut=None, cancel=None, on_token=None):
        self.calls += 1
        out = ""
        for n, ch in enumerate(self.text, 1):
            if cancel is not None and cancel.is_set():
                return backends.Generation(out, n - 1, "cancelled")
            out += ch
            if cut is not None and (pos := cut(out)) is not None:
                return backends.Generation(out[:pos], n, "stop")
        return backends.Generation(out, len(self.text), "eog")

    def close(self) -> None:
        pass


def _service(text: str, mode: str) -> tuple[ModelService, ScriptedBackend]:
    svc = ModelService(ModelSettings(), verify_mode=mode)
    fake = ScriptedBackend(text)
    svc._backend = fake  # type: ignore[assignment]
    svc.state = "ready"
    svc._load_future = svc._executor.submit(lambda: None)
    return svc, fake


def test_racy_pragma_is_dropped():
    svc, fake = _service("#pragma omp parallel for", "drop")
    res = svc.complete(CompletionRequest(LOOP, "c", 2, 4, use_retrieval=False))
    assert fake.calls == 1
    assert res.verified == "dropped" and res.text == ""
    assert any(f.code.startswith("omp-race") for f in res.findings)
    # The verdict is cached: asking again neither generates nor suggests the racy pragma.
    again = svc.complete(CompletionRequest(LOOP, "c", 2, 4, use_retrieval=False))
    assert fake.calls == 1 and again.text == ""
    svc.close()


def test_correct_pragma_is_kept():
    svc, _ = _service("#pragma omp parallel for reduction(+:s)", "drop")
    res = svc.complete(CompletionRequest(LOOP, "c", 2, 4, use_retrieval=False))
    assert res.verified == "ok" and res.text == "#pragma omp parallel for reduction(+:s)"
    svc.close()


def test_racy_pragma_is_marked_or_passed_through():
    svc, _ = _service("#pragma omp parallel for", "mark")
    res = svc.complete(CompletionRequest(LOOP, "c", 2, 4, use_retrieval=False))
    assert res.verified == "marked" and res.text == "#pragma omp parallel for" and res.findings
    svc.close()
    svc, _ = _service("#pragma omp parallel for", "off")
    res = svc.complete(CompletionRequest(LOOP, "c", 2, 4, use_retrieval=False))
    assert res.verified == "" and res.text == "#pragma omp parallel for"
    svc.close()


def test_fortran_racy_directive_is_dropped():
    svc, _ = _service("!$omp parallel do", "drop")
    res = svc.complete(CompletionRequest(F_LOOP, "fortran", 6, 2, use_retrieval=False))
    assert res.verified == "dropped" and res.text == ""
    svc.close()


def test_verification_only_runs_for_directives():
    assert not verify.check(LOOP, "c", 2, 4, "int unused = 0;").checked
    assert verify.check(LOOP, "c", 2, 4, "#pragma omp parallel for").racy
    # Completing the clause list of an existing directive counts as changing the directive.
    with_pragma = LOOP.replace("    \n", "    #pragma omp parallel for \n")
    v = verify.check(with_pragma, "c", 2, 29, "reduction(+:s)")
    assert v.checked and not v.racy


def test_cancelled_before_start_does_not_generate():
    svc, fake = _service("x = 1;", "drop")
    gate = threading.Event()
    svc._executor.submit(gate.wait, 5)
    job = svc.submit(CompletionRequest("int f() {\n  \n}\n", "c", 1, 2), key="d")
    job.cancel.set()
    gate.set()
    assert job.future.result(timeout=5).source == "cancelled"
    assert fake.calls == 0
    svc.close()


def test_missing_model_file_gives_a_clear_error(tmp_path):
    messages: list[str] = []
    svc = ModelService(ModelSettings(path=str(tmp_path / "nope.gguf")), notify=messages.append)
    assert not svc.wait_ready(timeout=30)
    assert svc.state == "failed" and "model file not found" in (svc.error or "")
    assert messages == [svc.error]
    assert svc.complete(CompletionRequest("int x;", "c", 0, 0)).source == "error"
    svc.close()


def test_not_a_gguf_gives_a_clear_error(tmp_path):
    p = tmp_path / "model.bin"
    p.write_text("this is not a model")
    svc = ModelService(ModelSettings(path=str(p)))
    assert not svc.wait_ready(timeout=30)
    assert "is not a GGUF model file" in (svc.error or "")
    svc.close()


def test_none_backend_is_disabled():
    svc = ModelService(ModelSettings(backend="none"))
    svc.wait_ready(timeout=10)
    assert svc.state == "disabled"
    assert svc.complete(CompletionRequest("int x;", "c", 0, 0)).source == "disabled"
    svc.close()


def test_marked_completion_carries_a_visible_note():
    from hpclsp.handlers.inline_completion import _mark

    svc, _ = _service("#pragma omp parallel for", "mark")
    res = svc.complete(CompletionRequest(LOOP, "c", 2, 4, use_retrieval=False))
    shown = _mark(res.text, res, "c")
    assert shown.startswith("#pragma omp parallel for /* hpclsp: introduces omp-race")
    svc.close()


def test_doctor_checks_the_model():
    """doctor proves the model works: a real generation in the model worker, on a portable build."""
    import hpclsp.llm
    from hpclsp.config import ModelSettings

    checks = {c.name: c for c in hpclsp.llm.doctor_checks(ModelSettings(embedded="0.5b"))}
    assert checks["llama-cpp-python"].ok
    assert checks["model:file"].ok and "Qwen2.5-Coder 0.5B" in checks["model:file"].detail
    assert checks["model:generate"].ok and "generated" in checks["model:generate"].detail
    assert checks["llama.cpp:portable"].ok


def test_doctor_reports_a_missing_model_file_in_one_line(tmp_path):
    import hpclsp.llm
    from hpclsp.config import ModelSettings

    checks = hpclsp.llm.doctor_checks(ModelSettings(path=str(tmp_path / "missing.gguf")))
    bad = [c for c in checks if not c.ok]
    assert len(bad) == 1 and "not found" in bad[0].detail and "\n" not in bad[0].detail
