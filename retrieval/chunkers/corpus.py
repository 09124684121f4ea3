"""Chunker for the built-in corpus (``index/``): one chunk per reference card, snippets by function.

Layout (SPEC §1): ``manifest.json`` = ``{"format": 1, "cards": [...json files...], "snippets":
[...source files...]}``; each cards file is a JSON list of card objects (id, family, kind, name,
summary, signatures, semantics, parameters, pitfalls, related, optional completion and aliases).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from retrieval.chunk import Chunk, extract_symbols
from retrieval.chunkers.code import chunk_source

log = logging.getLogger(__name__)

CORPUS_FORMAT = 1


def is_corpus_dir(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a directory holding a corpus ``manifest.json`` (with ``cards``)."""
    p = Path(path) / "manifest.json"
    if not p.is_file():
        return False
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "cards" in data


def corpus_files(root: str | os.PathLike[str]) -> list[Path]:
    """The card and snippet files a corpus manifest lists (existing ones only)."""
    root = Path(root)
    data = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{root / 'manifest.json'}: not a JSON object")
    fmt = data.get("format", 1)
    if isinstance(fmt, int) and fmt > CORPUS_FORMAT:
        raise ValueError(
            f"{root / 'manifest.json'}: corpus format {fmt} is newer than supported ({CORPUS_FORMAT})"
        )
    out: list[Path] = []
    for key in ("cards", "snippets"):
        for rel in data.get(key) or []:
            p = root / str(rel)
            if p.is_file():
                out.append(p)
            else:
                log.warning("corpus manifest lists a missing file: %s", p)
    return out


def render_card(card: dict[str, Any]) -> str:
    """A card as readable Markdown-ish text (what hover and askDocs show)."""
    name = str(card.get("name", ""))
    parts = [f"**{name}** ({card.get('family', '')} {card.get('kind', '')})".strip()]
    if card.get("summary"):
        parts[0] += f" — {card['summary']}"
    sigs = card.get("signatures") or {}
    if isinstance(sigs, dict):
        for lang, sig in sigs.items():
            if sig:
                parts.append(f"{lang.capitalize() if lang != 'c' else 'C'}: `{sig}`")
    if card.get("semantics"):
        parts.append(str(card["semantics"]))
    params = card.get("parameters") or []
    if isinstance(params, list) and params:
        parts.append(
            "Parameters:\n"
            + "\n".join(
                f"- {p.get('name', '')}: {p.get('description', '')}" for p in params if isinstance(p, dict)
            )
        )
    pitfalls = card.get("pitfalls") or []
    if isinstance(pitfalls, list) and pitfalls:
        parts.append("Pitfalls:\n" + "\n".join(f"- {p}" for p in pitfalls))
    related = card.get("related") or []
    if isinstance(related, list) and related:
        parts.append("Related: " + ", ".join(str(r) for r in related))
    return "\n\n".join(parts)


def chunk_cards(text: str, path: str) -> list[Chunk]:
    """A cards JSON file: one chunk per card (title = name; defines = name + aliases)."""
    try:
        cards = json.loads(text)
    except ValueError as exc:
        log.warning("bad cards file %s: %s", path, exc)
        return []
    if not isinstance(cards, list):
        return []
    chunks: list[Chunk] = []
    for i, card in enumerate(cards):
        if not isinstance(card, dict) or not card.get("name"):
            continue
        name = str(card["name"])
        aliases = [str(a) for a in card.get("aliases") or [] if a]
        body = render_card(card)
        chunks.append(
            Chunk(
                text=body,
                title=name,
                source=path,
                kind="doc",
                language="card",
                start_line=i,
                end_line=i,
                section=str(card.get("family", "")),
                defines=[name, *aliases],
                symbols=extract_symbols(body),
                meta={
                    "id": str(card.get("id", name)),
                    "family": str(card.get("family", "")),
                    "card_kind": str(card.get("kind", "")),
                    "card": card,
                },
            )
        )
    return chunks


def chunk_corpus_file(text: str, path: str) -> list[Chunk]:
    """One file of the corpus: cards JSON or a snippet source."""
    if path.endswith(".json"):
        return chunk_cards(text, path)
    return chunk_source(text, path)
