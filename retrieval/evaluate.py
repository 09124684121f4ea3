"""Retrieval quality: recall@k of a question set against an index (used by bench and tests).

A question set maps a question to the API routines whose documentation answers it; a question
is answered when one of the first ``k`` hits *defines* one of them (its page, its card).
Hits are taken one per source by default, as a reader scanning the result list would see
distinct pages.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


@dataclasses.dataclass
class Recall:
    """The outcome of one question set."""

    name: str
    answered: int
    total: int
    misses: list[tuple[str, list[str]]]

    @property
    def value(self) -> float:
        """answered / total (0 for an empty set)."""
        return self.answered / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.name}: recall@5 {self.value:.3f} ({self.answered}/{self.total})"


def load_questions(path: str | Path) -> dict[str, tuple[str, ...]]:
    """A question set from JSON (``{"question": ["MPI_Routine", ...]}``)."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(raw, dict) or not all(isinstance(v, list) and v for v in raw.values()):
        raise ValueError(f"{path}: expected an object mapping questions to lists of routine names")
    return {str(q): tuple(str(n) for n in names) for q, names in raw.items()}


def recall_at_k(
    searcher: Any,
    questions: Mapping[str, Sequence[str]],
    k: int = 5,
    name: str = "questions",
    per_source: int | None = 1,
) -> Recall:
    """Recall@k of ``searcher`` (anything with ``search(query, k, max_per_source=...)``).

    ``per_source=None`` lifts the one-hit-per-source rule (for a corpus file holding many cards).
    """
    misses: list[tuple[str, list[str]]] = []
    for query, routines in questions.items():
        wanted = {r.lower() for r in routines}
        hits = searcher.search(query, k=k, max_per_source=per_source)
        if not any(wanted & {d.lower() for d in h.chunk.defines} for h in hits):
            misses.append((query, [h.chunk.defines[0] if h.chunk.defines else h.title for h in hits]))
    return Recall(name, len(questions) - len(misses), len(questions), misses)
