"""The corpus files follow ``index/schema.json``: cards, manifest and snippet headers."""

from __future__ import annotations

import jsonschema
import pytest

from hpclsp import kb

from .conftest import CORPUS, load_json

MY_FAMILIES = ("openmp", "cuda")


def _validator(schema: dict, ref: str | None = None) -> jsonschema.Draft202012Validator:
    target = schema if ref is None else {"$ref": ref, "$defs": schema["$defs"]}
    return jsonschema.Draft202012Validator(target)


def test_schema_is_valid_json_schema(schema: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("rel", kb.CARD_FILES)
def test_cards_file_validates(schema: dict, rel: str) -> None:
    if not (CORPUS / rel).exists():
        pytest.skip(f"{rel} is written by another part of the issue and does not exist yet")
    cards = load_json(rel)
    errors = sorted(_validator(schema).iter_errors(cards), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:20])
    family = rel.split("/")[-1].removesuffix(".json")
    assert {c["family"] for c in cards} == {family}, f"{rel} holds cards of another family"
    for c in cards:
        assert c["id"] == f"{c['family']}/{c['kind']}/{c['name']}", c["id"]


def test_schema_rejects_bad_cards(schema: dict) -> None:
    good = load_json("cards/openmp.json")[0]
    validator = _validator(schema)
    assert not list(validator.iter_errors([good]))
    for broken in (
        {**good, "family": "opencl"},
        {**good, "kind": "keyword"},
        {**good, "signatures": {}},
        {**good, "signatures": {"rust": "x"}},
        {**good, "summary": "two\nlines here"},
        {k: v for k, v in good.items() if k != "semantics"},
        {**good, "parameters": [{"name": "x"}]},
        {**good, "extra": 1},
    ):
        assert list(validator.iter_errors([broken])), broken


def test_card_ids_are_unique_across_files(corpus: kb.KnowledgeBase) -> None:
    seen: dict[str, str] = {}
    for rel in kb.CARD_FILES:
        if not (CORPUS / rel).exists():
            continue
        for c in load_json(rel):
            assert c["id"] not in seen, f"{c['id']} in {rel} and {seen[c['id']]}"
            seen[c["id"]] = rel
    assert len(corpus.cards()) == len(seen)


def test_manifest_validates(schema: dict) -> None:
    errors = list(_validator(schema, "#/$defs/manifest").iter_errors(load_json(kb.MANIFEST)))
    assert not errors, [e.message for e in errors]


def test_every_snippet_header_validates(schema: dict) -> None:
    validator = _validator(schema, "#/$defs/snippet")
    problems = []
    for rel in kb.discover_snippets(CORPUS):
        try:
            snip = kb.snippet_from_file(CORPUS, rel)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        data = {"path": snip.path, "family": snip.family, "language": snip.language, "title": snip.title,
                "tags": list(snip.tags)}  # fmt: skip
        problems += [f"{rel}: {e.message}" for e in validator.iter_errors(data)]
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("family", MY_FAMILIES)
def test_related_entries_resolve(corpus: kb.KnowledgeBase, family: str) -> None:
    """Every ``related`` name of an OpenMP/CUDA card names another card (hover links must lead somewhere)."""
    dangling = []
    for c in corpus.by_family(family):
        for name in c.related:
            if not corpus.find(name):
                dangling.append(f"{c.id} -> {name}")
    assert not dangling, "\n".join(dangling[:30])


@pytest.mark.parametrize("family", MY_FAMILIES)
def test_cards_have_substance(corpus: kb.KnowledgeBase, family: str) -> None:
    """Semantics is a sentence or more, and most cards carry a pitfall or parameters."""
    cards = corpus.by_family(family)
    short = [c.id for c in cards if len(c.semantics.split()) < 8]
    assert not short, short[:20]
    bare = [c.id for c in cards if not c.pitfalls and not c.parameters and c.kind not in ("clause", "env")]
    assert len(bare) <= len(cards) // 4, bare[:20]
