"""SARIF 2.1.0 output for code-scanning services.

Locations are relative URIs under the ``%SRCROOT%`` base (``originalUriBaseIds`` says where it is on
the machine that ran the check), so results compare across checkouts. Columns are Unicode code
points, as ``hpclsp.analysis.findings`` counts them, and the run says so with ``columnKind``.
``partialFingerprints`` carry the line-number-free fingerprint of ``hpclsp.baseline``, so a finding
keeps its identity when unrelated edits move it.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from hpclsp import __version__
from hpclsp.analysis.findings import Finding, Span
from hpclsp.baseline import FINGERPRINT_KEY

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
COLUMN_KIND = "unicodeCodePoints"
LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def artifact_location(path: str, root: str) -> dict[str, str]:
    """A relative URI under %SRCROOT% for paths inside root, an absolute file URI otherwise."""
    ap, ar = os.path.abspath(path), os.path.abspath(root)
    rel = os.path.relpath(ap, ar) if os.path.splitdrive(ap)[0] == os.path.splitdrive(ar)[0] else ap
    if os.path.isabs(rel) or rel == ".." or rel.startswith(".." + os.sep):
        return {"uri": pathlib.Path(ap).as_uri()}
    return {"uri": quote(rel.replace(os.sep, "/")), "uriBaseId": SRCROOT}


def region(span: Span) -> dict[str, int]:
    """A SARIF region (1-based, end column exclusive, as SARIF defines it)."""
    return {
        "startLine": span.start.line + 1,
        "startColumn": span.start.col + 1,
        "endLine": span.end.line + 1,
        "endColumn": span.end.col + 1,
    }


def _rules() -> list[dict[str, Any]]:
    from hpclsp import suppressions
    from hpclsp.analysis.rules import all_rules

    out = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.what},
            "helpUri": r.url,
            "defaultConfiguration": {"level": LEVEL[r.severity.label]},
        }
        for r in all_rules()
        for code in r.codes
    ]
    out.append(
        {
            "id": suppressions.UNUSED_CODE,
            "name": suppressions.UNUSED_CODE,
            "shortDescription": {"text": "A suppression comment that silences nothing"},
            "defaultConfiguration": {"level": "warning"},
        }
    )
    return out


def _result(path: str, root: str, f: Finding, fingerprint: str) -> dict[str, Any]:
    loc = artifact_location(path, root)
    res: dict[str, Any] = {
        "ruleId": f.code,
        "level": LEVEL[f.severity.label],
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": loc, "region": region(f.span)}}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if f.related:
        res["relatedLocations"] = [
            {
                "id": i,
                "message": {"text": r.message},
                "physicalLocation": {
                    "artifactLocation": artifact_location(r.path, root) if r.path else loc,
                    "region": region(r.span),
                },
            }
            for i, r in enumerate(f.related)
        ]
    if f.fixes:
        res["fixes"] = [
            {
                "description": {"text": fx.title},
                "artifactChanges": [
                    {
                        "artifactLocation": loc,
                        "replacements": [
                            {"deletedRegion": region(e.span), "insertedContent": {"text": e.new_text}}
                            for e in fx.edits
                        ],
                    }
                ],
            }
            for fx in f.fixes
        ]
    return res


def to_sarif(results: Sequence[tuple[str, list[Finding], list[str]]], root: str) -> dict[str, Any]:
    """A SARIF log of (path, findings, fingerprints) results, paths relative to root."""
    rules = _rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    out = []
    for path, findings, prints in results:
        for f, fp in zip(findings, prints, strict=True):
            res = _result(path, root, f, fp)
            if f.code in index:
                res["ruleIndex"] = index[f.code]
            out.append(res)
    base = pathlib.Path(os.path.abspath(root)).as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "hpclsp",
                        "version": __version__,
                        "informationUri": "https://github.com/hpclsp/hpclsp",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": base}},
                "columnKind": COLUMN_KIND,
                "results": out,
            }
        ],
    }
