"""Writing ``hpclsp check``'s report to stdout, surviving a reader that stops early.

When stdout is a pipe whose reader has gone (``check | head -1``), the rest of the report is
dropped, stdout is pointed at the null device so the interpreter's final flush cannot fail, and the
exit code is still decided by the findings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from hpclsp.commands.check.runner import FileResult

_closed = False


def silence_stdout() -> None:
    """Point stdout at the null device (after a broken pipe)."""
    global _closed
    _closed = True
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def emit(text: str) -> bool:
    """Write text to stdout; False (and nothing more is written) once the reader has gone."""
    if _closed or not text:
        return not _closed
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    except BrokenPipeError:
        silence_stdout()
        return False


def text_lines(results: Iterable[FileResult]) -> Iterable[str]:
    """``path:line:col: severity: message [code]`` lines, with notes for related locations."""
    for r in results:
        for f in r.findings:
            s = f.span.start
            yield f"{r.path}:{s.line + 1}:{s.col + 1}: {f.severity.label}: {f.message} [{f.code}]\n"
            for rel in f.related:
                p = rel.span.start
                yield f"{rel.path or r.path}:{p.line + 1}:{p.col + 1}: note: {rel.message}\n"


def text_report(results: Iterable[FileResult]) -> str:
    """The whole text report."""
    return "".join(text_lines(results))
