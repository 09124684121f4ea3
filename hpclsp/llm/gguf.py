"""A small, dependency-free GGUF header reader.

It validates that a file is a GGUF model and reads the metadata key/values (architecture, name,
vocabulary) *before* the model is loaded, so we can give a clear message for a wrong file and
detect the model family for FIM prompting without loading 200 MB into llama.cpp first.
"""

from __future__ import annotations

import dataclasses
import os
import struct
from typing import Any

MAGIC = b"GGUF"

# GGUF value types.
_SCALARS: dict[int, str] = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING = 8
_ARRAY = 9

#: Arrays longer than this are kept only when their key is asked for (the vocabulary is large).
_MAX_KEPT_ARRAY = 64


class GGUFError(ValueError):
    """The file is not a readable GGUF model."""


@dataclasses.dataclass
class GGUFInfo:
    """What the header says about a model."""

    path: str
    version: int
    metadata: dict[str, Any]
    #: The vocabulary (``tokenizer.ggml.tokens``) when it was requested.
    tokens: list[str] | None = None

    @property
    def architecture(self) -> str:
        """``general.architecture`` (e.g. ``llama``, ``gemma3``, ``qwen2``, ``starcoder2``)."""
        return str(self.metadata.get("general.architecture", ""))

    @property
    def name(self) -> str:
        """``general.name`` or the file name."""
        return str(self.metadata.get("general.name") or os.path.basename(self.path))


def is_gguf(path: str) -> bool:
    """True when the file starts with the GGUF magic bytes."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == MAGIC
    except OSError:
        return False


class _Reader:
    """Sequential little-endian reads over a memory-mapped file (fast for 100k-entry vocabularies)."""

    def __init__(self, buf: Any) -> None:
        self.buf = buf
        self.pos = 0

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise GGUFError("truncated GGUF header")
        val = struct.unpack_from(fmt, self.buf, self.pos)[0]
        self.pos += size
        return val

    def string(self, keep: bool = True) -> str:
        n = self.unpack("<Q")
        if n > 1 << 24 or self.pos + n > len(self.buf):
            raise GGUFError("implausible or truncated string in GGUF header")
        start = self.pos
        self.pos += n
        return bytes(self.buf[start : self.pos]).decode("utf-8", errors="replace") if keep else ""


def _value(r: _Reader, vtype: int, keep: bool) -> Any:
    if vtype in _SCALARS:
        return r.unpack(_SCALARS[vtype])
    if vtype == _STRING:
        return r.string()
    if vtype == _ARRAY:
        itype = r.unpack("<I")
        count = r.unpack("<Q")
        if count > 1 << 26:
            raise GGUFError("implausible array length in GGUF header")
        if not keep and count > _MAX_KEPT_ARRAY:
            if itype in _SCALARS:
                r.pos += struct.calcsize(_SCALARS[itype]) * count
                if r.pos > len(r.buf):
                    raise GGUFError("truncated GGUF header")
            elif itype == _STRING:
                for _ in range(count):
                    r.string(keep=False)
            else:
                for _ in range(count):
                    _value(r, itype, False)
            return None
        return [_value(r, itype, True) for _ in range(count)]
    raise GGUFError(f"unknown GGUF value type {vtype}")


def read_info(path: str, with_tokens: bool = False, up_to_vocab: bool = False) -> GGUFInfo:
    """Read a GGUF header; raises ``GGUFError`` (not a GGUF, truncated) or ``OSError``.

    ``up_to_vocab`` stops at the vocabulary (the general and architecture keys come first),
    which skips walking 100k+ token strings when only the name and architecture are needed.
    """
    import mmap

    with open(path, "rb") as fh:
        if fh.read(4) != MAGIC:
            raise GGUFError(f"{path} is not a GGUF file (wrong magic bytes)")
        try:
            buf: Any = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):
            fh.seek(0)
            buf = fh.read(256 << 20)
        try:
            return _parse(path, _Reader(buf), with_tokens, up_to_vocab)
        finally:
            if isinstance(buf, mmap.mmap):
                buf.close()


def _parse(path: str, r: _Reader, with_tokens: bool, up_to_vocab: bool = False) -> GGUFInfo:
    r.pos = 4
    version = r.unpack("<I")
    if version < 2:
        raise GGUFError(f"{path}: GGUF version {version} is not supported")
    r.unpack("<Q")  # tensor count
    kv_count = r.unpack("<Q")
    if kv_count > 1 << 20:
        raise GGUFError("implausible metadata count in GGUF header")
    meta: dict[str, Any] = {}
    tokens: list[str] | None = None
    for _ in range(kv_count):
        key = r.string()
        if up_to_vocab and key == "tokenizer.ggml.tokens":
            break
        vtype = r.unpack("<I")
        keep = with_tokens and key == "tokenizer.ggml.tokens"
        val = _value(r, vtype, keep)
        if keep:
            tokens = [str(t) for t in val]
        elif val is not None:
            meta[key] = val
    return GGUFInfo(path=path, version=version, metadata=meta, tokens=tokens)


def vocab_contains(path: str, candidates: list[str], window: int = 24 << 20) -> set[str]:
    """Which candidate strings are vocabulary entries (length-prefixed strings after the
    ``tokenizer.ggml.tokens`` key), found with a byte search instead of decoding the vocabulary."""
    import mmap

    found: set[str] = set()
    with open(path, "rb") as fh:
        try:
            buf: Any = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):
            buf = fh.read(64 << 20)
        try:
            start = buf.find(b"tokenizer.ggml.tokens", 0, 16 << 20)
            if start < 0:
                return found
            end = min(len(buf), start + window)
            for c in candidates:
                raw = c.encode("utf-8")
                if buf.find(struct.pack("<Q", len(raw)) + raw, start, end) >= 0:
                    found.add(c)
        finally:
            if isinstance(buf, mmap.mmap):
                buf.close()
    return found
