"""Helpers for the unit-cache equivalence tests: corpus files, random edits, comparable findings."""

from __future__ import annotations

import random
from pathlib import Path

from hpclsp.analysis import engine, languages
from hpclsp.analysis.context import Options
from hpclsp.analysis.source import SourceFile

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
#: The corpora whose findings must not depend on the unit cache.
CORPORA = ("rules", "races", "advisor", "mpi", "cuda")


def corpus_files() -> list[Path]:
    """Every analysable source file of the rule fixtures and the race/advisor/MPI/CUDA corpora."""
    out = []
    for sub in CORPORA:
        base = FIXTURES / sub
        if not base.is_dir():
            continue
        for p in sorted(base.rglob("*")):
            if p.is_file() and languages.language_for_path(str(p)) is not None:
                out.append(p)
    return out


def findings_json(path: str, language: str, text: str, incremental: bool) -> list[dict]:
    """Findings of a fresh SourceFile as SPEC JSON objects (positions, messages, related, fixes) plus data."""
    src = SourceFile(path, language, text)
    res = engine.analyze(src, Options(budget=600.0, incremental=incremental))
    assert not res.partial
    return [dict(f.to_json(path), data=f.data) for f in res.findings]


EDIT_KINDS = ("insert_line", "delete_line", "insert_space", "duplicate_line", "change_digit", "blank_line")


def random_edit(text: str, rng: random.Random) -> str:
    """A small random edit of the kind an editor sends (may shift every later line)."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    kind = rng.choice(EDIT_KINDS)
    if kind == "insert_line":
        lines.insert(i, "  x = x + 1;" if rng.random() < 0.5 else "  /* note */")
    elif kind == "delete_line" and len(lines) > 1:
        del lines[i]
    elif kind == "insert_space":
        ln = lines[i]
        c = rng.randrange(len(ln) + 1)
        lines[i] = ln[:c] + " " + ln[c:]
    elif kind == "duplicate_line":
        lines.insert(i, lines[i])
    elif kind == "change_digit":
        ln = lines[i]
        digits = [k for k, ch in enumerate(ln) if ch.isdigit()]
        if digits:
            k = rng.choice(digits)
            lines[i] = ln[:k] + str((int(ln[k]) + 1) % 10) + ln[k + 1 :]
    else:
        lines.insert(i, "")
    return "\n".join(lines)


def bundles(size: int = 6, limit: int | None = None, seed: int = 7) -> list[tuple[str, str, str]]:
    """(name, language, text) of files made by concatenating corpus files of one language.

    Concatenation gives files with many top-level units and several components (fixtures are mostly
    one or two functions), sharing one skeleton of includes, macros and globals.
    """
    by_lang: dict[tuple[str, bool], list[Path]] = {}
    for p in corpus_files():
        lang = languages.language_for_path(str(p))
        assert lang is not None
        by_lang.setdefault((lang, languages.is_fixed_form(str(p))), []).append(p)
    rng = random.Random(seed)
    out = []
    for (lang, _fixed), paths in sorted(by_lang.items()):
        paths = list(paths)
        rng.shuffle(paths)
        for k in range(0, len(paths), size):
            group = paths[k : k + size]
            text = "\n".join(p.read_text(errors="replace").rstrip("\n") + "\n" for p in group)
            suffix = group[0].suffix
            out.append((f"bundle_{lang}_{k // size}{suffix}", lang, text))
    return out[:limit] if limit else out
