"""Environment checks shared by ``hpclsp doctor`` and the server's start-up messages."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Check:
    """One check: what was checked, whether it is fine, details, and how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    #: A failed optional check is a warning; a failed required one makes `doctor` exit 1.
    required: bool = True


def grammar_checks() -> list[Check]:
    """Each tree-sitter grammar loads and parses a line of its language."""
    from hpclsp.analysis import languages

    samples = {"c": b"int x;", "cpp": b"int x{};", "cuda": b"__global__ void k(){}", "fortran": b"end"}
    out = []
    for lang in languages.LANGUAGES:
        try:
            tree = languages.parse(lang, samples[lang])
            ok = not tree.root_node.has_error
            detail = f"tree-sitter grammar loaded (ABI {languages.ts_language(lang).abi_version})"
        except Exception as exc:  # a broken install
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        out.append(Check(f"grammar:{lang}", ok, detail, f"pip install --force-reinstall tree-sitter-{lang}"))
    return out


def doctor_checks() -> list[Check]:
    """Checks owned by the core: Python, pygls, grammars, rules."""
    import sys

    from hpclsp.analysis.rules import all_rules

    out = [
        Check("python", sys.version_info >= (3, 10), sys.version.split()[0], "use Python 3.10 or newer"),
        Check(
            "pygls", _version("pygls").startswith("pygls 2"), _version("pygls"), "pip install 'pygls>=2,<3'"
        ),
    ]
    out += grammar_checks()
    try:
        n = len(all_rules())
        out.append(Check("rules", n > 0, f"{n} rules registered"))
    except Exception as exc:
        out.append(Check("rules", False, f"{type(exc).__name__}: {exc}", "reinstall hpclsp"))
    return out


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return f"{dist} {metadata.version(dist)}"
    except metadata.PackageNotFoundError:
        return f"{dist} not installed"
