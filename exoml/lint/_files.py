"""Which files to lint: command-line paths expanded into an ordered list of targets."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["STDIN", "Target", "discover"]

STDIN = "-"


class Target(NamedTuple):
    """One document to lint.

    ``path`` is None for standard input, whose bytes the main process reads beforehand
    into ``data``. ``error`` is set when the path could not be found or listed.
    """

    display: str
    path: str | None
    data: bytes | None = None
    error: str | None = None


def discover(paths: Sequence[str], *, stdin_name: str = "<stdin>") -> list[Target]:
    """Expand ``paths`` in order: files as given, directories into their ``*.xml`` files.

    Directories are searched recursively in sorted order, skipping hidden directories
    (``.git``, ``.venv``...); a file named explicitly is linted whatever its name. A path
    named twice is linted once.
    """
    targets: list[Target] = []
    # What makes two spellings the same file. With one path given nothing can come
    # twice (a walk lists each file once), so no key is even computed.
    seen: set[str] | None = set() if len(paths) > 1 else None
    found: Sequence[tuple[str, str | None, str, str | None]]  # (display, path, key, error)
    for given in paths:
        if given == STDIN:
            found = [(stdin_name, None, STDIN, None)]
        elif os.path.isdir(given):
            found = _walk(given, keys=seen is not None)
        elif os.path.exists(given) or os.path.islink(given):
            found = [(given, given, _key(given), None)]
        else:
            found = [(given, given, _key(given), "No such file or directory")]
        if seen is None:
            targets.extend(Target(display, path, None, error) for display, path, _, error in found)
            continue
        for display, path, key, error in found:
            if key not in seen:
                seen.add(key)
                targets.append(Target(display, path, None, error))
    return targets


def _key(path: str) -> str:
    """What makes two spellings of a path the same file, for deduplication."""
    return os.path.normcase(os.path.abspath(path))


def _walk(top: str, *, keys: bool) -> list[tuple[str, str, str, str | None]]:
    """The ``*.xml`` files under ``top``, sorted, as (display, path, key, error).

    A directory that cannot be listed comes out as an entry with an error. ``key`` is
    empty unless ``keys`` asks for it.
    """
    found: list[tuple[str, str, str, str | None]] = []

    def unreadable(exc: OSError) -> None:
        path = exc.filename or top
        found.append((path, path, _key(path), exc.strerror or str(exc)))

    normcase = os.path.normcase
    for directory, dirnames, filenames in os.walk(top, onerror=unreadable):
        # Sorting in place also fixes the order os.walk descends in.
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        names = sorted(name for name in filenames if name.lower().endswith(".xml"))
        # The directory and its separator once, then one concatenation per file: a
        # join per file (two, with the key) was most of the cost of 10,000 files.
        prefix = os.path.join(directory, "")
        if keys:
            base = os.path.join(_key(directory), "")
            found.extend((prefix + n, prefix + n, base + normcase(n), None) for n in names)
        else:
            found.extend((prefix + n, prefix + n, "", None) for n in names)
    return found
