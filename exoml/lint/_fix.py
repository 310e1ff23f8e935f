"""Applying safe fixes: text edits, byte-faithful re-encoding and atomic file writes."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable

from .._diagnostics import Edit

__all__ = ["BOM", "apply_edits", "dropped_prefix", "write_atomic"]

BOM = b"\xef\xbb\xbf"


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Return ``text`` with ``edits`` applied (offsets into ``text``, in code points).

    Edits must not overlap; an edit overlapping an earlier one is skipped rather than
    allowed to garble the document.
    """
    pieces: list[str] = []
    position = 0
    for edit in sorted(edits):
        if edit.start < position or edit.end < edit.start or edit.end > len(text):
            continue
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


def dropped_prefix(text: str, data: bytes) -> bytes | None:
    """What the checker dropped from ``data`` before ``text``: a byte-order mark or nothing.

    None when ``text`` is not exactly the rest of ``data`` in UTF-8: fixing would then
    change bytes that no fix touches.
    """
    encoded = text.encode("utf-8")
    if encoded == data:
        return b""
    if data.startswith(BOM) and data[len(BOM) :] == encoded:
        return BOM
    return None


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` atomically, keeping its mode.

    The bytes go to a temporary file in the same directory, which is flushed to disk and
    renamed over the original: a crash leaves either the old file or the new one. A
    symbolic link is followed, so the link stays and its target is rewritten.
    """
    import tempfile  # only when fixing: it pulls in random and shutil

    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    info = os.stat(target)
    fd, temporary = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(target) + ".", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown"):
            # Only root may give a file away; anyone else keeps their own ownership.
            with contextlib.suppress(OSError):
                os.chown(temporary, info.st_uid, info.st_gid)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Flush the rename to disk where the platform allows it (POSIX)."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    try:
        fd = os.open(directory, os.O_RDONLY | flags)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
