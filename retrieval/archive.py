"""Unpacking an index shipped as an archive (.tar, .tar.gz, .tgz, .zip), refusing anything unsafe.

Refused: absolute paths, ``..`` components, links (symbolic or hard) and device files, members over
a size limit, archives over a total limit or with too many members. Unpacking goes to a temporary
directory next to the target and is renamed into place, so a refused or interrupted unpack leaves
nothing behind.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

MAX_MEMBER_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 8 * 1024**3
MAX_MEMBERS = 10_000

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".zip")


class UnsafeArchiveError(ValueError):
    """The archive holds a member that must not be unpacked."""


def is_archive(path: str | os.PathLike[str]) -> bool:
    """True when the path names a supported archive file."""
    name = os.fspath(path).lower()
    return os.path.isfile(path) and name.endswith(ARCHIVE_SUFFIXES)


def _check_name(name: str) -> PurePosixPath:
    if not name or "\x00" in name:
        raise UnsafeArchiveError(f"member with an empty or invalid name: {name!r}")
    p = PurePosixPath(name.replace("\\", "/"))
    if p.is_absolute() or name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(f"member with an absolute path: {name!r}")
    if any(part == ".." for part in p.parts):
        raise UnsafeArchiveError(f"member escaping the target with '..': {name!r}")
    return p


def safe_extract(
    archive: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_members: int = MAX_MEMBERS,
) -> Path:
    """Unpack archive into target (replacing it atomically); raise UnsafeArchiveError on anything unsafe."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.unpack-", dir=target.parent))
    try:
        if zipfile.is_zipfile(archive):
            _extract_zip(Path(archive), tmp, max_member_bytes, max_total_bytes, max_members)
        elif tarfile.is_tarfile(archive):
            _extract_tar(Path(archive), tmp, max_member_bytes, max_total_bytes, max_members)
        else:
            raise UnsafeArchiveError(f"{archive}: not a tar or zip archive")
        # An archive holding one top-level directory unpacks to that directory's content.
        entries = list(tmp.iterdir())
        root = entries[0] if len(entries) == 1 and entries[0].is_dir() else tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        root.rename(target)
        return target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _extract_tar(archive: Path, dest: Path, max_member: int, max_total: int, max_members: int) -> None:
    total = 0
    with tarfile.open(archive) as tf:
        members = tf.getmembers()
        if len(members) > max_members:
            raise UnsafeArchiveError(f"{archive}: {len(members)} members (limit {max_members})")
        for m in members:
            rel = _check_name(m.name)
            if m.issym() or m.islnk():
                raise UnsafeArchiveError(f"link member refused: {m.name!r} -> {m.linkname!r}")
            if not (m.isfile() or m.isdir()):
                raise UnsafeArchiveError(f"special member refused: {m.name!r}")
            if m.size > max_member:
                raise UnsafeArchiveError(f"member {m.name!r} is {m.size} bytes (limit {max_member})")
            total += m.size
            if total > max_total:
                raise UnsafeArchiveError(f"{archive}: more than {max_total} bytes unpacked")
            out = dest.joinpath(*rel.parts)
            if m.isdir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            src = tf.extractfile(m)
            if src is None:
                raise UnsafeArchiveError(f"unreadable member {m.name!r}")
            _copy_limited(src, out, m.size, max_member, m.name)


def _extract_zip(archive: Path, dest: Path, max_member: int, max_total: int, max_members: int) -> None:
    total = 0
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        if len(infos) > max_members:
            raise UnsafeArchiveError(f"{archive}: {len(infos)} members (limit {max_members})")
        for info in infos:
            rel = _check_name(info.filename)
            mode = (info.external_attr >> 16) & 0o170000
            if mode == 0o120000:
                raise UnsafeArchiveError(f"link member refused: {info.filename!r}")
            if info.file_size > max_member:
                raise UnsafeArchiveError(
                    f"member {info.filename!r} is {info.file_size} bytes (limit {max_member})"
                )
            total += info.file_size
            if total > max_total:
                raise UnsafeArchiveError(f"{archive}: more than {max_total} bytes unpacked")
            out = dest.joinpath(*rel.parts)
            if info.is_dir():
                out.mkdir(parents=True, exist_ok=True)
                continue
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src:
                _copy_limited(src, out, info.file_size, max_member, info.filename)


def _copy_limited(src, out: Path, declared: int, limit: int, name: str) -> None:  # type: ignore[no-untyped-def]
    """Copy at most the declared size (a lying header cannot unpack more)."""
    written = 0
    with open(out, "wb") as fh:
        while True:
            block = src.read(1 << 20)
            if not block:
                break
            written += len(block)
            if written > min(declared, limit):
                raise UnsafeArchiveError(f"member {name!r} unpacks to more than its declared size")
            fh.write(block)
