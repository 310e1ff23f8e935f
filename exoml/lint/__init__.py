"""The ExoML linter: ``python -m exoml.lint [OPTIONS] PATH...`` (also ``exoml lint``).

Use it on the command line, in CI (``--format github`` or ``sarif``) or from pre-commit
(hook ``exoml-lint``). From Python, :func:`main` runs it with a list of arguments and
returns the exit status instead of exiting::

    from exoml.lint import main

    status = main(["--list-rules"])  # 0

Exit status: 0 when no error was found, 1 when one was (or a warning, with
``--strict``), 2 for usage errors, unreadable paths and internal failures. See
``docs/lint.md`` for the formats, the configuration and ``--fix``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m exoml.lint") -> int:
    """Run the linter with ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    Use it to lint from a Python build script or task runner without a subprocess; to
    check one document in a program, :func:`exoml.validate` is simpler. It never raises
    and never prints a traceback: an unexpected failure is reported in one line on
    standard error with exit status 2. Example::

        from exoml.lint import main

        status = main(["--format", "json", "flows/"])  # 0 clean, 1 errors, 2 usage
    """
    try:
        from ._cli import run

        return run(sys.argv[1:] if argv is None else argv, prog=prog)
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python from
        # complaining again when it flushes standard output at exit.
        _silence_stdout()
        return 1
    except Exception as exc:
        from ._formatters import message_line

        sys.stderr.write(message_line(f"{prog}: internal error: {type(exc).__name__}: {exc}"))
        return 2


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
