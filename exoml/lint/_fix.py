"""Applying safe fixes: text edits, byte-faithful re-encoding and atomic file writes."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .._diagnostics import Edit

if TYPE_CHECKING:
    from lxml import etree

    from .._diagnostics import Diagnostic

__all__ = [
    "BOM",
    "Identity",
    "apply_edits",
    "dropped_prefix",
    "fix_problem",
    "identity_of",
    "write_atomic",
]

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


class _Renames:
    """The renames a set of fixes is allowed to make, element by element (document order)."""

    def __init__(self) -> None:
        self.elements: dict[int, str] = {}  # element index -> new name
        self.attributes: dict[tuple[int, str], str] = {}  # (element index, old name) -> new


def _qname(el: etree._Element) -> str:
    from lxml import etree

    local = etree.QName(el).localname
    return f"{el.prefix}:{local}" if el.prefix else local


def _plan(text: str, root: etree._Element, fixes: Sequence[Diagnostic]) -> _Renames | str:
    """What each fix renames, tied to the element or attribute its diagnostic is at.

    Every fix must be a rename of a whole name at the diagnosed spot: the start tag's
    name and the end tag's (an element), or one attribute's name. Anything else is a
    problem (returned as a string), and then nothing is written.
    """
    from lxml import etree

    from .._check import _Positions, _same_tag

    positions = _Positions(text)
    elements = list(root.iter(etree.Element))
    tags = positions.tags
    if len(elements) != len(tags) or not all(map(_same_tag, elements, tags)):
        return "the tag scanner and the XML parser disagree about where the tags are"
    by_lt = {tag.lt: i for i, tag in enumerate(tags)}
    by_attr = {spot[0]: (i, name) for i, tag in enumerate(tags) for name, spot in tag.attrs.items()}
    starts = positions.line_starts
    plan = _Renames()
    for d in fixes:
        assert d.fix is not None
        if not 1 <= d.line <= len(starts):
            return f"a fix for {d.code} points outside the document"
        offset = starts[d.line - 1] + d.column - 1
        where = f"{d.line}:{d.column}"
        edits = sorted(set(d.fix.edits))
        new = {e.replacement for e in edits}
        if len(new) != 1:
            return f"a fix for {d.code} is not one rename"
        name = new.pop()
        if offset in by_lt:
            i = by_lt[offset]
            tag, old = tags[i], tags[i].qname
            spans = [(tag.name, tag.name + len(old))]
            if tag.end_name is not None:
                spans.append((tag.end_name, tag.end_name + len(old)))
            if [(e.start, e.end) for e in edits] != spans or plan.elements.get(i, name) != name:
                return f"the fix for {d.code} at {where} does not rename <{old}>"
            plan.elements[i] = name
        elif offset in by_attr:
            i, old = by_attr[offset]
            if [(e.start, e.end) for e in edits] != [(offset, offset + len(old))]:
                return f"the fix for {d.code} at {where} does not rename {old}"
            plan.attributes[(i, old)] = name
        else:
            return f"the fix for {d.code} at {where} is not at a name"
    return plan


def fix_problem(
    text: str,
    root: etree._Element | None,
    fixes: Sequence[Diagnostic],
    new_text: str,
) -> str | None:
    """Why the fixed document must not be written, or None when it may be.

    ``text`` and ``root`` are the document before the fixes, ``new_text`` after them.
    The fixed document must be well-formed and have the structure of the original (the
    same elements, comments and processing instructions, text, attribute values and
    namespaces) with exactly the renames the diagnosed fixes make, and no other name
    changed.
    """
    from lxml import etree

    from .._check import _PARSER

    if root is None:
        return "the document did not parse before fixing"
    try:
        new_root = etree.fromstring(new_text.encode("utf-8"), _PARSER)
    except (etree.XMLSyntaxError, UnicodeEncodeError):
        return "the fixed document would not be well-formed XML"
    plan = _plan(text, root, fixes)
    if isinstance(plan, str):
        return plan
    old_nodes, new_nodes = list(root.iter()), list(new_root.iter())
    if len(old_nodes) != len(new_nodes):
        return "the fixed document would have a different structure"
    index = 0
    for old, new in zip(old_nodes, new_nodes, strict=True):
        if old.text != new.text or old.tail != new.tail:
            return "the fixed document would have different text"
        if not isinstance(old.tag, str) or not isinstance(new.tag, str):
            if old.tag is not new.tag or getattr(old, "target", None) != getattr(
                new, "target", None
            ):
                return "the fixed document would have a different structure"
            continue
        expected = plan.elements.get(index, _qname(old))
        if _qname(new) != expected or old.nsmap != new.nsmap:
            return f"the fixed document would rename <{_qname(old)}> other than diagnosed"
        renamed = {
            plan.attributes.get((index, name), name): value for name, value in old.attrib.items()
        }
        if len(renamed) != len(old.attrib) or renamed != dict(new.attrib):
            return f"the fixed document would change the attributes of <{_qname(old)}>"
        index += 1
    return None


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


#: What tells that a file is still the one that was read: device, inode, size and the
#: modification time in nanoseconds.
Identity = tuple[int, int, int, int]


def identity_of(info: os.stat_result) -> Identity:
    """The :data:`Identity` of a file from its ``stat``."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def write_atomic(path: str, data: bytes, *, identity: Identity | None = None) -> None:
    """Replace the file at ``path`` with ``data`` atomically, keeping its mode.

    The bytes go to a temporary file in the same directory, which is flushed to disk and
    renamed over the original: a crash leaves either the old file or the new one. Nothing
    is ever written through a symbolic link: a link at ``path`` is refused (a rename
    replaces the directory entry itself, so a link swapped in at the last moment is
    replaced, its target untouched). ``identity`` (:func:`identity_of`) is the file as
    it was read: if ``path`` is another file now, or the same file changed since, it is
    refused too (a concurrent edit is never overwritten). Refusals raise
    :class:`OSError` with a message that says why.
    """
    import tempfile  # only when fixing: it pulls in random and shutil

    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise OSError(errno.ELOOP, "a symbolic link: fixes are never written through a link")
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    if identity is not None and identity[:2] != (info.st_dev, info.st_ino):
        raise OSError(errno.EBUSY, "the file was replaced while it was being checked")
    if identity is not None and identity != identity_of(info):
        raise OSError(errno.EBUSY, "the file changed while it was being checked")
    directory = os.path.dirname(path) or os.curdir
    fd, temporary = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp"
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
        os.replace(temporary, path)
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
