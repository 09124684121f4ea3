"""The ``hpclsp`` command line: one subcommand per module in ``hpclsp.commands``.

Each command module defines ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``, and
keeps heavy imports (torch, faiss, llama.cpp) inside ``run`` so ``hpclsp --help`` stays fast.
Exit codes follow SPEC §3: 0 ok / no findings, 1 findings, 2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from hpclsp import __version__

COMMANDS: tuple[tuple[str, str], ...] = (
    ("serve", "hpclsp.commands.serve"),
    ("check", "hpclsp.commands.check"),
    ("suggest", "hpclsp.commands.suggest"),
    ("index", "hpclsp.commands.index"),
    ("complete", "hpclsp.commands.complete"),
    ("demo", "hpclsp.commands.demo"),
    ("doctor", "hpclsp.commands.doctor"),
    ("rules", "hpclsp.commands.rules"),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="hpclsp",
        description="HPC-aware language server and linter for C, C++, CUDA and Fortran.",
    )
    parser.add_argument("--version", action="version", version=f"hpclsp {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, modname in COMMANDS:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            if exc.name == modname:
                continue  # command not part of this build
            raise
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): keep the exit code quiet and clean
        _silence_stdout()
        return 0


def _silence_stdout() -> None:
    """Point stdout at the null device so the interpreter's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
