"""``index/manifest.json`` lists exactly the cards files and the snippet files on disk."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from hpclsp import kb

from .conftest import CORPUS, load_json


def test_manifest_matches_files_on_disk() -> None:
    manifest = load_json(kb.MANIFEST)
    expected = kb.build_manifest(CORPUS)
    missing = sorted(set(manifest["snippets"]) - set(expected["snippets"]))
    unlisted = sorted(set(expected["snippets"]) - set(manifest["snippets"]))
    assert not missing, f"listed but missing: {missing}"
    assert not unlisted, f"not listed (run `python -m hpclsp.kb manifest`): {unlisted}"
    assert manifest == expected, "order or format differs; run `python -m hpclsp.kb manifest`"


def test_listed_cards_files_of_this_part_exist() -> None:
    manifest = load_json(kb.MANIFEST)
    assert manifest["cards"] == list(kb.CARD_FILES)
    for rel in ("cards/openmp.json", "cards/cuda.json"):
        assert (CORPUS / rel).is_file(), rel


def test_build_manifest_sees_new_and_removed_snippets(tmp_path: Path) -> None:
    (tmp_path / "snippets" / "openmp").mkdir(parents=True)
    (tmp_path / "snippets" / "openmp" / "a.c").write_text("// title: An example\n// tags: x\nint a;\n")
    (tmp_path / "snippets" / "openmp" / "notes.txt").write_text("not a snippet")
    kb.write_manifest(tmp_path)
    assert json.loads((tmp_path / "manifest.json").read_text())["snippets"] == ["snippets/openmp/a.c"]
    (tmp_path / "snippets" / "openmp" / "a.c").unlink()
    assert kb.build_manifest(tmp_path)["snippets"] == []


def test_loader_skips_missing_cards_file_with_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "cards").mkdir()
    card = load_json("cards/openmp.json")[0]
    (tmp_path / "cards" / "openmp.json").write_text(json.dumps([card]))
    (tmp_path / "manifest.json").write_text(
        json.dumps(
            {"format": 1, "cards": ["cards/openmp.json", "cards/mpi.json"], "snippets": ["snippets/x/gone.c"]}
        )
    )
    with caplog.at_level(logging.WARNING, logger="hpclsp.kb"):
        loaded = kb.load(tmp_path)
    assert [c.id for c in loaded.cards()] == [card["id"]]
    assert loaded.snippets() == ()
    assert any("cards/mpi.json" in r.getMessage() for r in caplog.records)
    assert any("gone.c" in r.getMessage() for r in caplog.records)


def test_loader_survives_corrupt_files(tmp_path: Path) -> None:
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "openmp.json").write_text("{not json")
    (tmp_path / "cards" / "cuda.json").write_text(json.dumps([{"id": "cuda/x/y"}, "junk", 3]))
    (tmp_path / "manifest.json").write_text(
        json.dumps({"format": 1, "cards": ["cards/openmp.json", "cards/cuda.json"], "snippets": []})
    )
    assert kb.load(tmp_path).cards() == ()
    assert kb.load(tmp_path / "nowhere").cards() == ()
