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
    seen: set[str] = set()

    def add(display: str, path: str | None, key: str, error: str | None = None) -> None:
        if key not in seen:
            seen.add(key)
            targets.append(Target(display, path, None, error))

    for given in paths:
        if given == STDIN:
            add(stdin_name, None, STDIN)
        elif os.path.isdir(given):
            for display, key, error in _walk(given):
                add(display, display, key, error)
        elif os.path.exists(given) or os.path.islink(given):
            add(given, given, _key(given))
        else:
            add(given, given, _key(given), "No such file or directory")
    return targets


def _key(path: str) -> str:
    """What makes two spellings of a path the same file, for deduplication."""
    return os.path.normcase(os.path.abspath(path))


def _walk(top: str) -> list[tuple[str, str, str | None]]:
    """The ``*.xml`` files under ``top``, sorted, as (path, key, error).

    A directory that cannot be listed comes out as an entry with an error.
    """
    found: list[tuple[str, str, str | None]] = []

    def unreadable(exc: OSError) -> None:
        path = exc.filename or top
        found.append((path, _key(path), exc.strerror or str(exc)))

    for directory, dirnames, filenames in os.walk(top, onerror=unreadable):
        # Sorting in place also fixes the order os.walk descends in.
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        base = _key(directory)  # once per directory, not per file: 10,000 files add up
        found.extend(
            (os.path.join(directory, name), os.path.join(base, os.path.normcase(name)), None)
            for name in sorted(filenames)
            if name.lower().endswith(".xml")
        )
    return found
