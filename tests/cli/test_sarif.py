"""SARIF output: the 2.1.0 structure, %SRCROOT%-relative URIs, columnKind and stable fingerprints.

No copy of the official schema is available offline, so the structure that code-scanning services
read is checked with a schema written here from the SARIF 2.1.0 specification's required members.
"""

from __future__ import annotations

import json

import jsonschema

from .test_check import hpclsp
from .test_check_workflow import RACY_C

_REGION = {
    "type": "object",
    "required": ["startLine"],
    "properties": {
        k: {"type": "integer", "minimum": 1} for k in ("startLine", "startColumn", "endLine", "endColumn")
    },
}
_ARTIFACT = {
    "type": "object",
    "required": ["uri"],
    "properties": {"uri": {"type": "string", "format": "uri-reference"}, "uriBaseId": {"type": "string"}},
}
_PHYSICAL = {
    "type": "object",
    "required": ["artifactLocation"],
    "properties": {"artifactLocation": _ARTIFACT, "region": _REGION},
}
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string"},
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {"type": "object", "required": ["id"]},
                                    }
                                },
                            }
                        },
                    },
                    "originalUriBaseIds": {
                        "type": "object",
                        "additionalProperties": {
                            "type": "object",
                            "properties": {"uri": {"type": "string", "pattern": "^file:.*/$"}},
                        },
                    },
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {"physicalLocation": _PHYSICAL},
                                    },
                                },
                                "relatedLocations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {"physicalLocation": _PHYSICAL},
                                    },
                                },
                                "partialFingerprints": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def sarif_of(tmp_path, *args: str) -> dict:
    r = hpclsp("check", "--format", "sarif", "--no-hints", *args, cwd=str(tmp_path))
    assert r.returncode == 1, r.stderr
    return json.loads(r.stdout)


def test_sarif_structure_and_relative_uris(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "race file.c").write_text(RACY_C)
    log = sarif_of(tmp_path, "src")
    jsonschema.validate(log, SARIF_SUBSET)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    locs = [x["locations"][0]["physicalLocation"]["artifactLocation"] for x in run["results"]]
    assert locs and all(loc == {"uri": "src/race%20file.c", "uriBaseId": "%SRCROOT%"} for loc in locs)
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[x["ruleIndex"]]["id"] == x["ruleId"] for x in run["results"])


def test_columns_are_code_points(tmp_path):
    """A non-ASCII identifier before the finding: the column counts characters, as columnKind says."""
    text = RACY_C.replace("        t = a[i] * 2.0;", "        /* é */ t = a[i] * 2.0;")
    (tmp_path / "u.c").write_text(text, encoding="utf-8")
    log = sarif_of(tmp_path, "u.c")
    res = next(x for x in log["runs"][0]["results"] if x["ruleId"] == "omp-race-missing-private")
    region = res["locations"][0]["physicalLocation"]["region"]
    line = text.splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 :].startswith("t = ")


def test_partial_fingerprints_survive_line_shifts(tmp_path):
    src = tmp_path / "race.c"
    src.write_text(RACY_C)
    before = {x["ruleId"]: x for x in sarif_of(tmp_path, "race.c")["runs"][0]["results"]}
    src.write_text("#include <stdio.h>\n\n\n" + RACY_C)
    after = {x["ruleId"]: x for x in sarif_of(tmp_path, "race.c")["runs"][0]["results"]}
    assert before.keys() == after.keys() == {"omp-race-missing-reduction", "omp-race-missing-private"}
    for code in before:
        b, a = before[code], after[code]
        assert a["partialFingerprints"] == b["partialFingerprints"]
        lb = b["locations"][0]["physicalLocation"]["region"]["startLine"]
        la = a["locations"][0]["physicalLocation"]["region"]["startLine"]
        assert la == lb + 3
    prints = [x["partialFingerprints"]["hpclspFingerprint/v1"] for x in after.values()]
    assert len(set(prints)) == len(prints)


def test_paths_outside_srcroot_are_absolute_uris(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "race.c").write_text(RACY_C)
    r = hpclsp("check", "--format", "sarif", "--srcroot", str(tmp_path / "a"), str(tmp_path / "b"))
    loc = json.loads(r.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]
    assert loc["uri"].startswith("file:///") and "uriBaseId" not in loc
