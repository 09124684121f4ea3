"""Settings for ``hpclsp check``: the nearest ``hpclsp.toml`` or ``[tool.hpclsp]``, then the command line.

The files are parsed by ``hpclsp.config`` (the server's parser), so the CLI and the editor read the
same keys the same way. Codes and globs in ``--select``/``--ignore`` and in
``diagnostics.select/ignore`` must name at least one rule: a typo would otherwise switch checks off
without a word.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import Any

from hpclsp import config, suppressions
from hpclsp.analysis.context import Options

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class UsageError(Exception):
    """A problem with the command line or a configuration file (exit 2)."""


@dataclasses.dataclass
class ConfigFile:
    """A configuration file found for a directory (``path`` None: none, defaults apply)."""

    path: str | None
    settings: config.Settings
    problems: list[str]


def known_codes() -> list[str]:
    """Every code ``check`` can report."""
    from hpclsp.analysis.rules import all_codes

    return sorted({*all_codes(), *suppressions.CODES})


def unknown_patterns(patterns: list[str]) -> list[str]:
    """The patterns that match no known code."""
    from hpclsp.analysis.rules import code_matches

    codes = known_codes()
    return [p for p in patterns if not any(code_matches(c, (p,)) for c in codes)]


def read_config_file(path: str) -> ConfigFile:
    """Parse an ``hpclsp.toml`` or a ``pyproject.toml`` (its ``[tool.hpclsp]`` table)."""
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: cannot read settings ({exc})") from exc
    if os.path.basename(path) == "pyproject.toml":
        data: Any = raw.get("tool", {}).get("hpclsp")
    else:  # hpclsp.toml: the settings at the top level or under [hpclsp], as the server reads it
        data = raw["hpclsp"] if isinstance(raw.get("hpclsp"), dict) else raw
    settings, more = config.from_dict(data)
    return ConfigFile(path, settings, more)


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "hpclsp" in tool


def find_config(directory: str) -> str | None:
    """The nearest ``hpclsp.toml``, or ``pyproject.toml`` with ``[tool.hpclsp]``, at or above a directory."""
    d = os.path.abspath(directory)
    while True:
        cand = os.path.join(d, "hpclsp.toml")
        if os.path.isfile(cand):
            return cand
        cand = os.path.join(d, "pyproject.toml")
        if os.path.isfile(cand) and _has_tool_table(cand):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


class Resolver:
    """Engine options per file: its configuration file, then the command line (cached by directory)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._by_dir: dict[str, str | None] = {}
        self._configs: dict[str | None, tuple[ConfigFile, Options]] = {}
        self.warnings: list[str] = []
        for name in ("select", "ignore"):
            bad = unknown_patterns(getattr(args, name))
            if bad:
                raise UsageError(
                    f"--{name}: {', '.join(bad)} {'matches' if len(bad) == 1 else 'match'} no rule"
                )
        self.explicit = getattr(args, "config", None)
        if self.explicit and not os.path.isfile(self.explicit):
            raise UsageError(f"--config {self.explicit}: no such file")

    def config_path(self, file: str) -> str | None:
        """The configuration file that governs a source file."""
        if self.explicit:
            return str(self.explicit)
        if getattr(self.args, "no_config", False):
            return None
        d = os.path.dirname(os.path.abspath(file))
        if d not in self._by_dir:
            self._by_dir[d] = find_config(d)
        return self._by_dir[d]

    def options(self, file: str) -> Options:
        """The engine options for a file (raises UsageError for a bad configuration file)."""
        path = self.config_path(file)
        hit = self._configs.get(path)
        if hit is None:
            cfg = read_config_file(path) if path else ConfigFile(None, config.Settings(), [])
            self.warnings.extend(f"{path}: {p}" for p in cfg.problems)
            d = cfg.settings.diagnostics
            for name, patterns in (("select", d.select), ("ignore", d.ignore)):
                bad = unknown_patterns(patterns)
                if bad:
                    raise UsageError(f"{path}: diagnostics.{name}: {', '.join(bad)} matches no rule")
            hit = (cfg, self._build(cfg.settings))
            self._configs[path] = hit
        return hit[1]

    def _build(self, s: config.Settings) -> Options:
        a = self.args
        d = s.diagnostics
        return Options(
            select=tuple(a.select) if a.select else tuple(d.select),
            ignore=(*d.ignore, *a.ignore),
            hints=s.suggestions.hints and not a.no_hints,
            low_confidence=d.low_confidence and not a.no_low_confidence,
            budget=30.0,
            extra={"cuda_check_errors": d.cuda_check_errors},
        )
