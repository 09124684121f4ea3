"""``hpclsp suggest``: the per-loop parallelization report; ``--format diff`` and ``--apply`` insert the pragmas."""

from __future__ import annotations

import argparse
import difflib
import json
import sys

HELP = "per-loop parallelization report (text, json or a unified diff); --apply inserts the suggested pragmas"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``hpclsp suggest``."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    p.add_argument("--format", choices=("text", "json", "diff"), default="text")
    p.add_argument("--apply", action="store_true", help="write the suggested pragmas into the files")


def _read(path: str) -> tuple[str, bool]:
    """The file's text and whether it is valid UTF-8 (only then may --apply rewrite it)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), False


def run(args: argparse.Namespace) -> int:
    """Advise on every loop of every file; print the report; exit 0, or 2 on usage or I/O errors."""
    from hpclsp.analysis import advisor, languages
    from hpclsp.analysis.source import SourceFile
    from hpclsp.files import iter_source_files

    errors: list[str] = []
    report: list[dict] = []
    out = sys.stdout
    for path in iter_source_files(args.paths, errors):
        try:
            text, valid = _read(path)
        except OSError as exc:
            errors.append(f"{path}: {exc.strerror or exc}")
            continue
        lang = languages.language_for_path(path)
        if lang is None:
            continue
        src = SourceFile(path, lang, text)
        try:
            advice = advisor.advise(src)
        except Exception as exc:  # never a traceback for one bad file
            errors.append(f"{path}: internal error: {type(exc).__name__}: {exc}")
            continue
        new_text = advisor.apply_suggestions(src, advice)
        if args.format == "json":
            report.extend(a.to_json(path) for a in advice)
        elif args.format == "diff":
            if new_text != text:
                out.writelines(
                    difflib.unified_diff(
                        text.splitlines(keepends=True),
                        new_text.splitlines(keepends=True),
                        fromfile=f"a/{path}",
                        tofile=f"b/{path}",
                    )
                )
        else:
            for a in advice:
                out.write(_text_line(path, a) + "\n")
        if args.apply and new_text != text:
            if not valid:
                errors.append(f"{path}: not valid UTF-8; not rewritten")
                continue
            try:
                with open(path, "w", encoding="utf-8", newline="") as fh:
                    fh.write(new_text)
            except OSError as exc:
                errors.append(f"{path}: {exc.strerror or exc}")
                continue
            n = sum(1 for a in advice if a.suggested)
            print(f"{path}: inserted {n} pragma(s)", file=sys.stderr)
    if args.format == "json":
        json.dump(report, out, indent=2)
        out.write("\n")
    for e in errors:
        print(f"hpclsp suggest: {e}", file=sys.stderr)
    return 2 if errors else 0


def _text_line(path: str, a) -> str:  # a: advisor.LoopAdvice
    loc = f"{path}:{a.span.start.line + 1}:{a.span.start.col + 1}"
    if a.suggested:
        return f"{loc}: suggest: {a.pragma} ({a.reason})"
    if a.parallelizable:
        extra = f": {a.pragma}" if a.pragma else ""
        return f"{loc}: parallelizable{extra} ({a.reason})"
    return f"{loc}: serial: {a.reason}"
