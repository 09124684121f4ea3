"""Fill-in-the-middle templates and stop tokens per model family, and family detection.

The family is detected from the GGUF metadata and vocabulary (the FIM control tokens a model was
trained with are in its vocabulary), or from the model name for remote servers. Models without
FIM tokens (e.g. Gemma 3 270M, the embedded default) get a prefix-only continuation prompt.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

# DeepSeek-Coder's control tokens use FULLWIDTH VERTICAL LINE and LOWER ONE EIGHTH BLOCK.
_DS_BAR = "\uff5c"
_DS_SP = "\u2581"
DS_BEGIN = f"<{_DS_BAR}fim{_DS_SP}begin{_DS_BAR}>"
DS_HOLE = f"<{_DS_BAR}fim{_DS_SP}hole{_DS_BAR}>"
DS_END = f"<{_DS_BAR}fim{_DS_SP}end{_DS_BAR}>"
DS_EOS = f"<{_DS_BAR}end{_DS_SP}of{_DS_SP}sentence{_DS_BAR}>"


@dataclasses.dataclass(frozen=True)
class Snippet:
    """A retrieved piece of context: a card or example, with where it came from."""

    title: str
    text: str
    source: str = ""


@dataclasses.dataclass(frozen=True)
class Family:
    """A model family: how to lay out a FIM prompt and where generation must stop."""

    name: str
    fim: bool
    stop: tuple[str, ...]
    #: Whether retrieved snippets go in as separate "files" (Qwen2.5-Coder repo-level format).
    file_separators: bool = False

    def render(
        self,
        prefix: str,
        suffix: str,
        snippets: Iterable[Snippet] = (),
        *,
        path: str = "",
        language: str = "c",
        repo: str = "",
    ) -> str:
        """The prompt text for this family (prefix/suffix already truncated by the caller)."""
        snippets = list(snippets)
        if self.name == "qwen2.5-coder":
            head = f"<|repo_name|>{repo or 'workspace'}\n"
            for s in snippets:
                head += f"<|file_sep|>{s.source or s.title}\n{s.text.rstrip()}\n"
            head += f"<|file_sep|>{path or 'main'}\n"
            return f"{head}<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>"
        context = comment_block(snippets, language)
        if self.name == "starcoder":
            return f"<fim_prefix>{context}{prefix}<fim_suffix>{suffix}<fim_middle>"
        if self.name == "codellama":
            return f"<PRE> {context}{prefix} <SUF>{suffix} <MID>"
        if self.name == "deepseek-coder":
            return f"{DS_BEGIN}{context}{prefix}{DS_HOLE}{suffix}{DS_END}"
        if self.name == "codestral":
            return f"[SUFFIX]{suffix}[PREFIX]{context}{prefix}"
        return f"{context}{prefix}"


FAMILIES: dict[str, Family] = {
    "starcoder": Family(
        "starcoder",
        True,
        ("<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<file_sep>", "<|end_of_text|>"),
    ),
    "codellama": Family("codellama", True, ("<EOT>", "<PRE>", "<SUF>", "<MID>", "</s>")),
    "deepseek-coder": Family("deepseek-coder", True, (DS_EOS, DS_BEGIN, DS_HOLE, DS_END, "<|EOT|>")),
    "qwen2.5-coder": Family(
        "qwen2.5-coder",
        True,
        (
            "<|endoftext|>",
            "<|fim_prefix|>",
            "<|fim_suffix|>",
            "<|fim_middle|>",
            "<|fim_pad|>",
            "<|file_sep|>",
            "<|repo_name|>",
            "<|im_end|>",
        ),
        file_separators=True,
    ),
    "codestral": Family("codestral", True, ("</s>", "[INST]", "[SUFFIX]", "[PREFIX]", "[MIDDLE]")),
    "none": Family("none", False, ("<eos>", "<end_of_turn>", "</s>", "<|endoftext|>", "<|im_end|>")),
}

#: Vocabulary markers, checked in order (Qwen before StarCoder: both have fim_* names).
_VOCAB_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("qwen2.5-coder", ("<|fim_prefix|>", "<|fim_middle|>", "<|file_sep|>")),
    ("deepseek-coder", (DS_BEGIN, DS_HOLE)),
    ("starcoder", ("<fim_prefix>", "<fim_middle>")),
    ("codestral", ("[SUFFIX]", "[PREFIX]")),
    ("codellama", ("\u2581<PRE>", "\u2581<MID>")),
    ("codellama", ("<PRE>", "<MID>", "<SUF>")),
)

_NAME_HINTS: tuple[tuple[str, str], ...] = (
    ("qwen2.5-coder", "qwen2.5-coder"),
    ("qwen2.5coder", "qwen2.5-coder"),
    ("qwen-coder", "qwen2.5-coder"),
    ("deepseek-coder", "deepseek-coder"),
    ("deepseekcoder", "deepseek-coder"),
    ("starcoder", "starcoder"),
    ("codestral", "codestral"),
    ("codellama", "codellama"),
    ("code-llama", "codellama"),
)


def family_from_vocab(tokens: Iterable[str]) -> str | None:
    """The family whose FIM control tokens are all in the vocabulary, if any."""
    vocab = set(tokens)
    for name, markers in _VOCAB_MARKERS:
        if all(m in vocab for m in markers):
            return name
    return None


def family_from_name(name: str) -> str | None:
    """A family guessed from a model name (remote servers, or GGUF ``general.name``)."""
    low = name.lower().replace("_", "-").replace(" ", "-")
    for hint, fam in _NAME_HINTS:
        if hint in low:
            return fam
    return None


def detect_family(metadata: dict[str, object], tokens: Iterable[str] | None) -> Family:
    """The family for a GGUF model: vocabulary first, then architecture/name, else prefix-only."""
    if tokens is not None:
        fam = family_from_vocab(tokens)
        if fam:
            return FAMILIES[fam]
        # A vocabulary without FIM tokens means no FIM, whatever the name says.
        return FAMILIES["none"]
    arch = str(metadata.get("general.architecture", ""))
    name = str(metadata.get("general.name", ""))
    fam = family_from_name(name)
    if fam is None and arch in ("starcoder", "starcoder2"):
        fam = "starcoder"
    return FAMILIES[fam or "none"]


def comment_prefix(language: str) -> str:
    """The line-comment marker for a language."""
    return "! " if language == "fortran" else "// "


def comment_block(snippets: Iterable[Snippet], language: str) -> str:
    """Retrieved snippets as a comment block to put before the prefix."""
    mark = comment_prefix(language)
    out: list[str] = []
    for s in snippets:
        out.append(f"{mark}Reference: {s.title}".rstrip())
        for line in s.text.strip("\n").splitlines():
            out.append(f"{mark}{line}".rstrip())
    return "\n".join(out) + "\n" if out else ""


def marker_tokens() -> list[str]:
    """Every FIM control token the detector looks for (for a byte search of the vocabulary)."""
    return sorted({m for _, markers in _VOCAB_MARKERS for m in markers})
