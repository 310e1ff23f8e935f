"""Checking targets, one process or several, with results in command-line order.

A run yields a :class:`FileResult` for each target with something to report (a
diagnostic, a fix, a document to write, an error) and, for the targets in between that
have nothing to report, only how many there were. Clean files are nearly all of a
typical run: they cost no result object, no formatter call and, with several processes,
nothing sent between them.

With ``jobs > 1`` the targets are cut into contiguous chunks, a few per process, dealt
out as the processes are ready for more. On Linux this process is one of the ``jobs``
and forks the others: they inherit the imported engine and the list of targets, read
their own files and send back each chunk's count of clean files and its other results,
while this one checks chunks too. Elsewhere, or when this process runs other threads
(a fork copies them in whatever state they are), a ``ProcessPoolExecutor`` of ``jobs``
workers does the same with the chunks sent to it. Either way chunks are reported in
order, so the output is identical to a single-process run.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from stat import S_ISREG
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from .. import _check
from ._select import is_selected

if TYPE_CHECKING:
    from lxml import etree

    from .._check import Report
    from .._diagnostics import Diagnostic
    from ._files import Target

__all__ = ["FileResult", "NotRegularFile", "Settings", "read_bounded", "run"]

# Passes of fix-and-recheck per document: a fix can expose another fixable problem (a
# renamed element whose attribute is now recognised and also miscased).
MAX_FIX_PASSES = 10

# Chunks per process: enough that a slow chunk does not hold the output back for long
# and that the processes finish close together (each takes another chunk when it is done
# with one), few enough that what each costs (a pickled list, a write to a pipe, a read
# for its number) does not count.
CHUNKS_PER_JOB = 8

# XML's line breaks (``\r\n``, ``\r``, ``\n``): what the checker's line numbers count.
# ``str.splitlines`` would also break at form feeds and U+2028, and so miscount.
_LINE_BREAK = r"\r\n|\r|\n"

_O_BINARY: int = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
# How a file is opened: one named on the command line (links followed), and one a
# directory search found (no link followed; no wait for a writer if a FIFO was swapped in).
_OPEN_NAMED = os.O_RDONLY | _O_BINARY
_OPEN_FOUND = _OPEN_NAMED | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


class Settings(NamedTuple):
    """What every worker needs to know; small, so it travels cheaply to worker processes."""

    max_bytes: int
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    fix: bool = False
    want_source: bool = False
    dialect: str | None = None  # None: each document's root decides
    placeholders: tuple[str, ...] = ()  # template styles (see exoml._placeholders)
    per_path: tuple[tuple[str, str], ...] = ()  # (path pattern, dialect), first match wins
    base: str = ""  # the directory the path patterns are relative to
    enabled: tuple[str, ...] = ()  # opt-in rules to run (named in select)
    prefer: tuple[str, ...] = ()  # preferred spellings (rule EX520)


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


# What a chunk of targets comes to: the number with nothing to report, and the others'
# results in order.
Outcome = tuple[int, list[FileResult]]


def run(targets: Sequence[Target], settings: Settings, jobs: int) -> Iterator[FileResult | int]:
    """Lint ``targets``: yield, in their order, each result worth reporting, and for the
    targets between them that have nothing to report (clean files), their number.

    The output is the same whatever ``jobs`` is.
    """
    jobs = min(jobs, len(targets))
    if jobs <= 1:
        options = _same_options(settings)
        quiet = 0
        for target in targets:
            result = _lint(target, settings, options)
            if result is None:
                quiet += 1
                continue
            if quiet:
                yield quiet
                quiet = 0
            yield result
        if quiet:
            yield quiet
        return
    chunks = _chunks(len(targets), jobs)
    outcomes = (
        _forked(targets, settings, jobs, chunks)
        if _can_fork()
        else _pooled(targets, settings, jobs, chunks)
    )
    for quiet, results in outcomes:
        if quiet:
            yield quiet
        yield from results


class NotRegularFile(OSError):
    """A file found by searching a directory was not a regular file when opened."""


def read_bounded(
    path: str, max_bytes: int, *, follow: bool = True
) -> tuple[bytes, os.stat_result | None]:
    """Read at most ``max_bytes + 1`` bytes: enough to tell that a file is too big.

    Returns the bytes and, for a regular file, its status as opened, from which
    ``--fix`` takes its identity (:func:`._fix.identity_of`: device, inode, size,
    modification time) to write back only to the file it read, unchanged since. With
    ``follow=False`` (files a directory search found) a symbolic link is not followed
    and anything but a regular file is refused, both decided on the open descriptor: a
    file swapped for a link or a FIFO after the search listed it is not read.
    """
    # A descriptor and os.read, not open(): a file object costs as much again as the
    # system calls, and small files are the common case.
    try:
        fd = os.open(path, _OPEN_NAMED if follow else _OPEN_FOUND)
    except OSError as exc:
        if not follow and exc.errno == errno.ELOOP:
            raise NotRegularFile(exc.errno, "a symbolic link, not followed", path) from None
        raise
    try:
        info = os.fstat(fd)
        regular = S_ISREG(info.st_mode)
        if not follow and not regular:
            raise NotRegularFile(0, "not a regular file, not read", path)
        # A regular file is asked for its size and a byte more (a buffer of its size, not
        # of the cap, is made for it), the rest for all they may give up to the cap.
        size = info.st_size
        data = os.read(fd, (size if regular and size < max_bytes else max_bytes) + 1)
        # A regular file gives what it has at once: when that is all it had when it was
        # opened, there is nothing more to ask for (one system call fewer per file). A
        # pipe or a device may give less, and so may a file that grew since.
        while data and len(data) <= max_bytes and not (regular and len(data) == size):
            more = os.read(fd, max_bytes + 1 - len(data))
            if not more:
                break
            data += more
        return data, info if regular else None
    finally:
        os.close(fd)


def _lint(
    target: Target, settings: Settings, options: dict[str, Any] | None = None
) -> FileResult | None:
    """Lint one target; None when there is nothing to report. Never raises.

    ``options`` are the engine's options when every target has the same
    (:func:`_same_options`); None works out this target's.
    """
    # (one unpacking rather than an attribute look-up per field: paid per file)
    display, path, data, error, named = target
    if error is not None:
        return FileResult(display, error=error)
    max_bytes = settings.max_bytes
    status: os.stat_result | None = None
    if data is None:
        assert path is not None
        try:
            data, status = read_bounded(path, max_bytes, follow=named)
        except OSError as exc:
            return FileResult(display, error=f"cannot read: {exc.strerror or exc}")
    if options is None:
        options = _options(target, settings)
    try:
        # (no ** when there is no option, the common case: the call costs half as much)
        report = (
            _check.check_bytes(data, max_bytes=max_bytes, **options)
            if options
            else _check.check_bytes(data, max_bytes=max_bytes)
        )
        # The common case: a clean file, with nothing to fix or to pass through.
        if not report.diagnostics and path is not None:
            return None
        result = _lint_bytes(target, data, report, settings, status)
    except Exception as exc:  # the checker must not raise; if it does, one file says so
        return FileResult(
            display, error=f"internal error while checking: {type(exc).__name__}: {exc}"
        )
    if result.diagnostics or result.fixed or result.output is not None or result.error:
        return result
    return None  # every finding was deselected


def _same_options(settings: Settings) -> dict[str, Any] | None:
    """The engine's options when they are the same for every target (no per-path
    dialect), worked out once for a run; else None."""
    return None if settings.per_path else _options(None, settings)


def _options(target: Target | None, settings: Settings) -> dict[str, Any]:
    """The engine's options for a target: its dialect, the placeholder styles, the opt-in
    rules and preferred spellings (none when nothing is set, the common case)."""
    if (
        settings.dialect is None
        and not settings.per_path
        and not settings.placeholders
        and not settings.enabled
        and not settings.prefer
    ):
        return {}
    options: dict[str, Any] = {}
    if settings.enabled:
        options["enabled"] = settings.enabled
    if settings.prefer:
        options["prefer"] = settings.prefer
    dialect = _dialect_for(target, settings)
    if dialect is not None:
        options["dialect"] = dialect
    if settings.placeholders:
        options["placeholders"] = settings.placeholders
    return options


def _dialect_for(target: Target | None, settings: Settings) -> str | None:
    """The dialect a target is checked as: the first per-path pattern that matches its
    path (standard input: its ``--stdin-filename``), else the settings' dialect."""
    if settings.per_path and target is not None:
        name = target.path if target.path is not None else target.display
        rel = os.path.relpath(os.path.abspath(name), settings.base or os.getcwd())
        rel = rel.replace(os.sep, "/")
        for pattern, dialect in settings.per_path:
            if re.fullmatch(pattern, rel):
                return dialect
    return settings.dialect


def _selected(report: Report, settings: Settings) -> list[Diagnostic]:
    if not settings.select and not settings.ignore:
        return report.diagnostics
    return [d for d in report.diagnostics if is_selected(d.code, settings.select, settings.ignore)]


def _lint_bytes(
    target: Target,
    data: bytes,
    report: Report,
    settings: Settings,
    status: os.stat_result | None = None,
) -> FileResult:
    diagnostics, text = _selected(report, settings), report.text
    truncated = len(data) > settings.max_bytes
    fixed: tuple[Diagnostic, ...] = ()
    output: bytes | None = None
    error: str | None = None
    fixable = any(d.fix is not None for d in diagnostics)
    if settings.fix and fixable and text is not None and not truncated:
        from ._fix import dropped_prefix, identity_of, write_atomic

        prefix = dropped_prefix(text, data)
        if prefix is None:
            # Fixing would change bytes the fixes do not touch; refuse rather than
            # rewrite the file differently from what the user wrote.
            error = "cannot fix: the decoded text does not round-trip to the file's bytes"
        else:
            new_text, new_diagnostics, fixed, problem = _fix(
                text, prefix, report.root, diagnostics, settings, _dialect_for(target, settings)
            )
            new_data = prefix + new_text.encode("utf-8")
            try:
                if problem is not None:
                    error = f"cannot fix: {problem}; nothing was changed"
                    fixed = ()
                elif target.path is None:
                    output = new_data
                else:
                    identity = None if status is None else identity_of(status)
                    write_atomic(target.path, new_data, identity=identity)
            except OSError as exc:
                error = f"cannot write fixes: {exc.strerror or exc}"
                fixed = ()
            else:
                if problem is None:
                    text, diagnostics = new_text, new_diagnostics
    if settings.fix and target.path is None and output is None:
        output = data  # standard input passes through unchanged when nothing was fixed
    sources: tuple[str | None, ...] = ()
    if diagnostics and settings.want_source:
        if text is None:
            # Not UTF-8: show the line anyway, each bad byte as U+FFFD (one column, as
            # the checker counts it), so the caret finds the byte.
            text = data[: settings.max_bytes].decode("utf-8", "replace")
        lines = re.split(_LINE_BREAK, text)
        sources = tuple(
            lines[d.line - 1] if 0 < d.line <= len(lines) else None for d in diagnostics
        )
    return FileResult(target.display, tuple(diagnostics), sources, fixed, output, error, truncated)


def _fix(
    text: str,
    prefix: bytes,
    root: etree._Element | None,
    diagnostics: list[Diagnostic],
    settings: Settings,
    dialect: str | None = None,
) -> tuple[str, list[Diagnostic], tuple[Diagnostic, ...], str | None]:
    """Apply fixes and re-check until none is left (as ``dialect``, if given).

    Returns (text, remaining, fixed, problem). ``prefix`` (a byte-order mark or nothing)
    goes before the text when it is re-checked; ``root`` is the parsed ``text``. Each
    pass is verified (:func:`._fix.fix_problem`): when one would write anything but the
    diagnosed renames, ``problem`` says why and the file must be left as it is.
    """
    from ._fix import apply_edits, fix_problem

    fixed: list[Diagnostic] = []
    for _ in range(MAX_FIX_PASSES):
        fixes = [d for d in diagnostics if d.fix is not None]
        if not fixes:
            break
        edits = [edit for d in fixes if d.fix is not None for edit in d.fix.edits]
        new_text = apply_edits(text, edits)
        problem = fix_problem(text, root, fixes, new_text)
        if problem is not None:
            return text, diagnostics, (), problem
        fixed.extend(fixes)
        options: dict[str, Any] = {"dialect": dialect} if dialect else {}
        if settings.placeholders:
            options["placeholders"] = settings.placeholders
        if settings.enabled:
            options["enabled"] = settings.enabled
        if settings.prefer:
            options["prefer"] = settings.prefer
        report = _check.check_bytes(
            prefix + new_text.encode("utf-8"), max_bytes=settings.max_bytes, **options
        )
        diagnostics, root = _selected(report, settings), report.root
        # The next pass's offsets point into the text the checker decoded.
        text = new_text if report.text is None else report.text
    return text, diagnostics, tuple(fixed), None


# --- several processes ---------------------------------------------------------------------


def _chunks(count: int, jobs: int) -> list[tuple[int, int]]:
    """``count`` targets cut into contiguous (start, stop) ranges, a few per worker."""
    n = min(count, jobs * CHUNKS_PER_JOB)
    return [(count * i // n, count * (i + 1) // n) for i in range(n)]


def _lint_chunk(targets: Iterable[Target], settings: Settings) -> Outcome:
    options = _same_options(settings)
    quiet = 0
    results: list[FileResult] = []
    for target in targets:
        result = _lint(target, settings, options)
        if result is None:
            quiet += 1
        else:
            results.append(result)
    return quiet, results


def _can_fork() -> bool:
    """Whether workers can be forked: on Linux, from a process that runs no other thread."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    # Without the threading module loaded there is no other Python thread.
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _forked(
    targets: Sequence[Target], settings: Settings, jobs: int, chunks: list[tuple[int, int]]
) -> Iterator[Outcome]:
    """Chunk outcomes from this process and ``jobs - 1`` forked workers, in chunk order.

    The chunks are handed out as the processes are ready for more: each takes the next
    chunk number from a pipe filled before the fork, so a process slowed down (by other
    programs on the machine, or by writing the output here) takes fewer. This process
    takes one whenever the outcome due next has not come in; the workers send each
    outcome with its chunk's number. The chunks of a worker that could not be started,
    or that died (killed, out of memory), are checked here once every worker is gone.
    """
    import pickle  # before forking: the workers need it too
    from select import select

    # The chunk numbers, 4 bytes each, all written before any is read: a read of 4
    # bytes takes one whole, and once they are gone a read finds the end (no writer).
    numbers, fill = os.pipe()
    try:
        os.write(fill, b"".join(i.to_bytes(4, "little") for i in range(len(chunks))))
    finally:
        os.close(fill)
    workers: dict[int, int] = {}  # the read end of a worker's pipe: its process id
    done = False
    try:
        for _ in range(jobs - 1):
            read_end, write_end = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # out of processes or memory: this process does the rest
                os.close(read_end)
                os.close(write_end)
                break
            if pid == 0:
                _worker(targets, settings, chunks, numbers, write_end, read_end, workers)
            os.close(write_end)
            workers[read_end] = pid
        outcomes: dict[int, Outcome] = {}
        live = list(workers)  # the workers still sending
        for i, (start, stop) in enumerate(chunks):
            while i not in outcomes:
                # What the workers have sent (without waiting, unless there is nothing
                # left to take), then a chunk of this process's own.
                ready = select(live, [], [], 0)[0] if live else []
                for read_end in ready:
                    received = _receive(read_end, pickle.loads)
                    if received is None:  # finished, or died: nothing more will come
                        live.remove(read_end)
                    else:
                        outcomes[received[0]] = received[1]
                if ready or i in outcomes:
                    continue
                mine = _take(numbers)
                if mine is not None:
                    first, last = chunks[mine]
                    outcomes[mine] = _lint_chunk(targets[first:last], settings)
                elif live:
                    select(live, [], [], None)  # wait for a worker
                else:  # taken by a worker that died before sending it
                    outcomes[i] = _lint_chunk(targets[start:stop], settings)
            yield outcomes.pop(i)
        done = True
    finally:
        os.close(numbers)
        for read_end, pid in workers.items():
            os.close(read_end)
            if not done:  # stopped early (an exception, the reader went away): stop them
                import signal

                # Not reaped yet, so the process id is still this worker's.
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _take(numbers: int) -> int | None:
    """The number of the next chunk no process has taken yet, or None when none is left."""
    taken = os.read(numbers, 4)
    return int.from_bytes(taken, "little") if len(taken) == 4 else None


def _worker(
    targets: Sequence[Target],
    settings: Settings,
    chunks: list[tuple[int, int]],
    numbers: int,
    write_end: int,
    read_end: int,
    others: Iterable[int],
) -> NoReturn:
    """In a forked worker: take chunks until none is left, write each outcome to the
    pipe with its chunk's number, and exit."""
    status = 1
    try:
        import pickle

        # The read ends are the parent's business (an open one would hide a dead reader).
        os.close(read_end)
        for other in others:
            os.close(other)
        with open(write_end, "wb") as out:
            while (i := _take(numbers)) is not None:
                start, stop = chunks[i]
                outcome = _lint_chunk(targets[start:stop], settings)
                payload = pickle.dumps((i, outcome), pickle.HIGHEST_PROTOCOL)
                out.write(len(payload).to_bytes(8, "little"))
                out.write(payload)
                out.flush()
        status = 0
    finally:
        # Nothing of the parent's (atexit handlers, buffered output) may run here.
        os._exit(status)


def _receive(read_end: int, loads: Callable[[bytes], Any]) -> tuple[int, Outcome] | None:
    """The next (chunk number, outcome) a worker sent, or None when it sends no more
    (finished, or died)."""
    header = _read_exactly(read_end, 8)
    if len(header) < 8:
        return None
    size = int.from_bytes(header, "little")
    payload = _read_exactly(read_end, size)
    if len(payload) < size:
        return None
    received: tuple[int, Outcome] = loads(payload)
    return received


def _read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes from a pipe, or fewer if it ends first. (Read unbuffered: bytes
    kept in a buffer would be out of sight of ``select``.)"""
    data = os.read(fd, size)
    if len(data) == size or not data:
        return data
    buffer = bytearray(data)
    while len(buffer) < size:
        more = os.read(fd, size - len(buffer))
        if not more:
            break
        buffer += more
    return bytes(buffer)


def _pooled(
    targets: Sequence[Target], settings: Settings, jobs: int, chunks: list[tuple[int, int]]
) -> Iterator[Outcome]:
    """Chunk outcomes from a process pool, in chunk order (where forking is not safe)."""
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        work = partial(_lint_chunk, settings=settings)
        yield from pool.map(work, [targets[start:stop] for start, stop in chunks])
