"""The local model: backends (llama-cpp, openai-compatible, none), FIM prompting, the completion
service, explanations and answers grounded in retrieved passages.

Public entry points for other areas:

- ``answer(question, passages)``: the model's answer to a documentation question from the
  retrieved passages (used by ``hpclsp.askDocs``), or None when no model is available;
- ``current_service()``: the server's ``ModelService`` (also at ``ls.model_service``);
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


#: Seconds per generated token above which doctor advises the fast embedded model.
SLOW_TOKEN_SECONDS = 0.15

_REBUILD = (
    "rebuild llama.cpp portably: rm .venv/.llama-portable && make setup (or: CMAKE_ARGS='-DGGML_NATIVE=OFF "
    "-DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON' pip install --force-reinstall --no-cache-dir "
    "--no-binary llama-cpp-python llama-cpp-python)"
)


def doctor_checks(settings: Any = None) -> list[Check]:
    """The model checks: llama-cpp-python installed, the model file (pinned hash for the embedded
    ones), and a real load-and-generate in the model worker (a child process), with speed advice."""
    from importlib import metadata

    from hpclsp.config import ModelSettings
    from hpclsp.doctor import Check
    from hpclsp.llm import model_files, portable, worker_client

    m = settings or _settings_here() or ModelSettings()
    if m.backend == "none":
        return [Check("model", True, "model.backend is none: inline completion is off")]
    try:
        version = metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        return [
            Check(
                "llama-cpp-python",
                False,
                "not installed: inline completion and explanations are off",
                "pip install 'hpclsp[model]' (builds llama.cpp; see the README for the portable flags)",
                required=False,
            )
        ]
    out = [Check("llama-cpp-python", True, f"llama-cpp-python {version}")]
    which = m.path or f"embedded {model_files.embedded(m.embedded).title}"
    try:
        path = model_files.resolve(m.path, m.embedded)
    except model_files.ModelFileError as exc:
        return out + [
            Check("model:file", False, str(exc), "set hpclsp.model.path to a GGUF file", required=False)
        ]
    out.append(Check("model:file", True, f"{which} at {path}"))
    res = worker_client.probe(str(path), tokens=8, threads=m.threads)
    if not res.ok:
        return out + [Check("model:generate", False, res.message, _REBUILD, required=False)]
    out.append(Check("model:generate", True, f"the model worker {res.message}"))
    problems = portable.problems(res.system_info)
    if problems:
        out.append(Check("llama.cpp:portable", False, "; ".join(problems), _REBUILD, required=False))
    else:
        out.append(Check("llama.cpp:portable", True, "portable build (no AVX-512/AMX kernels)"))
    per_token = res.gen_seconds / max(1, res.tokens)
    if not m.path and m.embedded != model_files.FAST and per_token > SLOW_TOKEN_SECONDS:
        out.append(
            Check(
                "model:speed",
                False,
                f"{per_token * 1000:.0f} ms per token: completions will feel slow on this machine",
                'use the fast model: set hpclsp.model.embedded = "0.5b"',
                required=False,
            )
        )
    return out


def _settings_here() -> Any:
    """``model`` settings from an ``hpclsp.toml`` in the current directory, if there is one."""
    import os

    from hpclsp import config

    data, _ = config.read_toml(os.path.abspath("."))
    return config.from_dict(data)[0].model if data else None
