"""``python -m bench.external [SUITE_DIR ...] [--suite NAME] [--json] [-v]``: figures on the public suites.

Without arguments every suite present under ``../shared/benchmarks`` (relative to the repository) is
scored. Prints, per suite and per language or category: precision, recall, F1 and accuracy per file
(per loop for the advisor, with the "suggested" verdict and exact clause sets), the right-line rate,
false alarms on correct files, time per file (median, worst) and the five slowest files.
``-v`` lists every misjudged file with what was found; ``--json`` prints everything as one object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.external.metrics import Row, format_row  # noqa: E402
from bench.external.score import run_suite, score_suite  # noqa: E402
from bench.external.suites import SUITES, Suite  # noqa: E402

DEFAULT_BASE = os.path.normpath(os.path.join(ROOT, "..", "shared", "benchmarks"))


def default_dir(name: str) -> str:
    """Where a suite is expected: ``../shared/benchmarks/<directory>`` relative to the repository."""
    return os.path.join(DEFAULT_BASE, SUITES[name].dirname if name in SUITES else name)


def _targets(args: argparse.Namespace) -> list[tuple[Suite, str]]:
    """(suite, directory) pairs from the arguments; with none, every suite whose directory exists."""
    out: list[tuple[Suite, str]] = []
    for d in args.dirs:
        name = os.path.basename(os.path.normpath(d))
        named = [s for s in SUITES.values() if s.dirname == name]
        if not named:
            dirs = ", ".join(dict.fromkeys(s.dirname for s in SUITES.values()))
            raise SystemExit(f"bench.external: {d}: not one of {dirs} (by directory name)")
        out += [(s, os.path.abspath(d)) for s in named]
    for name in args.suite or []:
        out.append((SUITES[name], default_dir(name)))
    if not out:
        out = [(s, default_dir(n)) for n, s in SUITES.items() if os.path.isdir(default_dir(n))]
    return out


def measure(suite: Suite, suite_dir: str, workers: int = 2, cpu_limit: float = 20.0) -> dict[str, Any]:
    """Run and score one suite; the report as plain data (rows as JSON objects)."""
    t0 = time.perf_counter()
    cases, outcomes = run_suite(suite, suite_dir, workers=workers, cpu_limit=cpu_limit)
    report = score_suite(suite, suite_dir, cases, outcomes)
    report["wall_seconds"] = round(time.perf_counter() - t0, 1)
    report["cpu_limit_seconds"] = cpu_limit
    return report


def print_report(report: dict[str, Any], verbose: bool) -> None:
    """The text form of one suite's report."""
    rows: dict[str, Row] = report["rows"]
    n_files = rows["all"].files
    print(
        f"== {report['suite']} ({report['revision']}): {n_files} files, {report['wall_seconds']} s wall, "
        f"CPU limit {report['cpu_limit_seconds']:.0f} s/file"
    )
    for row in rows.values():
        print(format_row(row, report["unit"]))
    print(
        "  slowest (CPU): "
        + ", ".join(
            f"{s['file']} {s['cpu_ms']} ms ({s['ms']} ms wall)" + (" (timed out)" if s["timed_out"] else "")
            for s in report["slowest"]
        )
    )
    if verbose:
        for m in report["misjudged"]:
            print("   ", json.dumps(m))


def main(argv: list[str] | None = None) -> int:
    """Score the requested suites and print the figures."""
    ap = argparse.ArgumentParser(prog="python -m bench.external", description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", metavar="SUITE_DIR", help="suite directories (named like the suites)")
    ap.add_argument(
        "--suite", action="append", choices=sorted(SUITES), help="a suite under ../shared/benchmarks"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    ap.add_argument("--json-out", metavar="FILE", help="also write the JSON object to FILE")
    ap.add_argument("-v", "--verbose", action="store_true", help="list misjudged files")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--cpu-limit", type=float, default=20.0, help="CPU seconds per file before a timeout")
    args = ap.parse_args(argv)
    targets = _targets(args)
    if not targets:
        print(f"bench.external: no suite found under {DEFAULT_BASE}", file=sys.stderr)
        return 2
    reports = []
    for suite, d in targets:
        if not os.path.isdir(d):
            print(f"bench.external: {d}: no such directory", file=sys.stderr)
            return 2
        report = measure(suite, d, workers=args.jobs, cpu_limit=args.cpu_limit)
        reports.append(report)
        if not args.json:
            print_report(report, args.verbose)
            sys.stdout.flush()
    for r in reports:
        r["rows"] = {k: v.to_json() for k, v in r["rows"].items()}
    data = {"suites": {r["suite"]: r for r in reports}}
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
    if args.json:
        json.dump(data, sys.stdout, indent=1)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
