"""Label-free copies of benchmark cases: neutral names, blanked comments and reference pragmas.

The public suites carry their answers in file names (``-yes``/``_no``), header comments ("Data race
pair: ...", "line 17"), GPUVerify's ``//pass``/``//xfail`` lines and AutoParBench's expert pragmas.
Before the analysis sees a case, ``stage`` copies it to ``caseNNNN.<ext>`` in a fresh directory,
replaces every character of every comment by a space (newlines kept, so lines and columns do not
move), renames identifiers that repeat the file's name or have a ``_yes``/``_no`` part to neutral names
of the same length, optionally blanks ``#pragma omp`` lines (and Fortran ``!$omp`` directives), and copies the headers it includes with quotes to the
same relative places (so ``#include "polybench/polybench.h"`` or ``../common/x.h`` still resolve).
Scoring always reads the original file.
"""

from __future__ import annotations

import hashlib
import os
import re

from hpclsp.analysis import languages

_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"\n]+)"', re.M)
_FORTRAN_INCLUDE = re.compile(r"^[ \t]*include[ \t]*['\"]([^'\"\n]+)['\"]", re.M | re.I)
_OMP_PRAGMA = re.compile(r"^[ \t]*#[ \t]*pragma[ \t]+omp\b")
_LABEL_WORDS = {"yes", "no"}
_IDENT = re.compile(r"\b[A-Za-z_]\w*\b")


def _space(chars: list[str], start: int, end: int) -> None:
    """Replace chars[start:end] by spaces, keeping newlines (and carriage returns)."""
    for k in range(start, end):
        if chars[k] not in "\r\n":
            chars[k] = " "


def blank_c_comments(text: str) -> str:
    """C, C++ and CUDA text with every ``//`` and ``/* */`` comment turned into spaces."""
    chars = list(text)
    n = len(text)
    i = 0
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            i = _skip_c_literal(text, i)
        elif text.startswith("//", i):
            j = i
            while j < n and not (text[j] == "\n" and not _spliced(text, j)):
                j += 1
            _space(chars, i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            _space(chars, i, j)
            i = j
        else:
            i += 1
    return "".join(chars)


def _spliced(text: str, newline: int) -> bool:
    """Whether the newline at this index follows a backslash (a line splice that continues a comment)."""
    k = newline - 1
    if k >= 0 and text[k] == "\r":
        k -= 1
    return k >= 0 and text[k] == "\\"


def _skip_c_literal(text: str, i: int) -> int:
    """The index after the string or character literal that starts at i (ends at a newline if unclosed)."""
    quote = text[i]
    j = i + 1
    n = len(text)
    while j < n:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == quote:
            return j + 1
        if ch == "\n":
            return j
        j += 1
    return n


def blank_fortran_comments(text: str, fixed_form: bool) -> str:
    """Fortran text with comments turned into spaces; OpenMP sentinels (``!$omp``, ``!$``) are kept."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        out.append(_blank_fortran_line(body, fixed_form) + ending)
    return "".join(out)


def _blank_fortran_line(body: str, fixed_form: bool) -> str:
    """One Fortran line (without its newline) with its comment part blanked."""
    start = 0
    stripped = body.lstrip()
    if fixed_form and body[:1] in ("c", "C", "*", "!"):
        if body[1:2] == "$":
            start = 2  # c$omp / !$omp / *$omp directive or conditional compilation line
        else:
            return " " * len(body)
    elif stripped.startswith("!$"):
        start = len(body) - len(stripped) + 2
    quote = ""
    for k in range(start, len(body)):
        ch = body[k]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "!":
            return body[:k] + " " * (len(body) - k)
    return body


def blank_comments(text: str, path: str) -> str:
    """Blank the comments of a source or header file, by its language (unknown: C rules)."""
    if languages.language_for_path(path) == "fortran":
        return blank_fortran_comments(text, languages.is_fixed_form(path))
    return blank_c_comments(text)


def blank_omp_pragmas(text: str) -> str:
    """Replace every ``#pragma omp`` line (and its backslash continuation lines) by spaces."""
    lines = text.splitlines(keepends=True)
    k = 0
    while k < len(lines):
        if _OMP_PRAGMA.match(lines[k]):
            while True:
                body = lines[k].rstrip("\r\n")
                lines[k] = " " * len(body) + lines[k][len(body) :]
                k += 1
                if not body.endswith("\\") or k >= len(lines):
                    break
        else:
            k += 1
    return "".join(lines)


_F_OMP_DIRECTIVE = re.compile(r"^[ \t]*!\$omp|^[cC*]\$omp", re.I)


def blank_fortran_directives(text: str) -> str:
    """Replace every Fortran OpenMP directive line (``!$omp``, fixed-form ``c$omp``/``*$omp``, continuation
    lines included, each of which carries the sentinel) by spaces; ``!$`` conditional lines are kept."""
    lines = text.splitlines(keepends=True)
    for k, line in enumerate(lines):
        if _F_OMP_DIRECTIVE.match(line):
            body = line.rstrip("\r\n")
            lines[k] = " " * len(body) + line[len(body) :]
    return "".join(lines)


def _neutral_name(name: str) -> str:
    """A same-length identifier that does not carry the original's words (stable per name, any case)."""
    digest = hashlib.sha1(name.lower().encode()).hexdigest() * 2
    return ("x" + digest)[: len(name)]


def rename_labelled_names(text: str, stem: str) -> str:
    """Rename identifiers that repeat the file's name or have a ``_yes``/``_no`` part (e.g. DataRaceBench's
    Fortran ``program DRB001_antidep1_orig_yes``) to same-length neutral names, consistently."""
    stem_ident = re.sub(r"\W", "_", stem).lower()

    def sub(m: re.Match[str]) -> str:
        name = m.group(0)
        if name.lower() == stem_ident or _LABEL_WORDS & set(name.split("_")[1:]):
            return _neutral_name(name)
        return name

    return _IDENT.sub(sub, text)


def _includes(text: str) -> list[str]:
    """Quoted include names of a file (C preprocessor and Fortran ``include`` lines)."""
    return _INCLUDE.findall(text) + _FORTRAN_INCLUDE.findall(text)


def resolve_include(name: str, including_dir: str, suite_root: str) -> str | None:
    """Where a quoted include is found: beside the includer, else in an ancestor (or its ``include/``)."""
    cand = os.path.normpath(os.path.join(including_dir, name))
    if os.path.isfile(cand):
        return cand
    root = os.path.abspath(suite_root)
    d = os.path.abspath(including_dir)
    while d.startswith(root):
        for base in (d, os.path.join(d, "include")):
            cand = os.path.normpath(os.path.join(base, name))
            if os.path.isfile(cand):
                return cand
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return None


def header_closure(case: str, suite_root: str) -> list[tuple[str, str]]:
    """(path relative to the case's directory where the header must appear, original path) for every
    header the case reaches through quoted includes, transitively."""
    out: dict[str, str] = {}
    todo = [(case, "")]  # (original file, its staged directory relative to the case's directory)
    seen = {os.path.abspath(case)}
    while todo:
        path, rel_dir = todo.pop()
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            continue
        for name in _includes(text):
            found = resolve_include(name, os.path.dirname(path), suite_root)
            if found is None:
                continue  # a system or library header (mpi.h, cuda.h, ...)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            out.setdefault(rel, found)
            if os.path.abspath(found) not in seen:
                seen.add(os.path.abspath(found))
                todo.append((found, os.path.dirname(rel)))
    return sorted(out.items())


def _depth_needed(rels: list[str]) -> int:
    """How many directory levels the case must sit below its root so no ``../`` header escapes it."""
    need = 0
    for rel in rels:
        up = 0
        for part in rel.replace("\\", "/").split("/"):
            if part == "..":
                up += 1
        need = max(need, up)
    return need


def stage(case: str, index: int, dest_root: str, suite_root: str, blank_pragmas: bool = False) -> str:
    """Copy a case (and its headers) to ``dest_root/caseNNNN/.../caseNNNN.<ext>``; return the new path."""
    name = f"case{index:04d}"
    _, ext = os.path.splitext(case)
    headers = header_closure(case, suite_root)
    case_dir = os.path.join(dest_root, name, *(["src"] * _depth_needed([r for r, _ in headers])))
    os.makedirs(case_dir, exist_ok=True)
    staged = os.path.join(case_dir, name + ext)
    _write_blanked(case, staged, blank_pragmas, case)
    for rel, original in headers:
        target = os.path.normpath(os.path.join(case_dir, rel))
        if not target.startswith(os.path.join(dest_root, name)):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _write_blanked(original, target, blank_pragmas, case)
    return staged


def _write_blanked(src: str, dst: str, blank_pragmas: bool, lang_path: str) -> None:
    """Write src's text to dst with comments (and optionally OpenMP pragmas) blanked, in lang_path's language."""
    with open(src, "rb") as fh:
        text = fh.read().decode("utf-8", errors="replace")
    if blank_pragmas:
        text = blank_omp_pragmas(text)
        if languages.language_for_path(lang_path) == "fortran":
            text = blank_fortran_directives(text)
    text = blank_comments(text, lang_path)
    text = rename_labelled_names(text, os.path.splitext(os.path.basename(lang_path))[0])
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
