"""The built-in knowledge base: reference cards and example snippets shipped in ``index/``.

The corpus (``hpclsp.paths.corpus_dir()``) holds ``manifest.json``, the cards files it lists
(JSON lists of card objects, see ``index/schema.json``) and compilable example snippets. This
module loads it once per process and answers exact lookups; completion and hover build on it,
and the retrieval package indexes the same files.

``python -m hpclsp.kb manifest`` rewrites ``index/manifest.json`` from the files on disk, so the
snippet list cannot drift from the tree (a test checks it).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hpclsp import paths

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
FORMAT = 1
#: The cards files the manifest lists, in this order.
CARD_FILES = ("cards/openmp.json", "cards/mpi.json", "cards/cuda.json")
#: Snippet file extensions and the language id of each.
SNIPPET_LANGUAGES = {".c": "c", ".cpp": "cpp", ".f90": "fortran", ".cu": "cuda"}
FAMILIES = ("openmp", "mpi", "cuda")
#: What hover shows as the source of a card's facts.
SOURCE_LABEL = "built-in card"

#: Languages to try, in order, when a card has no signature for the requested one.
_LANGUAGE_FALLBACK = {
    "c": ("c", "cpp", "cuda", "fortran"),
    "cpp": ("cpp", "c", "cuda", "fortran"),
    "cuda": ("cuda", "cpp", "c", "fortran"),
    "fortran": ("fortran", "c", "cpp", "cuda"),
}
#: Card kinds whose names are keywords (matched case-insensitively in every language).
_WORD_KINDS = frozenset({"directive", "clause", "env"})


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter of a card."""

    name: str
    description: str


@dataclasses.dataclass(frozen=True)
class Card:
    """One reference card (an OpenMP directive, an MPI routine, a CUDA intrinsic, ...)."""

    id: str
    family: str
    kind: str
    name: str
    summary: str
    signatures: dict[str, str]
    semantics: str
    parameters: tuple[Param, ...]
    pitfalls: tuple[str, ...]
    related: tuple[str, ...]
    completion: dict[str, str]
    aliases: tuple[str, ...]
    #: The cards file (relative to the corpus directory) the card came from.
    source_file: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by every alias."""
        return (self.name, *self.aliases)

    def signature(self, language: str | None = None) -> str | None:
        """The signature for a language (falling back to the closest one), or None if there is none."""
        for lang in _LANGUAGE_FALLBACK.get(language or "c", ("c", "cpp", "cuda", "fortran")):
            if lang in self.signatures:
                return self.signatures[lang]
        return next(iter(self.signatures.values()), None)

    def completion_text(self, language: str | None = None) -> str | None:
        """The LSP snippet text for a language (same fallback as ``signature``), or None."""
        if not self.completion:
            return None
        for lang in _LANGUAGE_FALLBACK.get(language or "c", ("c", "cpp", "cuda", "fortran")):
            if lang in self.completion:
                return self.completion[lang]
        return None

    def is_case_insensitive(self) -> bool:
        """True when the name may be written in any case (OpenMP words, Fortran spellings)."""
        return self.family == "openmp" or self.kind in _WORD_KINDS or "fortran" in self.signatures

    def to_dict(self) -> dict[str, Any]:
        """The card as the JSON object it was loaded from."""
        out: dict[str, Any] = {
            "id": self.id,
            "family": self.family,
            "kind": self.kind,
            "name": self.name,
            "summary": self.summary,
            "signatures": dict(self.signatures),
            "semantics": self.semantics,
            "parameters": [{"name": p.name, "description": p.description} for p in self.parameters],
            "pitfalls": list(self.pitfalls),
            "related": list(self.related),
        }
        if self.completion:
            out["completion"] = dict(self.completion)
        if self.aliases:
            out["aliases"] = list(self.aliases)
        return out


@dataclasses.dataclass(frozen=True)
class Snippet:
    """One example source file of the corpus."""

    #: Path relative to the corpus directory, with forward slashes (``snippets/openmp/x.c``).
    path: str
    family: str
    language: str
    title: str
    tags: tuple[str, ...]

    def text(self, root: Path | None = None) -> str:
        """The file's contents (read on demand)."""
        base = root if root is not None else paths.corpus_dir()
        return (base / self.path).read_text(encoding="utf-8", errors="replace")


def card_from_dict(data: dict[str, Any], source_file: str = "") -> Card:
    """Build a Card from its JSON object (missing optional fields become empty)."""
    return Card(
        id=str(data["id"]),
        family=str(data["family"]),
        kind=str(data["kind"]),
        name=str(data["name"]),
        summary=str(data.get("summary", "")),
        signatures={str(k): str(v) for k, v in (data.get("signatures") or {}).items()},
        semantics=str(data.get("semantics", "")),
        parameters=tuple(
            Param(str(p.get("name", "")), str(p.get("description", ""))) for p in data.get("parameters") or []
        ),
        pitfalls=tuple(str(p) for p in data.get("pitfalls") or []),
        related=tuple(str(r) for r in data.get("related") or []),
        completion={str(k): str(v) for k, v in (data.get("completion") or {}).items()},
        aliases=tuple(str(a) for a in data.get("aliases") or []),
        source_file=source_file,
    )


_HEADER_LINE = re.compile(
    r"^\s*(?://+|/\*+|\*+|!+)?\s*(title|tags)\s*:\s*(.*?)\s*(?:\*/)?\s*$", re.IGNORECASE
)


def parse_snippet_header(text: str) -> tuple[str | None, list[str]]:
    """The ``title:`` and ``tags:`` of a snippet's first comment block (None / [] when absent)."""
    title: str | None = None
    tags: list[str] = []
    for i, line in enumerate(text.splitlines()):
        if i > 30:
            break
        stripped = line.strip()
        if not stripped:
            continue
        m = _HEADER_LINE.match(line)
        if m:
            if m.group(1).lower() == "title":
                title = m.group(2)
            else:
                tags = [t for t in re.split(r"[,\s]+", m.group(2)) if t]
            continue
        if not stripped.startswith(("//", "/*", "*", "!")):
            break  # the first comment block has ended
    return title, tags


def snippet_from_file(root: Path, rel: str) -> Snippet:
    """Read one snippet's metadata (raises ValueError when the header is missing)."""
    file = root / rel
    parts = Path(rel).parts
    family = parts[1] if len(parts) > 2 else ""
    language = SNIPPET_LANGUAGES.get(file.suffix, "")
    title, tags = parse_snippet_header(file.read_text(encoding="utf-8", errors="replace"))
    if not title or not tags:
        raise ValueError(f"{rel}: the first comment block needs 'title:' and 'tags:' lines")
    return Snippet(path=rel, family=family, language=language, title=title, tags=tuple(tags))


def discover_snippets(root: Path) -> list[str]:
    """Every snippet file under ``root/snippets`` (relative paths, sorted)."""
    base = root / "snippets"
    if not base.is_dir():
        return []
    found = [
        p.relative_to(root).as_posix()
        for p in base.rglob("*")
        if p.is_file() and p.suffix in SNIPPET_LANGUAGES
    ]
    return sorted(found)


def build_manifest(root: Path) -> dict[str, Any]:
    """The manifest for the corpus at ``root`` as it should be (cards list fixed, snippets from disk)."""
    return {"format": FORMAT, "cards": list(CARD_FILES), "snippets": discover_snippets(root)}


def write_manifest(root: Path) -> Path:
    """Rewrite ``root/manifest.json`` from the files on disk."""
    target = root / MANIFEST
    text = json.dumps(build_manifest(root), indent=2) + "\n"
    target.write_text(text, encoding="utf-8")
    return target


class KnowledgeBase:
    """The loaded corpus: cards with name/alias indexes, and snippet metadata."""

    def __init__(self, root: Path, cards: Iterable[Card], snippets: Iterable[Snippet]) -> None:
        self.root = root
        self._cards = tuple(cards)
        self._snippets = tuple(snippets)
        self._by_id = {c.id: c for c in self._cards}
        self._exact: dict[str, list[Card]] = {}
        self._folded: dict[str, list[Card]] = {}
        for c in self._cards:
            for n in dict.fromkeys(c.names):
                self._exact.setdefault(n, []).append(c)
                if c.is_case_insensitive():
                    folded = self._folded.setdefault(_fold(n), [])
                    if c not in folded:
                        folded.append(c)

    def cards(self) -> tuple[Card, ...]:
        """Every card, in file order."""
        return self._cards

    def by_id(self, card_id: str) -> Card | None:
        """The card with this id."""
        return self._by_id.get(card_id)

    def find(self, name: str, family: str | None = None, kind: str | None = None) -> list[Card]:
        """Every card whose name or alias is ``name`` (exact first, then case-insensitive where allowed)."""
        name = name.strip()
        hits = [c for c in self._exact.get(name, ()) if _keep(c, family, kind)]
        if not hits:
            hits = [c for c in self._folded.get(_fold(name), ()) if _keep(c, family, kind)]
        return hits

    def card(self, name: str, family: str | None = None, kind: str | None = None) -> Card | None:
        """The card for a name or alias (a name can be a directive and a clause: pass ``kind``)."""
        hits = self.find(name, family, kind)
        if not hits:
            return None
        # Prefer the card whose own name matches over one that only lists it as an alias.
        for c in hits:
            if c.name == name or _fold(c.name) == _fold(name):
                return c
        return hits[0]

    def by_family(self, family: str, kind: str | None = None) -> list[Card]:
        """The cards of one family (optionally one kind), in file order."""
        return [c for c in self._cards if c.family == family and (kind is None or c.kind == kind)]

    def snippets(self) -> tuple[Snippet, ...]:
        """Every snippet listed in the manifest (metadata; read the text with ``Snippet.text()``)."""
        return self._snippets


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _keep(c: Card, family: str | None, kind: str | None) -> bool:
    return (family is None or c.family == family) and (kind is None or c.kind == kind)


def load(root: Path) -> KnowledgeBase:
    """Load the corpus at ``root`` (a missing cards file is skipped with a warning; bad entries too)."""
    manifest_path = root / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning(
            "hpclsp corpus: cannot read %s (%s); the built-in cards are unavailable", manifest_path, exc
        )
        return KnowledgeBase(root, (), ())
    cards: list[Card] = []
    seen: set[str] = set()
    for rel in manifest.get("cards", []):
        file = root / rel
        if not file.exists():
            log.warning("hpclsp corpus: cards file %s is missing; skipped", rel)
            continue
        try:
            entries = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("hpclsp corpus: cannot read %s (%s); skipped", rel, exc)
            continue
        if not isinstance(entries, list):
            log.warning("hpclsp corpus: %s is not a JSON list; skipped", rel)
            continue
        for entry in entries:
            try:
                c = card_from_dict(entry, rel)
            except (KeyError, TypeError, AttributeError) as exc:
                log.warning("hpclsp corpus: a card in %s is malformed (%s); skipped", rel, exc)
                continue
            if c.id in seen:
                log.warning("hpclsp corpus: duplicate card id %s in %s; skipped", c.id, rel)
                continue
            seen.add(c.id)
            cards.append(c)
    snippets: list[Snippet] = []
    for rel in manifest.get("snippets", []):
        try:
            snippets.append(snippet_from_file(root, rel))
        except (OSError, ValueError) as exc:
            log.warning("hpclsp corpus: snippet %s skipped (%s)", rel, exc)
    return KnowledgeBase(root, cards, snippets)


_lock = threading.Lock()
#: Loaded knowledge bases, keyed by the HPCLSP_CORPUS_DIR override in effect (None = default location).
_loaded: dict[str | None, KnowledgeBase] = {}


def get() -> KnowledgeBase:
    """The knowledge base for ``paths.corpus_dir()``, loaded once per process (thread-safe)."""
    key = os.environ.get("HPCLSP_CORPUS_DIR")
    loaded = _loaded.get(key)
    if loaded is None:
        with _lock:
            loaded = _loaded.get(key)
            if loaded is None:
                loaded = load(paths.corpus_dir())
                _loaded[key] = loaded
    return loaded


def cards() -> tuple[Card, ...]:
    """Every built-in card."""
    return get().cards()


def card(name: str, family: str | None = None, kind: str | None = None) -> Card | None:
    """Exact lookup by name or alias: case-sensitive for C symbols, case-insensitive for OpenMP/Fortran words."""
    return get().card(name, family, kind)


def find(name: str, family: str | None = None, kind: str | None = None) -> list[Card]:
    """Every card matching a name or alias (see ``card``)."""
    return get().find(name, family, kind)


def by_family(family: str, kind: str | None = None) -> list[Card]:
    """The built-in cards of one family (and kind)."""
    return get().by_family(family, kind)


def snippets() -> tuple[Snippet, ...]:
    """Every built-in snippet's metadata."""
    return get().snippets()


def render_markdown(card: Card, language: str | None = None) -> str:
    """The card as Markdown for hover: signature, summary, semantics, parameters, pitfalls, related, source."""
    lang = language or ("cuda" if card.family == "cuda" else "c")
    sig = card.signature(lang)
    sig_lang = next((k for k, v in card.signatures.items() if v == sig), lang)
    fence = {"c": "c", "cpp": "cpp", "cuda": "cuda", "fortran": "fortran"}.get(sig_lang, "")
    title = card.name
    if lang == "fortran" and card.aliases:
        fortran_alias = _fortran_spelling(card)
        if fortran_alias:
            title = fortran_alias
    parts = [f"**{title}** — {card.family} {card.kind}"]
    if sig:
        parts.append(f"```{fence}\n{sig}\n```")
    parts.append(card.summary)
    if card.semantics:
        parts.append(card.semantics)
    if card.parameters:
        parts.append(
            "**Parameters**\n" + "\n".join(f"- `{p.name}`: {p.description}" for p in card.parameters)
        )
    if card.pitfalls:
        parts.append("**Pitfalls**\n" + "\n".join(f"- {p}" for p in card.pitfalls))
    if card.related:
        parts.append("**Related:** " + ", ".join(f"`{r}`" for r in card.related))
    parts.append(f"*Source: {SOURCE_LABEL} `{card.id}`*")
    return "\n\n".join(parts)


def _fortran_spelling(card: Card) -> str | None:
    """For an OpenMP directive whose C name uses ``for``, the Fortran ``do`` spelling among its aliases."""
    if card.family != "openmp" or card.kind != "directive" or "for" not in card.name.split():
        return None
    wanted = " ".join("do" if w == "for" else w for w in card.name.split())
    return wanted if wanted in card.aliases else None


def main(argv: list[str] | None = None) -> int:
    """``python -m hpclsp.kb manifest [DIR]`` rewrites the manifest; ``stats`` prints card counts."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("manifest", "stats"):
        print("usage: python -m hpclsp.kb manifest [CORPUS_DIR] | stats [CORPUS_DIR]", file=sys.stderr)
        return 2
    source_tree = Path(__file__).resolve().parent.parent / "index"
    default = source_tree if source_tree.is_dir() else paths.corpus_dir()
    root = Path(args[1]) if len(args) > 1 else default
    if args[0] == "manifest":
        print(write_manifest(root))
        return 0
    kb = load(root)
    counts: dict[tuple[str, str], int] = {}
    for c in kb.cards():
        counts[(c.family, c.kind)] = counts.get((c.family, c.kind), 0) + 1
    for (fam, kind), n in sorted(counts.items()):
        print(f"{fam:7} {kind:10} {n}")
    by_fam: dict[str, int] = {}
    for s in kb.snippets():
        by_fam[s.family] = by_fam.get(s.family, 0) + 1
    print(f"cards {len(kb.cards())}, snippets {len(kb.snippets())} {by_fam}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
