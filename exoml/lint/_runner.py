"""Checking targets, one process or several, with results in command-line order."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from .._diagnostics import Diagnostic
from ._files import Target
from ._select import is_selected

__all__ = ["FileResult", "Settings", "lint_target", "run"]

# Passes of fix-and-recheck per document: a fix can expose another fixable problem (a
# renamed element whose attribute is now recognised and also miscased).
MAX_FIX_PASSES = 10

# XML's line breaks (``\r\n``, ``\r``, ``\n``): what the checker's line numbers count.
# ``str.splitlines`` would also break at form feeds and U+2028, and so miscount.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Settings(NamedTuple):
    """What every worker needs to know; small, so it travels cheaply to worker processes."""

    max_bytes: int
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    fix: bool = False
    want_source: bool = False


class FileResult(NamedTuple):
    """What linting one target found.

    ``diagnostics`` are the selected problems that remain (after fixing, with ``--fix``);
    ``sources[i]`` is the source line of ``diagnostics[i]`` (kept only when a formatter
    shows source). ``fixed`` are the problems fixed, as found before fixing. ``output`` is
    the document to write to standard output (standard input with ``--fix``), and
    ``error`` says why the target could not be read, checked or written.
    """

    display: str
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: tuple[str | None, ...] = ()
    fixed: tuple[Diagnostic, ...] = ()
    output: bytes | None = None
    error: str | None = None
    truncated: bool = False


def run(targets: Sequence[Target], settings: Settings, jobs: int) -> Iterator[FileResult]:
    """Lint ``targets`` and yield one result each, in the order of ``targets``.

    With ``jobs > 1`` the work is spread over a process pool in chunks; results still come
    out in input order, so the output is identical to a single-process run.
    """
    jobs = min(jobs, len(targets))
    if jobs <= 1:
        for target in targets:
            yield lint_target(target, settings)
        return
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    # Several chunks per worker balance uneven files; chunks amortise the pickling.
    chunksize = max(1, min(256, len(targets) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(partial(lint_target, settings=settings), targets, chunksize=chunksize)


def lint_target(target: Target, settings: Settings) -> FileResult:
    """Read, check and (with ``settings.fix``) fix one target; never raises."""
    if target.error is not None:
        return FileResult(target.display, error=target.error)
    data = target.data
    if data is None:
        assert target.path is not None
        try:
            data = read_bounded(target.path, settings.max_bytes)
        except OSError as exc:
            return FileResult(target.display, error=f"cannot read: {exc.strerror or exc}")
    try:
        return _lint_bytes(target, data, settings)
    except Exception as exc:  # the checker must not raise; if it does, one file says so
        return FileResult(
            target.display, error=f"internal error while checking: {type(exc).__name__}: {exc}"
        )


def read_bounded(path: str, max_bytes: int) -> bytes:
    """Read at most ``max_bytes + 1`` bytes: enough to tell that a file is too big."""
    with open(path, "rb") as file:
        return file.read(max_bytes + 1)


def _check(data: bytes, settings: Settings) -> tuple[list[Diagnostic], str | None]:
    from .._check import check_bytes

    report = check_bytes(data, max_bytes=settings.max_bytes)
    selected = [
        d for d in report.diagnostics if is_selected(d.code, settings.select, settings.ignore)
    ]
    return selected, report.text


def _lint_bytes(target: Target, data: bytes, settings: Settings) -> FileResult:
    diagnostics, text = _check(data, settings)
    truncated = len(data) > settings.max_bytes
    fixed: tuple[Diagnostic, ...] = ()
    output: bytes | None = None
    error: str | None = None
    fixable = any(d.fix is not None for d in diagnostics)
    if settings.fix and fixable and text is not None and not truncated:
        from ._fix import dropped_prefix, write_atomic

        prefix = dropped_prefix(text, data)
        if prefix is None:
            # Fixing would change bytes the fixes do not touch; refuse rather than
            # rewrite the file differently from what the user wrote.
            error = "cannot fix: the decoded text does not round-trip to the file's bytes"
        else:
            new_text, new_diagnostics, fixed = _fix(text, prefix, diagnostics, settings)
            new_data = prefix + new_text.encode("utf-8")
            try:
                if target.path is None:
                    output = new_data
                else:
                    write_atomic(target.path, new_data)
            except OSError as exc:
                error = f"cannot write fixes: {exc.strerror or exc}"
                fixed = ()
            else:
                text, diagnostics = new_text, new_diagnostics
    if settings.fix and target.path is None and output is None:
        output = data  # standard input passes through unchanged when nothing was fixed
    sources: tuple[str | None, ...] = ()
    if diagnostics and settings.want_source:
        if text is None:
            # Not UTF-8: show the line anyway, each bad byte as U+FFFD (one column, as
            # the checker counts it), so the caret finds the byte.
            text = data[: settings.max_bytes].decode("utf-8", "replace")
        lines = _LINE_BREAK.split(text)
        sources = tuple(
            lines[d.line - 1] if 0 < d.line <= len(lines) else None for d in diagnostics
        )
    return FileResult(target.display, tuple(diagnostics), sources, fixed, output, error, truncated)


def _fix(
    text: str, prefix: bytes, diagnostics: list[Diagnostic], settings: Settings
) -> tuple[str, list[Diagnostic], tuple[Diagnostic, ...]]:
    """Apply fixes and re-check until none is left; returns (text, remaining, fixed).

    ``prefix`` (a byte-order mark or nothing) goes before the text when it is re-checked.
    """
    from ._fix import apply_edits

    fixed: list[Diagnostic] = []
    for _ in range(MAX_FIX_PASSES):
        edits = [edit for d in diagnostics if d.fix is not None for edit in d.fix.edits]
        if not edits:
            break
        fixed.extend(d for d in diagnostics if d.fix is not None)
        text = apply_edits(text, edits)
        diagnostics, checked = _check(prefix + text.encode("utf-8"), settings)
        # The next pass's offsets point into the text the checker decoded.
        text = text if checked is None else checked
    return text, diagnostics, tuple(fixed)
