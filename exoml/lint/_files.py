"""Which files to lint: command-line paths expanded into an ordered list of targets."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import NamedTuple

__all__ = ["STDIN", "Target", "discover"]

STDIN = "-"


class Target(NamedTuple):
    """One document to lint.

    ``path`` is None for standard input, whose bytes the main process reads beforehand
    into ``data``. ``error`` is set when the path could not be found or listed.
    ``named`` is true for a path given on the command line, which is read as given
    (through a symbolic link, or from a pipe); a file found by searching a directory is
    read only if it is still a regular file, not a link, when it is opened.
    """

    display: str
    path: str | None
    data: bytes | None = None
    error: str | None = None
    named: bool = True


# A target made in C: a NamedTuple's own __new__ is a Python function, paid per file.
_new_target: Callable[[type[Target], tuple[object, ...]], Target] = tuple.__new__
_by_name = attrgetter("name")


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
    for given in paths:
        if given == STDIN:
            found, keys = [Target(stdin_name, None)], [STDIN]
        elif os.path.isdir(given):
            found, keys = _walk(given, keys=seen is not None)
        elif os.path.exists(given) or os.path.islink(given):
            found, keys = [Target(given, given)], [_key(given)]
        else:
            found = [Target(given, given, error="No such file or directory")]
            keys = [_key(given)]
        if seen is None:
            targets.extend(found)
            continue
        for target, key in zip(found, keys, strict=True):
            if key not in seen:
                seen.add(key)
                targets.append(target)
    return targets


def _key(path: str) -> str:
    """What makes two spellings of a path the same file, for deduplication."""
    return os.path.normcase(os.path.abspath(path))


def _walk(top: str, *, keys: bool) -> tuple[list[Target], list[str]]:
    """The ``*.xml`` files under ``top``, sorted, as targets, and (if ``keys`` asks for
    them) their keys in a list of the same order.

    Only regular files are listed and only real directories are entered: a symbolic
    link could point outside the tree (a pull request could plant one to a credentials
    file, whose first line the text output would show), and a FIFO or device would
    block or never end. A file named on the command line is read as given. A directory
    that cannot be listed comes out as a target with an error.
    """
    found: list[Target] = []
    found_keys: list[str] = []
    normcase = os.path.normcase
    # Depth first in sorted order, as the listing would read; scandir's entries know
    # their type without a stat per file on the usual file systems.
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=_by_name)
        except OSError as exc:
            path = exc.filename or directory
            found.append(Target(path, path, None, exc.strerror or str(exc), False))
            if keys:
                found_keys.append(_key(path))
            continue
        # The directory and its separator once, then one concatenation per file: a
        # join per file (two, with the key) was most of the cost of 10,000 files.
        prefix = os.path.join(directory, "")
        base = os.path.join(_key(directory), "") if keys else ""
        subdirs: list[str] = []
        for entry in entries:
            name = entry.name
            try:
                # (the name first: most entries are the files sought, one question each)
                if name.lower().endswith(".xml") and entry.is_file(follow_symlinks=False):
                    # One string for the display and the path (10,000 files: 0.7 MB).
                    path = prefix + name
                    found.append(_new_target(Target, (path, path, None, None, False)))
                    if keys:
                        found_keys.append(base + normcase(name))
                elif entry.is_dir(follow_symlinks=False) and not name.startswith("."):
                    subdirs.append(prefix + name)
            except OSError:  # vanished or unreadable between listing and asking
                continue
        stack.extend(reversed(subdirs))
    return found, found_keys
