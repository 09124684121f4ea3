"""``hpclsp check``: the server's diagnostics as a linter (text, JSON or SARIF)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hpclsp import __version__
from hpclsp.analysis import engine
from hpclsp.analysis.findings import Finding
from hpclsp.analysis.rules import all_rules
from hpclsp.analysis.source import SourceFile
from hpclsp.files import iter_source_files

HELP = "report the same diagnostics as the server, for CI (exit 0 clean, 1 findings, 2 error)"


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``hpclsp check``."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    p.add_argument("--select", type=_codes, default=[], help="only these codes or prefixes (comma-separated)")
    p.add_argument("--ignore", type=_codes, default=[], help="skip these codes or prefixes (comma-separated)")
    p.add_argument("--no-hints", action="store_true", help="omit omp-parallelizable-loop hints")
    p.add_argument("--no-low-confidence", action="store_true", help="omit low-confidence findings")


def run(args: argparse.Namespace) -> int:
    """Analyse every file; print findings; exit 0/1/2."""
    options = engine.Options(
        select=tuple(args.select),
        ignore=tuple(args.ignore),
        hints=not args.no_hints,
        low_confidence=not args.no_low_confidence,
        budget=30.0,
    )
    errors: list[str] = []
    results: list[tuple[str, list[Finding]]] = []
    for path in iter_source_files(args.paths, errors):
        try:
            src = SourceFile.from_path(path)
        except (OSError, ValueError) as exc:
            errors.append(f"{path}: {exc}")
            continue
        res = engine.analyze(src, options)
        for e in res.errors:
            print(f"{path}: internal error in {e}", file=sys.stderr)
        results.append((path, res.findings))
    for e in errors:
        print(f"hpclsp check: {e}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps([f.to_json(p) for p, fs in results for f in fs], indent=2))
    elif args.format == "sarif":
        print(json.dumps(to_sarif(results), indent=2))
    else:
        n = 0
        for path, fs in results:
            for f in fs:
                n += 1
                print(
                    f"{path}:{f.span.start.line + 1}:{f.span.start.col + 1}: {f.severity.label}: {f.message} [{f.code}]"
                )
                for r in f.related:
                    print(
                        f"{r.path or path}:{r.span.start.line + 1}:{r.span.start.col + 1}: note: {r.message}"
                    )
        if n:
            print(f"{n} finding(s) in {sum(1 for _, fs in results if fs)} file(s)", file=sys.stderr)
    if errors:
        return 2
    return 1 if any(fs for _, fs in results) else 0


_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def to_sarif(results: list[tuple[str, list[Finding]]]) -> dict[str, Any]:
    """A SARIF 2.1.0 log of the findings."""
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.what},
            "helpUri": r.url,
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity.label]},
        }
        for r in all_rules()
        for code in r.codes
    ]

    def region(span: Any) -> dict[str, int]:
        return {
            "startLine": span.start.line + 1,
            "startColumn": span.start.col + 1,
            "endLine": span.end.line + 1,
            "endColumn": span.end.col + 1,
        }

    sarif_results = []
    for path, fs in results:
        for f in fs:
            res: dict[str, Any] = {
                "ruleId": f.code,
                "level": _SARIF_LEVEL[f.severity.label],
                "message": {"text": f.message},
                "locations": [
                    {"physicalLocation": {"artifactLocation": {"uri": path}, "region": region(f.span)}}
                ],
            }
            if f.related:
                res["relatedLocations"] = [
                    {
                        "id": i,
                        "message": {"text": r.message},
                        "physicalLocation": {
                            "artifactLocation": {"uri": r.path or path},
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
                                "artifactLocation": {"uri": path},
                                "replacements": [
                                    {"deletedRegion": region(e.span), "insertedContent": {"text": e.new_text}}
                                    for e in fx.edits
                                ],
                            }
                        ],
                    }
                    for fx in f.fixes
                ]
            sarif_results.append(res)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
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
                "results": sarif_results,
            }
        ],
    }
