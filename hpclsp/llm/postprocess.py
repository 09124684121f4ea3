"""Shaping model output into a good inline completion.

- ``decide_multiline``: single- or multi-line, from the syntax tree around the cursor.
- ``StopPolicy``: checked after every generated token; stops at stop words (per language,
  directive-aware), at the end of the line (single-line), or at the end of the enclosing block.
- ``finish``: post-processing of the final text: drop text duplicated from the suffix and
  closers that have no opener.
"""

from __future__ import annotations

import dataclasses
import re

from hpclsp.analysis import languages

# Stop words by language: generation past these starts a new top-level thing we should not write.
_STOP_C = ("\n#include", "\n#define ", "\nint main(", "\nstatic ", "```", "\n\n\n")
_STOP_CUDA = _STOP_C + ("\n__global__", "\n__device__", "\n__host__", "\ntemplate <")
_STOP_FORTRAN = (
    "\nprogram ",
    "\nmodule ",
    "\ncontains",
    "\nCONTAINS",
    "\nPROGRAM ",
    "\nMODULE ",
    "```",
    "\n\n\n",
)

STOP_WORDS: dict[str, tuple[str, ...]] = {
    "c": _STOP_C,
    "cpp": _STOP_C + ("\ntemplate <", "\nnamespace "),
    "cuda": _STOP_CUDA,
    "fortran": _STOP_FORTRAN,
}

_DIRECTIVE_LINE = re.compile(r"^\s*(#\s*pragma\b|#\s*\w+|[!cC*]\$(omp|acc)?\b|!\$)", re.IGNORECASE)
_FORTRAN_DIRECTIVE = re.compile(r"^\s*[!cC*]\$(omp|acc)?", re.IGNORECASE)

# Fortran block structure, line based (the grammar does not help for half-written code).
_F_OPEN = re.compile(
    r"^\s*(\w+\s*:\s*)?("
    r"do\b(?!\s*=)|if\s*\(.*\)\s*then\s*(!.*)?$|select\s+(case|type)\b|block\b\s*(!.*)?$|associate\b|critical\b"
    r"|where\s*\(.*\)\s*(!.*)?$|forall\s*\(.*\)\s*(!.*)?$"
    r"|((pure|elemental|recursive|impure|module)\s+)*(subroutine|function)\b|program\b|module\s+(?!procedure)\w+"
    r"|interface\b|type\s*(,.*)?::\s*\w+\s*(!.*)?$|type\s+\w+\s*(!.*)?$"
    r"|(integer|real|double\s+precision|logical|complex)(\s*\(.*?\))?\s+(pure\s+|elemental\s+|recursive\s+)*function\b"
    r")",
    re.IGNORECASE,
)
_F_CLOSE = re.compile(
    r"^\s*(end\s*(do|if|select|subroutine|function|program|module|where|forall|block|associate|critical|type|interface)\b"
    r"|end\s*(!.*)?$)",
    re.IGNORECASE,
)

# A Fortran block header that is complete (the cursor at its end starts the body).
_F_HEADER_DONE = re.compile(
    r"^\s*(\w+\s*:\s*)?("
    r"do\s+\w+\s*=\s*[^,]+,\s*\S.*$|do\s+while\s*\(.*\)\s*$|if\s*\(.*\)\s*then\s*$"
    r"|((pure|elemental|recursive|impure|module)\s+)*(subroutine|function)\s+\w+\s*(\(.*\))?\s*(result\s*\(\w+\))?\s*$"
    r"|program\s+\w+\s*$|module\s+(?!procedure)\w+\s*$|select\s+case\s*\(.*\)\s*$|block\s*$"
    r")",
    re.IGNORECASE,
)

_C_SINGLE_LINE_ANCESTORS = frozenset(
    {
        "argument_list",
        "parameter_list",
        "parenthesized_expression",
        "condition_clause",
        "string_literal",
        "char_literal",
        "comment",
        "preproc_call",
        "preproc_def",
        "preproc_include",
        "preproc_function_def",
        "initializer_list",
        "subscript_expression",
        "template_argument_list",
        "kernel_call_syntax",
    }
)
_F_SINGLE_LINE_ANCESTORS = frozenset(
    {"argument_list", "parenthesized_expression", "string_literal", "comment", "keyword_argument"}
)


def is_directive_line(line: str, language: str) -> bool:
    """True for preprocessor/OpenMP directive lines (``#pragma omp``, ``!$omp``, ``#include``...)."""
    if language == "fortran":
        return bool(_FORTRAN_DIRECTIVE.match(line))
    return bool(_DIRECTIVE_LINE.match(line)) and line.lstrip().startswith("#")


def _node_at(tree, row: int, byte_col: int):
    try:
        return tree.root_node.descendant_for_point_range((row, byte_col), (row, byte_col))
    except Exception:
        return None


def decide_multiline(lines: list[str], language: str, line: int, col: int, tree=None) -> bool:
    """Multi-line at an empty line inside a block or after a block header; single-line elsewhere."""
    text = lines[line] if 0 <= line < len(lines) else ""
    before, after = text[:col], text[col:]
    if after.strip():
        return False  # completing inside a line
    if is_directive_line(before, language):
        return False
    if tree is not None:
        node = _node_at(tree, line, len(before.encode("utf-8")))
        single = _F_SINGLE_LINE_ANCESTORS if language == "fortran" else _C_SINGLE_LINE_ANCESTORS
        depth = 0
        while node is not None and depth < 64:
            if node.type in single and node.start_point[0] == line:
                return False
            node = node.parent
            depth += 1
    if not before.strip():
        return True
    stripped = before.rstrip()
    if language == "fortran":
        return bool(_F_HEADER_DONE.match(stripped)) and not _F_CLOSE.match(stripped)
    return stripped.endswith("{")


def _strip_c_noise(line: str) -> str:
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])*'", "''", line)
    return line.split("//", 1)[0]


def _strip_f_noise(line: str) -> str:
    line = re.sub(r"'[^']*'|\"[^\"]*\"", "''", line)
    return line.split("!", 1)[0] if not _FORTRAN_DIRECTIVE.match(line) else ""


def _fortran_delta(line: str) -> int:
    code = _strip_f_noise(line)
    if not code.strip():
        return 0
    if _F_CLOSE.match(code):
        return -1
    if _F_OPEN.match(code):
        return 1
    return 0


def unmatched_closers(text: str, language: str, max_lines: int = 400) -> int:
    """How many blocks the text closes that it did not open (how deep the cursor sits)."""
    depth = lowest = 0
    for i, line in enumerate(text.splitlines()):
        if i >= max_lines:
            break
        if language == "fortran":
            depth += _fortran_delta(line)
            lowest = min(lowest, depth)
            continue
        for ch in _strip_c_noise(line):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                lowest = min(lowest, depth)
    return -lowest


def unmatched_openers(text: str, language: str, max_lines: int = 400) -> int:
    """How many blocks the text opens and leaves open (read from its last lines backwards)."""
    depth = lowest = 0
    for i, line in enumerate(reversed(text.splitlines())):
        if i >= max_lines:
            break
        if language == "fortran":
            depth -= _fortran_delta(line)
            lowest = min(lowest, depth)
            continue
        for ch in reversed(_strip_c_noise(line)):
            if ch == "}":
                depth += 1
            elif ch == "{":
                depth -= 1
                lowest = min(lowest, depth)
    return -lowest


@dataclasses.dataclass
class StopPolicy:
    """Decides, after each token, whether (and where) to cut the generated text."""

    language: str
    multiline: bool
    stop: tuple[str, ...] = ()
    max_lines: int = 12
    #: Blocks the suffix closes (the enclosing block's end already exists after the cursor).
    suffix_closers: int = 1
    #: Text of the cursor line before the cursor (for block tracking of its header).
    line_prefix: str = ""
    #: Stop at the end of the enclosing block (off for prose).
    track_blocks: bool = True
    #: Blocks open at the cursor (``unmatched_openers`` of the prefix); None: unknown.
    open_blocks: int | None = None

    def __post_init__(self) -> None:
        self.stop = tuple(self.stop) + STOP_WORDS.get(self.language, ())

    @property
    def allowed_closers(self) -> int:
        """Blocks the completion may close: those open at the cursor that the suffix leaves open."""
        if self.open_blocks is None:
            return 0 if self.suffix_closers > 0 else 1
        return max(0, self.open_blocks - self.suffix_closers)

    def cut(self, text: str) -> int | None:
        """The length to keep if generation must stop now, else None."""
        best: int | None = None
        for s in self.stop:
            i = text.find(s)
            if i >= 0 and (best is None or i < best):
                best = i
        if not self.multiline:
            end = self._line_end(text)
            if end is not None and (best is None or end < best):
                best = end
            return best
        b = self._block_end(text if best is None else text[:best]) if self.track_blocks else None
        if b is not None:
            best = b if best is None else min(best, b)
        # max lines
        count = 0
        for m in re.finditer("\n", text):
            count += 1
            if count >= self.max_lines:
                if best is None or m.start() < best:
                    best = m.start()
                break
        return best

    def _line_end(self, text: str) -> int | None:
        start = 0
        while True:
            i = text.find("\n", start)
            if i < 0:
                return None
            head = (self.line_prefix + text[:i]).rstrip()
            if head.endswith("\\") or (self.language == "fortran" and head.endswith("&")):
                start = i + 1  # a continued line (directive continuation)
                continue
            return i

    def _block_end(self, text: str) -> int | None:
        if self.language == "fortran":
            return self._fortran_block_end(text)
        depth = 0
        offset = 0
        allowed = self.allowed_closers
        for line in text.splitlines(keepends=True):
            code = _strip_c_noise(line)
            for j, ch in enumerate(code):
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if -depth > allowed:
                        # The suffix already closes this block: stop before the closer.
                        return offset if not line[:j].strip() else offset + j
                    if depth < 0 and -depth == allowed:  # closed what the suffix leaves open
                        return offset + j + 1
            offset += len(line)
        return None

    def _fortran_block_end(self, text: str) -> int | None:
        depth = 0
        offset = 0
        allowed = self.allowed_closers
        parts = text.splitlines(keepends=True)
        for k, line in enumerate(parts):
            complete = line.endswith("\n") or k < len(parts) - 1
            if complete:
                depth += _fortran_delta(line)
                if depth < 0 and -depth > allowed:
                    return offset
                if depth < 0 and -depth == allowed:
                    return offset + len(line.rstrip("\r\n"))
            offset += len(line)
        return None


def _bracket_balance(text: str) -> int:
    bal = 0
    for ch in _strip_c_noise(text) if "\n" not in text else text:
        if ch in "([":
            bal += 1
        elif ch in ")]":
            bal -= 1
    return bal


def finish(
    completion: str,
    line_prefix: str,
    line_suffix: str,
    suffix: str,
    multiline: bool,
    spare_closers: int | None = None,
) -> str:
    """Final clean-up: trailing space, suffix duplicates, unbalanced closers, and (single-line) a
    trailing ``{`` that nothing after the cursor would close (``spare_closers``: closers the suffix
    has beyond the blocks open at the cursor; None when unknown)."""
    text = completion.rstrip()
    if not multiline:
        text = text.split("\n", 1)[0] if "\\" not in text and "&" not in text else text
        if spare_closers is not None and spare_closers <= 0 and text.endswith("{") and text[:-1].strip():
            text = text[:-1].rstrip()
    # 1. text that repeats the rest of the line (e.g. the ")" or ");" already after the cursor)
    rest = line_suffix.rstrip()
    if rest:
        for k in range(len(rest), 0, -1):
            if text.endswith(rest[:k]) and rest[:k].strip():
                text = text[: len(text) - k]
                break
    # 2. closers without an opener on the line (the suffix or nothing needs them)
    if "\n" not in text:
        combined = line_prefix + text + rest
        bal = _bracket_balance(combined)
        while bal < 0 and text and text.rstrip()[-1:] in ")]":
            text = text.rstrip()[:-1]
            bal += 1
    # 3. whole trailing lines that repeat the first lines after the cursor
    if multiline and "\n" in text:
        following = [ln.strip() for ln in suffix.splitlines() if ln.strip()][:8]
        lines = text.split("\n")
        for n in range(min(len(lines) - 1, len(following)), 0, -1):
            tail = [ln.strip() for ln in lines[-n:]]
            if tail == following[:n] and all(tail):
                lines = lines[:-n]
                break
        text = "\n".join(lines).rstrip()
    return text


def stop_words(language: str) -> tuple[str, ...]:
    """The language's stop words (for remote servers, which apply them server-side too)."""
    return STOP_WORDS.get(language, ()) if language in languages.LANGUAGES else ()
