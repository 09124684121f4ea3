"""The inline-completion task set (``tests/fixtures/completion_tasks``) and its metrics.

Each task file holds one hole ``⟪expected⟫``; ``load`` returns the text without the hole, the
cursor position and the expected text. Metrics: exact match (whitespace-trimmed) and edit
similarity (1 - normalised Levenshtein distance), the usual figures for code completion.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from hpclsp.analysis import languages

OPEN, CLOSE = "\u27ea", "\u27eb"


@dataclasses.dataclass(frozen=True)
class Task:
    """One completion task."""

    name: str
    path: str
    language: str
    text: str  # without the hole
    line: int  # 0-based
    col: int  # 0-based code points
    expected: str


def parse(path: str, raw: str) -> Task:
    """A task from a file's text (raises ValueError without exactly one hole)."""
    if raw.count(OPEN) != 1 or raw.count(CLOSE) != 1:
        raise ValueError(f"{path}: expected exactly one {OPEN}...{CLOSE} hole")
    a = raw.index(OPEN)
    b = raw.index(CLOSE)
    expected = raw[a + 1 : b]
    text = raw[:a] + raw[b + 1 :]
    before = raw[:a]
    line = before.count("\n")
    col = len(before) - (before.rfind("\n") + 1)
    lang = languages.language_for_path(path)
    if lang is None:
        raise ValueError(f"{path}: unknown language")
    return Task(os.path.basename(path), path, lang, text, line, col, expected)


def default_dir() -> Path:
    """The task directory in the source tree."""
    return Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "completion_tasks"


def load(directory: str | Path | None = None) -> list[Task]:
    """Every task in a directory, sorted by name."""
    d = Path(directory) if directory else default_dir()
    out = []
    for p in sorted(d.iterdir()):
        if languages.language_for_path(str(p)) is None:
            continue
        out.append(parse(str(p), p.read_text(encoding="utf-8")))
    return out


def levenshtein(a: str, b: str) -> int:
    """Edit distance between two strings."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _norm(s: str) -> str:
    return "\n".join(line.rstrip() for line in s.strip().splitlines())


def exact_match(got: str, expected: str) -> bool:
    """Equal after trimming surrounding whitespace and trailing spaces."""
    return _norm(got) == _norm(expected)


def edit_similarity(got: str, expected: str) -> float:
    """1 - levenshtein / max length, on trimmed text (1.0 = identical)."""
    g, e = _norm(got), _norm(expected)
    if not g and not e:
        return 1.0
    return 1.0 - levenshtein(g, e) / max(len(g), len(e))
