"""``exoml send``: send an ExoML document to a live call leg.

Credentials come from ``EXOTEL_ACCOUNT_SID``, ``EXOTEL_API_KEY`` and ``EXOTEL_API_TOKEN``
(and ``EXOTEL_BASE_URL`` when set). The document is validated first; an invalid one is
never sent. Exit status: 0 when the API accepted the action (the request id is printed),
1 when the API refused it or could not be reached, 2 for usage errors and invalid ExoML.
Retries and their waits are reported on stderr as they happen (``--quiet`` hides them).
The document is read up to ``--max-bytes`` (64 KiB by default); a larger one is a usage
error.

Usage::

    exoml send LEG_SID flow.xml --custom-param greet-1
    echo '<Flow><Hangup/></Flow>' | python -m exoml.send LEG_SID -
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from ._check import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from ._diagnostics import Diagnostic

__all__ = ["main"]

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2

#: The largest ``--max-bytes`` accepted: 16 MiB.
MAX_MAX_BYTES = 16 * 1024 * 1024


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Send an ExoML document to a live call leg through the Leg Actions API.",
        epilog=(
            "Credentials: EXOTEL_ACCOUNT_SID, EXOTEL_API_KEY, EXOTEL_API_TOKEN; "
            "EXOTEL_BASE_URL optionally. Exit status: 0 accepted, 1 API or connection "
            "error, 2 usage error or invalid ExoML (nothing sent)."
        ),
    )
    parser.add_argument("leg_sid", metavar="LEG_SID", help="the leg to act on")
    parser.add_argument("file", metavar="FILE", help="the ExoML document, or - for stdin")
    parser.add_argument(
        "--custom-param",
        metavar="TEXT",
        help="action_custom_param: echoed back in the leg's events, for correlation",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="API base URL (default: $EXOTEL_BASE_URL, else the Mumbai host)",
    )
    parser.add_argument(
        "--timeout",
        type=_number("--timeout"),
        default=10.0,
        metavar="SECONDS",
        help="for each network operation (default: 10)",
    )
    parser.add_argument(
        "--deadline",
        type=_number("--deadline"),
        default=None,
        metavar="SECONDS",
        help="for each attempt as a whole, however slowly the answer comes "
        "(default: three times --timeout)",
    )
    parser.add_argument(
        "--max-retries",
        type=_integer("--max-retries"),
        default=2,
        metavar="N",
        help="retries after a 429 or a failed connection (default: 2, at most 100)",
    )
    parser.add_argument(
        "--max-retry-wait",
        type=_number("--max-retry-wait"),
        default=60.0,
        metavar="SECONDS",
        help="the longest time spent waiting between retries, in all; a longer "
        "Retry-After fails at once (default: 60)",
    )
    parser.add_argument(
        "--max-bytes",
        type=_integer("--max-bytes"),
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"the largest document read (default: {DEFAULT_MAX_BYTES}, at most {MAX_MAX_BYTES})",
    )
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="send without checking the document first (the API still checks it)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="do not report retries and waits on stderr",
    )
    return parser


def _number(flag: str) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"not a finite number of seconds: {text!r}")
        return value

    parse.__name__ = flag
    return parse


def _integer(flag: str) -> Any:
    def parse(text: str) -> int:
        stripped = text.strip()
        digits = stripped.removeprefix("-")
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
            raise argparse.ArgumentTypeError(f"not a whole number: {text[:40]!r}")
        return int(stripped)

    parse.__name__ = flag
    return parse


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m exoml.send") -> int:
    """Run ``exoml send`` with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Never raises: every failure is reported on stderr as one or a few lines.

    >>> main(["--help"])  # doctest: +SKIP
    """
    parser = _parser(prog)
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exc:
        # argparse exits on --help (0) and on usage errors (2); report, do not exit.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if not 1 <= args.max_bytes <= MAX_MAX_BYTES:
        _error(prog, f"--max-bytes must be between 1 and {MAX_MAX_BYTES}, not {args.max_bytes}")
        return EXIT_USAGE
    client_logger = logging.getLogger("exoml.client")
    level = client_logger.level
    reporter = None if args.quiet else _report_retries(prog, client_logger)
    try:
        return _run(args, prog)
    except KeyboardInterrupt:
        _error(prog, "interrupted")
        return 130
    except Exception as exc:
        # Never a traceback: whatever went wrong is one line on stderr.
        _error(prog, f"internal error: {type(exc).__name__}: {exc}")
        return EXIT_USAGE
    finally:
        if reporter is not None:
            client_logger.removeHandler(reporter)
            client_logger.setLevel(level)


def _report_retries(prog: str, client_logger: logging.Logger) -> logging.Handler:
    """Show the client's INFO messages (retries, waits) on stderr, one escaped line each."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.INFO)
    handler.setFormatter(_Lines(prog))
    if client_logger.getEffectiveLevel() > logging.INFO:
        client_logger.setLevel(logging.INFO)
    client_logger.addHandler(handler)
    return handler


class _Lines(logging.Formatter):
    def __init__(self, prog: str) -> None:
        super().__init__()
        self._prog = prog

    def format(self, record: logging.LogRecord) -> str:
        return _printable(f"{self._prog}: {record.getMessage()}")


def _run(args: argparse.Namespace, prog: str) -> int:
    name = "<stdin>" if args.file == "-" else args.file
    limit = args.max_bytes
    try:
        if args.file == "-":
            raw = _read_at_most(sys.stdin.buffer, limit)
        else:
            with open(args.file, "rb") as handle:
                raw = _read_at_most(handle, limit)
    except OSError as exc:
        _error(prog, f"cannot read {name}: {exc.strerror or exc}")
        return EXIT_USAGE
    if raw is None:
        _error(
            prog,
            f"{name} is larger than {limit} bytes; nothing sent (--max-bytes raises the limit)",
        )
        return EXIT_USAGE
    try:
        document = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _error(prog, f"{name} is not UTF-8 text (byte {exc.start})")
        return EXIT_USAGE

    if not args.no_validate:
        from . import validate

        diagnostics = validate(document, dialect="legs")
        _print_diagnostics(name, diagnostics)
        errors = sum(1 for d in diagnostics if d.is_error)
        if errors:
            noun = "error" if errors == 1 else "errors"
            _error(prog, f"{name}: {errors} {noun}; nothing sent")
            return EXIT_USAGE

    # Imported late: httpx is only needed once there is something to send.
    from ._client import LegsClient
    from ._errors import ApiError, ExomlError, TransportError

    options: dict[str, Any] = {
        "timeout": args.timeout,
        "deadline": args.deadline,
        "max_retries": args.max_retries,
        "max_retry_wait": args.max_retry_wait,
    }
    if args.base_url is not None:
        options["base_url"] = args.base_url
    try:
        client = LegsClient.from_env(**options)
    except (ExomlError, ValueError, TypeError) as exc:
        _error(prog, str(exc))
        return EXIT_USAGE

    with client:
        try:
            accepted = client.send(
                args.leg_sid, document, custom_param=args.custom_param, validate=False
            )
        except ApiError as exc:
            _error(prog, f"the API refused the action: {exc}")
            _print_diagnostics("server", exc.diagnostics)
            return EXIT_API_ERROR
        except TransportError as exc:
            _error(prog, str(exc))
            return EXIT_API_ERROR
        except ExomlError as exc:
            _error(prog, str(exc))
            return EXIT_API_ERROR
        except (ValueError, TypeError) as exc:
            _error(prog, str(exc))
            return EXIT_USAGE
    sys.stdout.write(_printable(accepted.request_id or "(no request id)") + "\n")
    return EXIT_OK


def _read_at_most(stream: IO[bytes], limit: int) -> bytes | None:
    """The stream's bytes, or ``None`` when there are more than ``limit`` (never reading
    more than one byte past it)."""
    data = stream.read(limit + 1)
    return data if len(data) <= limit else None


def _print_diagnostics(name: str, diagnostics: Sequence[Diagnostic]) -> None:
    """One ``path:line:col: CODE message`` line per diagnostic, as ``exoml lint`` writes."""
    for d in diagnostics:
        label = " (warning)" if not d.is_error else ""
        sys.stderr.write(_printable(f"{name}:{d.line}:{d.column}: {d.code} {d.message}{label}"))
        sys.stderr.write("\n")
        if d.hint:
            sys.stderr.write(_printable(f"    hint: {d.hint}") + "\n")


def _error(prog: str, message: str) -> None:
    sys.stderr.write(_printable(f"{prog}: error: {message}") + "\n")


def _printable(text: str) -> str:
    # Messages quote the document and the server; keep their control characters off the
    # terminal.
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


if __name__ == "__main__":
    sys.exit(main())
