"""``hpclsp doctor``: check the environment and say what is wrong and how to fix it."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from hpclsp.doctor import Check

HELP = "check the environment (grammars, model file, embedder, indexes, versions)"

#: Modules that contribute ``doctor_checks()``.
PROVIDERS = ("hpclsp.doctor", "hpclsp.llm", "retrieval")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments of ``hpclsp doctor``."""
    p.add_argument("--format", choices=("text", "json"), default="text")


def collect() -> list[Check]:
    """Run every provider's checks; a provider that fails becomes a failed check."""
    checks: list[Check] = []
    for modname in PROVIDERS:
        try:
            mod = importlib.import_module(modname)
            fn = getattr(mod, "doctor_checks", None)
            if fn is not None:
                checks.extend(fn())
        except Exception as exc:
            checks.append(Check(modname, False, f"{type(exc).__name__}: {exc}", "reinstall hpclsp: make run"))
    return checks


def run(args: argparse.Namespace) -> int:
    """Print every check; exit 1 if a required one failed."""
    checks = collect()
    if args.format == "json":
        print(json.dumps([c.__dict__ for c in checks], indent=2))
    else:
        for c in checks:
            mark = "ok  " if c.ok else ("FAIL" if c.required else "warn")
            print(f"[{mark}] {c.name}: {c.detail}")
            if not c.ok and c.fix:
                print(f"       fix: {c.fix}")
    failed = [c for c in checks if not c.ok and c.required]
    if failed:
        print(f"{len(failed)} problem(s) found", file=sys.stderr)
    return 1 if failed else 0
