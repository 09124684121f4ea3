"""The archive guard: absolute paths, '..', links out of the target and oversized members are refused."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile

import pytest

from retrieval.archive import UnsafeArchiveError, is_archive, safe_extract


def _tar(path, members):
    with tarfile.open(path, "w:gz") as tf:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, data
                tf.addfile(info)
            elif kind == "hard":
                info.type, info.linkname = tarfile.LNKTYPE, data
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path


def test_good_tar_unpacks_atomically(tmp_path):
    arc = _tar(
        tmp_path / "idx.tar.gz", [("idx/manifest.json", b"{}", "f"), ("idx/meta/chunks.json", b"[]", "f")]
    )
    assert is_archive(arc)
    out = safe_extract(arc, tmp_path / "out")
    assert (out / "manifest.json").read_bytes() == b"{}" and (out / "meta" / "chunks.json").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    "members",
    [
        [("/etc/evil", b"x", "f")],
        [("../evil", b"x", "f")],
        [("idx/../../evil", b"x", "f")],
        [("idx/link", "/etc/passwd", "sym")],
        [("idx/link", "../../outside", "sym")],
        [("idx/hard", "/etc/passwd", "hard")],
    ],
)
def test_unsafe_tar_refused(tmp_path, members):
    arc = _tar(tmp_path / "bad.tar.gz", members)
    with pytest.raises(UnsafeArchiveError):
        safe_extract(arc, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil").exists() and not (tmp_path.parent / "evil").exists()


def test_oversized_member_refused(tmp_path):
    arc = _tar(tmp_path / "big.tar.gz", [("idx/big.bin", b"0" * 5000, "f")])
    with pytest.raises(UnsafeArchiveError, match="limit"):
        safe_extract(arc, tmp_path / "out", max_member_bytes=1000)
    with pytest.raises(UnsafeArchiveError):
        safe_extract(arc, tmp_path / "out", max_total_bytes=1000)


def test_zip_guards(tmp_path):
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("manifest.json", "{}")
    assert (safe_extract(good, tmp_path / "g") / "manifest.json").exists()
    for name in ("../x", "/abs", "a/../../x"):
        bad = tmp_path / "bad.zip"
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr(name, "x")
        with pytest.raises(UnsafeArchiveError):
            safe_extract(bad, tmp_path / "b")
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as zf:
        info = zipfile.ZipInfo("idx/l")
        info.external_attr = (0o120777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match="link"):
        safe_extract(link, tmp_path / "l")


def test_not_an_archive(tmp_path):
    p = tmp_path / "x.tar"
    p.write_bytes(os.urandom(64))
    assert not zipfile.is_zipfile(p)
    with pytest.raises(UnsafeArchiveError):
        safe_extract(p, tmp_path / "o")
