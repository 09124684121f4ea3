"""``hpclsp check``: the server's diagnostics as a linter for CI (text, JSON or SARIF).

Exit codes: 0 no findings, 1 findings (or, with ``--diff``, fixes to show), 2 usage, configuration
or I/O error. The code does not depend on whether the output could be written: ``check | head -1``
still exits 1 when there are findings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable

from hpclsp import baseline as baseline_mod
from hpclsp.commands.check import output, runner
from hpclsp.commands.check.settings import Resolver, UsageError

HELP = "report the same diagnostics as the server, for CI (exit 0 clean, 1 findings, 2 error)"


def _codes(value: str) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()]


def _jobs(value: str) -> int:
    n = int(value)
    if n < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return n or (os.cpu_count() or 1)


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``hpclsp check``."""
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or directories")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    p.add_argument(
        "--select",
        type=_codes,
        default=[],
        metavar="CODES",
        help="only these codes, prefixes or globs (comma-separated)",
    )
    p.add_argument(
        "--ignore", type=_codes, default=[], metavar="CODES", help="also skip these codes, prefixes or globs"
    )
    p.add_argument("--no-hints", action="store_true", help="omit omp-parallelizable-loop hints")
    p.add_argument("--no-low-confidence", action="store_true", help="omit low-confidence findings")
    p.add_argument(
        "--config", metavar="FILE", help="use this hpclsp.toml for every file (default: the nearest one)"
    )
    p.add_argument("--no-config", action="store_true", help="ignore hpclsp.toml and pyproject.toml files")
    p.add_argument(
        "--strict", action="store_true", help="report unused suppressions; a path without sources is an error"
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--fix", action="store_true", help="apply every preferred fix that re-checks cleanly")
    p.add_argument("--diff", action="store_true", help="print the fixes --fix would apply as a unified diff")
    p.add_argument(
        "-j", "--jobs", type=_jobs, default=1, metavar="N", help="parallel processes (0: one per core)"
    )
    p.add_argument(
        "--baseline",
        metavar="FILE",
        help=f"report only findings not recorded in FILE (default: {baseline_mod.DEFAULT_PATH} when it exists)",
    )
    p.add_argument("--no-baseline", action="store_true", help=f"do not read {baseline_mod.DEFAULT_PATH}")
    p.add_argument("--write-baseline", metavar="FILE", help="record every current finding in FILE and exit 0")
    p.add_argument(
        "--compile-commands", metavar="FILE", help="compile_commands.json (default: the nearest one)"
    )
    p.add_argument(
        "--no-compile-commands",
        action="store_true",
        help="analyse every #if branch, ignoring compile_commands.json",
    )
    p.add_argument(
        "--srcroot", metavar="DIR", default=".", help="SARIF %%SRCROOT%% (default: the current directory)"
    )


def collect_files(paths: list[str], strict: bool, errors: list[str], warnings: list[str]) -> list[str]:
    """Source files under the paths; a path without sources is a warning (an error with --strict)."""
    from hpclsp.files import iter_source_files

    files: list[str] = []
    seen: set[str] = set()
    for path in paths:
        found = list(iter_source_files([path], errors))
        if not found and os.path.isdir(path):
            msg = f"{path}: no C, C++, CUDA or Fortran sources found"
            (errors if strict else warnings).append(msg)
        for f in found:  # a file named twice (itself and through its directory) is checked once
            key = os.path.realpath(f)
            if key not in seen:
                seen.add(key)
                files.append(f)
    return files


def run(args: argparse.Namespace) -> int:
    """Analyse every file; print findings; exit 0/1/2."""
    err = sys.stderr
    if args.fix and args.diff:
        print("hpclsp check: --fix and --diff cannot be combined", file=err)
        return 2
    try:
        resolver = Resolver(args)
        base = _load_baseline(args)
    except (UsageError, OSError, ValueError) as exc:
        print(f"hpclsp check: {exc}", file=err)
        return 2
    if args.compile_commands and not os.path.isfile(args.compile_commands):
        print(f"hpclsp check: --compile-commands {args.compile_commands}: no such file", file=err)
        return 2
    errors: list[str] = []
    warnings: list[str] = []
    files = collect_files(args.paths, args.strict, errors, warnings)
    try:
        jobs = [
            runner.Job(
                path=f,
                options=resolver.options(f),
                strict=args.strict,
                fix=args.fix or args.diff,
                database=args.compile_commands,
                use_database=not args.no_compile_commands,
            )
            for f in files
        ]
    except UsageError as exc:
        print(f"hpclsp check: {exc}", file=err)
        return 2
    warnings.extend(resolver.warnings)
    try:
        results = list(runner.run_jobs(jobs, args.jobs, base))
    except (OSError, RuntimeError) as exc:  # a worker process died (BrokenProcessPool is a RuntimeError)
        print(f"hpclsp check: analysis failed: {type(exc).__name__}: {exc}", file=err)
        return 2
    return finish(args, results, errors, warnings)


def finish(
    args: argparse.Namespace, results: list[runner.FileResult], errors: list[str], warnings: Iterable[str]
) -> int:
    """Write fixes or a baseline, print the report, and choose the exit code."""
    err = sys.stderr
    for r in results:
        errors.extend(r.errors)
        for msg in r.internal:
            print(f"{r.path}: {msg}", file=err)
    for w in warnings:
        print(f"hpclsp check: warning: {w}", file=err)
    if args.write_baseline:
        pairs = [(r.path, [f for f, _ in r.unbaselined], [p for _, p in r.unbaselined]) for r in results]
        try:
            n = baseline_mod.write(args.write_baseline, pairs)
        except OSError as exc:
            print(f"hpclsp check: {args.write_baseline}: {exc.strerror or exc}", file=err)
            return 2
        print(f"hpclsp check: recorded {n} finding(s) in {args.write_baseline}", file=err)
        _print_errors(errors)
        return 2 if errors else 0
    if args.fix:
        _write_fixes(results, errors)
    if args.diff:
        code = 1 if any(r.diff for r in results) else 0
        output.emit("".join(r.diff for r in results))
    else:
        n = sum(len(r.findings) for r in results)
        code = 1 if n else 0
        if args.format == "json":
            data = [f.to_json(r.path) for r in results for f in r.findings]
            output.emit(json.dumps(data, indent=2) + "\n")
        elif args.format == "sarif":
            from hpclsp import sarif

            log = sarif.to_sarif([(r.path, r.findings, r.fingerprints) for r in results], args.srcroot)
            output.emit(json.dumps(log, indent=2) + "\n")
        else:
            output.emit(output.text_report(results))
            if n:
                print(f"{n} finding(s) in {sum(1 for r in results if r.findings)} file(s)", file=err)
    _print_errors(errors)
    if errors:
        return 2
    return 0 if args.exit_zero else code


def _write_fixes(results: list[runner.FileResult], errors: list[str]) -> None:
    for r in results:
        if r.fixed_text is None:
            continue
        try:
            with open(r.path, "w", encoding="utf-8", newline="") as fh:
                fh.write(r.fixed_text)
        except OSError as exc:
            errors.append(f"{r.path}: {exc.strerror or exc}")
            continue
        print(f"{r.path}: applied {r.applied} fix(es)", file=sys.stderr)


def _print_errors(errors: list[str]) -> None:
    for e in errors:
        print(f"hpclsp check: {e}", file=sys.stderr)


def _load_baseline(args: argparse.Namespace) -> baseline_mod.Baseline | None:
    """The baseline to filter with: --baseline, else the default file when present (not when writing one)."""
    if args.write_baseline or args.no_baseline:
        return None
    path = args.baseline
    if path is None and os.path.isfile(baseline_mod.DEFAULT_PATH):
        path = baseline_mod.DEFAULT_PATH
    return baseline_mod.Baseline.load(path) if path else None
