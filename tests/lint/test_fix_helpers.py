"""Edits, byte-faithful encoding and atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from exoml._diagnostics import Edit
from exoml.lint._fix import BOM, apply_edits, dropped_prefix, identity_of, write_atomic


def test_apply_edits_in_any_order() -> None:
    text = "<flow><startplay/></flow>"
    edits = [Edit(1, 5, "Flow"), Edit(20, 24, "Flow"), Edit(7, 16, "StartPlay")]
    assert apply_edits(text, edits) == "<Flow><StartPlay/></Flow>"


def test_apply_edits_counts_code_points() -> None:
    text = "<!-- é😀 --><flow/>"
    start = text.index("flow")
    assert apply_edits(text, [Edit(start, start + 4, "Flow")]) == "<!-- é😀 --><Flow/>"


def test_overlapping_edit_is_skipped() -> None:
    assert apply_edits("abcdef", [Edit(0, 3, "X"), Edit(2, 4, "Y")]) == "Xdef"


def test_dropped_prefix() -> None:
    assert dropped_prefix("<flow/>", b"<flow/>") == b""
    assert dropped_prefix("<flow/>", BOM + b"<flow/>") == BOM
    assert dropped_prefix("\ufeff<flow/>", BOM + b"<flow/>") == b""
    assert dropped_prefix("<flow/>", BOM + BOM + b"<flow/>") is None
    assert dropped_prefix("<flow/>\n", b"<flow/>\r\n") is None  # newlines must survive
    assert dropped_prefix("é", b"\xe9") is None


def test_write_atomic_replaces_and_keeps_mode(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_atomic(str(path), b"new\r\n")
    assert path.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.xml"]  # no temporary file left


def test_write_atomic_never_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.xml"
    real.write_bytes(b"old")
    link = tmp_path / "link.xml"
    link.symlink_to(real)
    with pytest.raises(OSError, match="symbolic link"):
        write_atomic(str(link), b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.xml", "real.xml"]


def test_write_atomic_refuses_a_file_replaced_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(b"old")
    info = path.stat()
    (tmp_path / "b.xml").write_bytes(b"other")  # made while a.xml exists: another inode
    os.replace(tmp_path / "b.xml", path)
    with pytest.raises(OSError, match="replaced"):
        write_atomic(str(path), b"new", identity=identity_of(info))
    assert path.read_bytes() == b"other"


def test_write_atomic_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "a.xml"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_atomic(str(fifo), b"new")


def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(b"old")

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="No space"):
        write_atomic(str(path), b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xml"]


def test_write_atomic_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(b"old")
    info = path.stat()
    with open(path, "ab") as file:  # an editor saving in place, same inode
        file.write(b" and more")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000))
    with pytest.raises(OSError, match="changed"):
        write_atomic(str(path), b"new", identity=identity_of(info))
    assert path.read_bytes() == b"old and more"
    write_atomic(str(path), b"new", identity=identity_of(path.stat()))
    assert path.read_bytes() == b"new"
