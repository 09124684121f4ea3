"""Settings (SPEC §4): typed, validated, camelCase in JSON, snake_case in Python.

Sources, later ones win: defaults < ``hpclsp.toml`` at the workspace root < ``initializationOptions``
< ``workspace/configuration`` (section ``hpclsp``). Unknown keys and invalid values produce
messages and fall back to the defaults; they never raise.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import sys
from typing import Any, get_args, get_origin, get_type_hints

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

log = logging.getLogger(__name__)


@dataclasses.dataclass
class ModelSettings:
    """The generative model (inline completion, explanations)."""

    backend: str = "llama-cpp"  # llama-cpp | openai | none
    path: str = ""  # GGUF file; empty = the embedded model below
    embedded: str = "1.5b"  # embedded model when path is empty: "1.5b" (default) or "0.5b" (fast)
    url: str = "http://127.0.0.1:8080/v1"  # OpenAI-compatible server (backend "openai")
    name: str = ""  # model name sent to the remote server
    context_size: int = 2048
    threads: int = 0  # 0 = half the cores (llama.cpp's threads spin)
    max_tokens: int = 64
    fallback_to_local: bool = True  # remote unreachable -> local model
    api_key: str = ""


@dataclasses.dataclass
class EmbedderSettings:
    """The sentence-transformers embedder used by retrieval."""

    path: str = ""  # model directory; empty = the embedded default


@dataclasses.dataclass
class DiagnosticsSettings:
    """Which rules run and how long they may take."""

    select: list[str] = dataclasses.field(default_factory=list)
    ignore: list[str] = dataclasses.field(default_factory=list)
    low_confidence: bool = True  # show low-confidence findings (e.g. indirect-subscript races)
    debounce_ms: int = 150
    budget_ms: int = 2000  # per-document analysis budget
    # processes besides the server that analyse a big file's functions side by side when it is
    # opened or changed throughout (-1: one per further core, at most 3; 0: none)
    workers: int = -1
    cuda_check_errors: bool = True


@dataclasses.dataclass
class SuggestionsSettings:
    """The parallelization advisor."""

    hints: bool = True  # omp-parallelizable-loop Hint diagnostics


@dataclasses.dataclass
class InlineSettings:
    """Inline (ghost-text) completion."""

    enabled: bool = True
    debounce_ms: int = 200
    # Ground completions with the signature of the call being typed. Off: on the 60 completion
    # tasks it lowered exact match with both embedded models (bench/completion.py prints both).
    signature_context: bool = False


@dataclasses.dataclass
class CompletionSettings:
    """Completion (static items and inline)."""

    inline: InlineSettings = dataclasses.field(default_factory=InlineSettings)
    verify: str = "drop"  # drop | mark | off: what to do with completions that add a race


@dataclasses.dataclass
class Settings:
    """All of hpclsp's settings."""

    model: ModelSettings = dataclasses.field(default_factory=ModelSettings)
    indexes: list[str] = dataclasses.field(default_factory=list)
    embedder: EmbedderSettings = dataclasses.field(default_factory=EmbedderSettings)
    diagnostics: DiagnosticsSettings = dataclasses.field(default_factory=DiagnosticsSettings)
    suggestions: SuggestionsSettings = dataclasses.field(default_factory=SuggestionsSettings)
    completion: CompletionSettings = dataclasses.field(default_factory=CompletionSettings)
    log_level: str = "info"


CHOICES: dict[str, tuple[str, ...]] = {
    "model.backend": ("llama-cpp", "openai", "none"),
    "model.embedded": ("1.5b", "0.5b"),
    "completion.verify": ("drop", "mark", "off"),
    "log_level": ("debug", "info", "warning", "error"),
}

MINIMA: dict[str, int] = {
    "model.context_size": 256,
    "model.threads": 0,
    "model.max_tokens": 1,
    "diagnostics.debounce_ms": 0,
    "diagnostics.budget_ms": 10,
    "diagnostics.workers": -1,
    "completion.inline.debounce_ms": 0,
}


def to_snake(name: str) -> str:
    """camelCase -> snake_case."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def to_camel(name: str) -> str:
    """snake_case -> camelCase."""
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def _merge(obj: Any, data: Any, prefix: str, problems: list[str]) -> None:
    if not isinstance(data, dict):
        problems.append(f"setting '{prefix or 'hpclsp'}' must be an object, got {type(data).__name__}")
        return
    hints = get_type_hints(type(obj))
    fields = {f.name for f in dataclasses.fields(obj)}
    for key, value in data.items():
        name = to_snake(str(key)) if str(key) not in fields else str(key)
        dotted = f"{prefix}.{name}" if prefix else name
        shown = ".".join(to_camel(p) for p in dotted.split("."))
        if name not in fields:
            problems.append(f"unknown setting 'hpclsp.{shown}' (ignored)")
            continue
        typ = hints[name]
        current = getattr(obj, name)
        if dataclasses.is_dataclass(current):
            if isinstance(current, InlineSettings) and isinstance(value, bool):
                current.enabled = value  # "completion.inline": true|false shorthand
                continue
            _merge(current, value, dotted, problems)
            continue
        ok, converted = _convert(typ, value)
        if not ok:
            problems.append(
                f"invalid value {value!r} for 'hpclsp.{shown}' (expected {_describe(typ)}); using the default"
            )
            continue
        if dotted in CHOICES and converted not in CHOICES[dotted]:
            problems.append(
                f"invalid value {value!r} for 'hpclsp.{shown}' (one of {', '.join(CHOICES[dotted])}); using the default"
            )
            continue
        if dotted in MINIMA and converted < MINIMA[dotted]:
            problems.append(
                f"value {value!r} for 'hpclsp.{shown}' is below {MINIMA[dotted]}; using the default"
            )
            continue
        setattr(obj, name, converted)


def _describe(typ: Any) -> str:
    origin = get_origin(typ)
    if origin is list:
        return "a list of strings"
    return getattr(typ, "__name__", str(typ))


def _convert(typ: Any, value: Any) -> tuple[bool, Any]:
    origin = get_origin(typ)
    if origin is list:
        (item,) = get_args(typ)
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list) and all(isinstance(v, item) for v in value):
            return True, list(value)
        return False, None
    if typ is bool:
        return (True, value) if isinstance(value, bool) else (False, None)
    if typ is int:
        if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
            return False, None
        return True, int(value)
    if typ is str:
        return (True, value) if isinstance(value, str) else (False, None)
    return False, None


def from_dict(data: Any, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Settings from a JSON-like dict layered over base (a copy); returns (settings, problems)."""
    import copy

    settings = copy.deepcopy(base) if base is not None else Settings()
    problems: list[str] = []
    if data is None:
        return settings, problems
    if isinstance(data, dict) and "hpclsp" in data and isinstance(data["hpclsp"], dict) and len(data) == 1:
        data = data["hpclsp"]
    _merge(settings, data, "", problems)
    return settings, problems


def read_toml(root: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The ``hpclsp.toml`` at a workspace root as a dict (None if absent), plus problems."""
    path = os.path.join(root, "hpclsp.toml")
    if not os.path.isfile(path):
        return None, []
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return None, [f"{path}: cannot read settings ({exc}); keeping the previous settings"]
    if "hpclsp" in data and isinstance(data["hpclsp"], dict):
        data = data["hpclsp"]
    return data, []


def to_json(settings: Settings) -> dict[str, Any]:
    """Settings as camelCase JSON (for docs and `hpclsp doctor`)."""

    def conv(obj: Any) -> Any:
        if dataclasses.is_dataclass(obj):
            return {to_camel(f.name): conv(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        return obj

    return conv(settings)


def describe_settings() -> list[tuple[str, str, Any]]:
    """(camelCase key, type, default) for every setting; used for the README table."""
    rows: list[tuple[str, str, Any]] = []

    def walk(obj: Any, prefix: str) -> None:
        hints = get_type_hints(type(obj))
        for f in dataclasses.fields(obj):
            val = getattr(obj, f.name)
            key = f"{prefix}.{to_camel(f.name)}" if prefix else to_camel(f.name)
            if dataclasses.is_dataclass(val):
                walk(val, key)
            else:
                rows.append((f"hpclsp.{key}", _describe(hints[f.name]), val))

    walk(Settings(), "")
    return rows
