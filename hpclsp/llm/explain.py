"""Explanations of a code range: retrieved cards (cited) plus, when a model is configured, the
model's explanation grounded in them. Works without a model (cards only) and without an index."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from hpclsp.llm import context
from hpclsp.llm.fim import Snippet

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Explanation:
    """The explanation and the references it was grounded in."""

    markdown: str
    sources: list[Snippet]
    model_text: str = ""


def references(
    code: str, language: str, searcher: context.Searcher | None = None, k: int = 4
) -> list[Snippet]:
    """Cards and snippets relevant to a piece of code (cards by exact symbol, then retrieval)."""
    lines = code.split("\n")
    return context.gather(lines, len(lines) - 1, language, "", searcher=searcher, k=k)


def build_prompt(code: str, language: str, refs: list[Snippet]) -> str:
    """A plain-text prompt asking for an explanation that cites the numbered references."""
    parts = [f"Reference notes on the {language.upper()} HPC APIs used below:"]
    for i, r in enumerate(refs, 1):
        parts.append(f"[{i}] {r.title}: {' '.join(r.text.split())[:500]}")
    fence = {"fortran": "fortran", "cuda": "cuda", "cpp": "cpp"}.get(language, "c")
    parts += [
        "",
        f"```{fence}",
        code.strip("\n"),
        "```",
        "",
        "Explanation of what this code does and what to watch out for (cite notes as [n]):",
    ]
    return "\n".join(parts)


def explain(
    code: str,
    language: str,
    service: Any = None,
    searcher: context.Searcher | None = None,
    max_tokens: int = 160,
) -> Explanation:
    """Explain code: the model's text (if a model is ready) followed by the cited references."""
    refs = references(code, language, searcher)
    model_text = ""
    if service is not None and service.settings.backend != "none":
        try:
            if service.wait_ready(timeout=120):
                model_text = service.generate_text(build_prompt(code, language, refs), max_tokens=max_tokens)
        except Exception as exc:
            log.warning("model explanation failed: %s", exc)
    parts: list[str] = []
    if model_text:
        parts.append(model_text)
    elif not refs:
        parts.append("No model is available and no reference matches this code.")
    if refs:
        parts.append("**References**")
        for i, r in enumerate(refs, 1):
            summary = " ".join(r.text.split())
            parts.append(f"[{i}] **{r.title}** — {summary[:300]}  \n  *source: `{r.source}`*")
    return Explanation("\n\n".join(parts), refs, model_text)
