"""The ``exoml`` command: ``exoml lint ...`` and ``exoml send ...``."""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = """usage: exoml COMMAND [ARGS...]
       exoml --version

commands:
  lint    check ExoML files (python -m exoml.lint --help)
  send    send an ExoML document to a leg (python -m exoml.send --help)
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a subcommand; returns the process exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0 if args else 2
    if args[0] == "--version":
        from . import __version__

        sys.stdout.write(f"exoml {__version__}\n")
        return 0
    command, rest = args[0], args[1:]
    if command == "lint":
        from .lint import main as lint_main

        return lint_main(rest, prog="exoml lint")
    if command == "send":
        from .send import main as send_main

        return send_main(rest, prog="exoml send")
    from .lint._formatters import printable

    sys.stderr.write(printable(f"exoml: unknown command {command!r}") + f"\n{USAGE}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
