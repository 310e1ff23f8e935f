"""``exoml send``: send an ExoML document to a live call leg.

Credentials come from ``EXOTEL_ACCOUNT_SID``, ``EXOTEL_API_KEY`` and ``EXOTEL_API_TOKEN``
(and ``EXOTEL_BASE_URL`` when set). The document is validated first; an invalid one is
never sent. Exit status: 0 when the API accepted the action (the request id is printed),
1 when the API refused it or could not be reached, 2 for usage errors and invalid ExoML.

Usage::

    exoml send LEG_SID flow.xml --custom-param greet-1
    echo '<Flow><Hangup/></Flow>' | python -m exoml.send LEG_SID -
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._diagnostics import Diagnostic

__all__ = ["main"]

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2


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
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="default: 10"
    )
    parser.add_argument(
        "--max-retries",
        type=int,
        default=2,
        metavar="N",
        help="retries after a 429 or a failed connection (default: 2)",
    )
    parser.add_argument(
        "--no-validate",
        action="store_true",
        help="send without checking the document first (the API still checks it)",
    )
    return parser


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
    try:
        return _run(args, prog)
    except KeyboardInterrupt:
        _error(prog, "interrupted")
        return 130


def _run(args: argparse.Namespace, prog: str) -> int:
    name = "<stdin>" if args.file == "-" else args.file
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else _read(args.file)
        document = raw.decode("utf-8")
    except OSError as exc:
        _error(prog, f"cannot read {name}: {exc.strerror or exc}")
        return EXIT_USAGE
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

    options: dict[str, Any] = {"timeout": args.timeout, "max_retries": args.max_retries}
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
        except (ValueError, TypeError) as exc:
            _error(prog, str(exc))
            return EXIT_USAGE
    sys.stdout.write(f"{accepted.request_id or '(no request id)'}\n")
    return EXIT_OK


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


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
