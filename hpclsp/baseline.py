"""Baselines and fingerprints: adopt the linter on an existing code base, track findings across commits.

A finding's fingerprint hashes its code, the text of the line it starts on (whitespace collapsed)
and how many earlier findings in the file share those two, never its line number: an edit elsewhere
in the file moves a finding without changing its fingerprint. ``hpclsp check --write-baseline``
records the fingerprints of today's findings; ``--baseline`` then reports only findings whose
(path, code, fingerprint) is not recorded. SARIF's ``partialFingerprints`` use the same value.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from typing import Any

from hpclsp.analysis.findings import Finding

DEFAULT_PATH = ".hpclsp-baseline.json"
VERSION = 1
FINGERPRINT_KEY = "hpclspFingerprint/v1"


def _line_text(lines: Sequence[str], line: int) -> str:
    return " ".join(lines[line].split()) if 0 <= line < len(lines) else ""


def fingerprints(lines: Sequence[str], findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding (in the given order), independent of line numbers."""
    seen: collections.Counter[tuple[str, str]] = collections.Counter()
    out = []
    for f in findings:
        key = (f.code, _line_text(lines, f.span.start.line))
        seen[key] += 1
        h = hashlib.sha256(f"{key[0]}\0{key[1]}\0{seen[key]}".encode("utf-8", "surrogatepass"))
        out.append(h.hexdigest()[:32])
    return out


def relpath(path: str, root: str) -> str:
    """A path relative to root with forward slashes (absolute when it is outside root)."""
    ap, ar = os.path.abspath(path), os.path.abspath(root)
    try:
        rel = os.path.relpath(ap, ar)
    except ValueError:  # another drive
        return ap.replace(os.sep, "/")
    if rel == ".." or rel.startswith(".." + os.sep):
        return ap.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


class Baseline:
    """Recorded (path, code, fingerprint) keys, with counts, relative to the baseline file's directory."""

    def __init__(self, root: str, keys: collections.Counter[tuple[str, str, str]] | None = None) -> None:
        self.root = root
        self.keys: collections.Counter[tuple[str, str, str]] = keys or collections.Counter()

    @classmethod
    def load(cls, path: str) -> Baseline:
        """Read a baseline file; raises OSError or ValueError on a missing or malformed file."""
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
            raise ValueError(f"{path}: not an hpclsp baseline (expected an object with 'findings')")
        keys: collections.Counter[tuple[str, str, str]] = collections.Counter()
        for item in data["findings"]:
            try:
                keys[(str(item["path"]), str(item["code"]), str(item["fingerprint"]))] += 1
            except (KeyError, TypeError) as exc:
                raise ValueError(f"{path}: malformed entry {item!r}") from exc
        return cls(os.path.dirname(os.path.abspath(path)), keys)

    def key(self, path: str, finding: Finding, fingerprint: str) -> tuple[str, str, str]:
        """The key of one finding."""
        return (relpath(path, self.root), finding.code, fingerprint)

    def filter(self, path: str, lines: Sequence[str], findings: list[Finding]) -> list[Finding]:
        """The findings of one file that the baseline does not record (each record absorbs one finding)."""
        left = self.keys.copy()
        out = []
        for f, fp in zip(findings, fingerprints(lines, findings), strict=True):
            k = self.key(path, f, fp)
            if left[k] > 0:
                left[k] -= 1
            else:
                out.append(f)
        return out


def write(path: str, results: Iterable[tuple[str, list[Finding], list[str]]]) -> int:
    """Write a baseline of (path, findings, fingerprints) results; returns how many findings it records."""
    root = os.path.dirname(os.path.abspath(path))
    entries: list[dict[str, Any]] = []
    for file, findings, prints in results:
        for f, fp in zip(findings, prints, strict=True):
            entries.append(
                {"path": relpath(file, root), "code": f.code, "fingerprint": fp, "message": f.message}
            )
    entries.sort(key=lambda e: (e["path"], e["code"], e["fingerprint"]))
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"version": VERSION, "tool": "hpclsp", "findings": entries}, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, path)
    return len(entries)
