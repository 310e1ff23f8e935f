"""The command line: options, configuration, and the run that ties them together."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from .._check import DEFAULT_MAX_BYTES
from ._files import Target, discover
from ._formatters import FORMATTERS, message_line

if TYPE_CHECKING:
    import argparse

    from .._rules import Rule

__all__ = ["UsageError", "run"]

FORMAT_NAMES = tuple(FORMATTERS)

DESCRIPTION = """\
Check ExoML documents and report problems with stable codes. A PATH is a file, a
directory (searched recursively for *.xml) or - for standard input.

dialects: legs (the <Flow> of the Leg Actions API), bridge (the <Flow> of the Bridge
Actions API), classic (the <Response> Exotel fetches from your URL). Without --dialect
each document's root decides: <Response> is classic, <Flow> is legs.

exit status: 0 no errors (warnings alone pass unless --strict), 1 errors found,
2 usage error, no *.xml file found (unless --allow-empty), unreadable path or
internal failure.

Defaults come from [tool.exoml.lint] in the nearest pyproject.toml at or above the
current directory; command-line options win."""


class UsageError(Exception):
    """A problem with the options or the configuration: exit status 2."""


class Options:
    """The parsed command line: argparse fills it in, or :func:`_paths_only` does."""

    paths: list[str]
    format: str | None
    select: list[str] | None
    ignore: list[str] | None
    prefer: list[str] | None
    strict: bool | None
    max_bytes: int | None
    jobs: int | None
    fix: bool
    no_color: bool | None
    list_rules: bool
    explain: str | None
    stdin_filename: str | None
    no_config: bool
    version: bool
    dialect: str | None
    placeholders: str | None
    allow_empty: bool | None


def _paths_only(argv: list[str]) -> Options | None:
    """The options of a command line that names paths alone, else None.

    That is the common case (``exoml lint flows/``, pre-commit's file lists), and building
    the full parser costs more start-up than checking a small file, so it is read here
    without argparse. argparse takes any argument that does not start with ``-`` as a
    PATH; anything else (an option, ``-``, ``--``) goes to it. The defaults are
    argparse's: a test compares the two on the same command lines.
    """
    if any(arg[:1] == "-" for arg in argv):
        return None
    options = Options()
    options.paths = argv
    options.format = None
    options.select = None
    options.ignore = None
    options.prefer = None
    options.strict = None
    options.max_bytes = None
    options.jobs = None
    options.fix = False
    options.no_color = None
    options.list_rules = False
    options.explain = None
    options.stdin_filename = None
    options.no_config = False
    options.version = False
    options.dialect = None
    options.placeholders = None
    options.allow_empty = None
    return options


#: The largest ``--max-bytes``: 1024 times the default. ExoML documents are small; a
#: bigger cap only lets a stray file cost that much memory in every worker.
MAX_MAX_BYTES = 64 * 1024 * 1024
#: The most worker processes ``-j`` starts (``-j 0`` means one per CPU, up to this).
MAX_JOBS = 64


def _count(minimum: int, maximum: int) -> Any:
    import argparse

    def parse(value: str) -> int:
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not (digits.isascii() and digits.isdigit()):
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}")
        # int() of thousands of digits is slow, then refused: no count is that long.
        number = (
            int(text)
            if len(digits.lstrip("0")) <= 20
            else (-1 if text[0] == "-" else 1) * (maximum + 1)
        )
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}: {value!r}")
        if number > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}: {value!r}")
        return number

    return parse


def build_parser(prog: str) -> argparse.ArgumentParser:
    """The option parser (option names are part of the command's contract)."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # argparse's own errors end the same way as ours: status 2, usage on stderr.
            self.print_usage(sys.stderr)
            raise UsageError(message)

    parser = _Parser(
        prog=prog,
        usage=f"{prog} [OPTIONS] PATH...",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    add = parser.add_argument
    add("paths", nargs="*", metavar="PATH", help="file, directory or - (standard input)")
    add("--format", choices=FORMAT_NAMES, help="output format (default: text)")
    add(
        "--select",
        action="append",
        metavar="CODES",
        help="report only these codes or prefixes, comma-separated (EX2,EX301)",
    )
    add("--ignore", action="append", metavar="CODES", help="do not report these codes or prefixes")
    add(
        "--prefer",
        action="append",
        metavar="NAMES",
        help="spellings to prefer where Exotel has two (Say,streamUrl), for rule EX520",
    )
    add(
        "--strict", action=argparse.BooleanOptionalAction, default=None, help="fail on warnings too"
    )
    add(
        "--max-bytes",
        type=_count(1, MAX_MAX_BYTES),
        metavar="N",
        help=f"largest document accepted, up to {MAX_MAX_BYTES} (default: {DEFAULT_MAX_BYTES})",
    )
    add(
        "-j",
        "--jobs",
        type=_count(0, MAX_JOBS),
        metavar="N",
        help=f"check files in N processes (at most {MAX_JOBS}), 0 for one per CPU (default: 1)",
    )
    add(
        "--fix",
        action="store_true",
        help="apply safe fixes in place (with -: fixed document on stdout, report on stderr)",
    )
    add(
        "--no-color",
        action="store_true",
        default=None,
        help="no colour, even on a terminal (NO_COLOR also works)",
    )
    add(
        "--dialect",
        choices=("legs", "bridge", "classic"),
        help="check every document as this dialect (default: from each document's root)",
    )
    add(
        "--placeholders",
        metavar="STYLE[,STYLE]",
        help="check templates: values holding jinja {{ x }}, dollar ${x} or format {x} "
        "placeholders are not checked against their rules (default: off)",
    )
    add("--list-rules", action="store_true", help="list every rule and exit")
    add("--explain", metavar="CODE", help="show a rule's documentation and exit")
    add(
        "--stdin-filename",
        metavar="NAME",
        help="name to report for standard input (default: <stdin>)",
    )
    add(
        "--allow-empty",
        action="store_true",
        default=None,
        help="pass when the paths hold no *.xml file (default: that is an error)",
    )
    add("--no-config", action="store_true", help="ignore pyproject.toml")
    add("--version", action="store_true", help="show the version and exit")
    return parser


def _codes_option(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def resolve(args: Options, config: dict[str, Any]) -> dict[str, Any]:
    """Options in force: the command line, else the configuration, else the defaults."""

    def pick(option: Any, key: str, default: Any) -> Any:
        if option is not None:
            return option
        return config.get(key, default)

    options = {
        "format": pick(args.format, "format", "text"),
        "select": _codes_option(pick(args.select, "select", None)),
        "ignore": _codes_option(pick(args.ignore, "ignore", None)),
        "prefer": _codes_option(pick(args.prefer, "prefer", None)),
        "strict": pick(args.strict, "strict", False),
        "max_bytes": pick(args.max_bytes, "max-bytes", DEFAULT_MAX_BYTES),
        "jobs": pick(args.jobs, "jobs", 1),
        "no_color": pick(args.no_color, "no-color", False),
        "dialect": pick(args.dialect, "dialect", None),
        "placeholders": pick(args.placeholders, "placeholders", None),
        "allow_empty": pick(args.allow_empty, "allow-empty", False),
    }
    if options["format"] not in FORMAT_NAMES:
        raise UsageError(f"format must be one of {', '.join(FORMAT_NAMES)}: {options['format']!r}")
    if not 1 <= options["max_bytes"] <= MAX_MAX_BYTES:
        raise UsageError(f"max-bytes must be between 1 and {MAX_MAX_BYTES}: {options['max_bytes']}")
    if not 0 <= options["jobs"] <= MAX_JOBS:
        raise UsageError(f"jobs must be between 0 and {MAX_JOBS}: {options['jobs']}")
    if options["jobs"] == 0:
        options["jobs"] = min(os.cpu_count() or 1, MAX_JOBS)
    if options["dialect"] not in (None, "legs", "bridge", "classic"):
        raise UsageError(f"dialect must be legs, bridge or classic: {options['dialect']!r}")
    if options["placeholders"] is not None:
        from .._placeholders import parse_styles

        try:
            options["placeholders"] = parse_styles(options["placeholders"])
        except ValueError as exc:
            raise UsageError(f"--placeholders: {exc}") from None
    else:
        options["placeholders"] = ()
    # --dialect on the command line decides for every file; otherwise the per-path
    # globs, then the configured dialect, then each document's root.
    per_path = config.get("per-path-dialect", {}) if args.dialect is None else {}
    if per_path:
        from ._config import glob_pattern

        options["per_path"] = tuple((glob_pattern(g), d) for g, d in per_path.items())
    else:
        options["per_path"] = ()
    return options


def _use_color(stream: TextIO, no_color: bool) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def run(argv: Sequence[str], *, prog: str) -> int:
    """Parse ``argv``, lint, write the report; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        # Source lines and messages may hold characters the terminal's encoding lacks.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    try:
        args = _paths_only(list(argv))
        if args is None:
            try:
                args = build_parser(prog).parse_args(list(argv), namespace=Options())
            except SystemExit as exc:  # --help
                return exc.code if isinstance(exc.code, int) else 0
        return _run(args, prog)
    except UsageError as exc:
        sys.stderr.write(message_line(f"{prog}: error: {exc}"))
        return 2


def _run(args: Options, prog: str) -> int:
    if args.version:
        from .. import __version__

        sys.stdout.write(f"{prog} {__version__}\n")
        return 0
    config: dict[str, Any] = {}
    base = os.getcwd()
    if not args.no_config:
        from ._config import ConfigError, find_pyproject, load_config

        pyproject = find_pyproject(os.getcwd())
        if pyproject is not None:
            base = os.path.dirname(pyproject)
            try:
                config, warning = load_config(pyproject)
            except ConfigError as exc:
                raise UsageError(str(exc)) from None
            if warning:
                sys.stderr.write(message_line(f"{prog}: warning: {warning}"))
    options = resolve(args, config)

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    enabled: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()
    if options["prefer"]:
        from ._select import parse_spellings

        try:
            prefer = parse_spellings(options["prefer"])
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if options["select"] or options["ignore"] or args.list_rules or args.explain is not None:
        # The rules are imported only when needed: a clean run checks without them.
        from .._rules import RULES
        from ._select import opt_in, parse_codes

        known = [r.code for r in RULES]
        try:
            select = parse_codes(options["select"], known)
            ignore = parse_codes(options["ignore"], known)
        except ValueError as exc:
            raise UsageError(f"{exc} (see --list-rules)") from None
        enabled = opt_in(RULES, select, ignore)
        if args.list_rules:
            _list_rules(RULES, options["format"])
            return 0
        if args.explain is not None:
            _explain(args.explain, RULES)
            return 0
    if not args.paths:
        raise UsageError("no PATH given (use - to read standard input)")

    targets = discover(args.paths, stdin_name=args.stdin_filename or "<stdin>")
    if not targets and not options["allow_empty"]:
        # A CI job pointed at the wrong directory must not pass on nothing.
        raise UsageError(
            "no *.xml files found under the given paths "
            "(--allow-empty, or allow-empty = true in [tool.exoml.lint], accepts that)"
        )
    max_bytes: int = options["max_bytes"]
    reads_stdin = any(t.path is None for t in targets)
    if reads_stdin:
        targets = [_read_stdin(t, max_bytes) if t.path is None else t for t in targets]

    from ._formatters import Stats, fixed_line
    from ._runner import Settings
    from ._runner import run as run_targets

    # With --fix and -, standard output carries the fixed document alone.
    report_stream = sys.stderr if args.fix and reads_stdin else sys.stdout
    formatter = FORMATTERS[options["format"]](
        report_stream, color=_use_color(report_stream, options["no_color"])
    )
    settings = Settings(
        max_bytes,
        select,
        ignore,
        args.fix,
        formatter.needs_source,
        options["dialect"],
        options["placeholders"],
        options["per_path"],
        base,
        enabled,
        prefer,
    )
    files = with_problems = errors = warnings = fixed = failures = 0
    for result in run_targets(targets, settings, options["jobs"]):
        if isinstance(result, int):  # that many files checked with nothing to report
            files += result
            continue
        if result.error is not None:
            failures += 1
            sys.stderr.write(message_line(f"{prog}: {result.display}: {result.error}"))
        else:
            files += 1
        if result.fixed and not formatter.reports_fixes:
            sys.stderr.write("".join(fixed_line(result.display, d) + "\n" for d in result.fixed))
        formatter.add(result)
        if result.output is not None:
            _write_document(result.output, more=result.truncated)
        with_problems += bool(result.diagnostics)
        file_errors = sum(d.is_error for d in result.diagnostics)
        errors += file_errors
        warnings += len(result.diagnostics) - file_errors
        fixed += len(result.fixed)
    formatter.finish(Stats(files, with_problems, errors, warnings, fixed, failures))
    report_stream.flush()
    if failures:
        return 2
    return 1 if errors or (options["strict"] and warnings) else 0


def _read_stdin(target: Target, max_bytes: int) -> Target:
    try:
        return target._replace(data=sys.stdin.buffer.read(max_bytes + 1))
    except (OSError, AttributeError, ValueError) as exc:
        return target._replace(error=f"cannot read standard input: {exc}")


def _write_document(data: bytes, *, more: bool) -> None:
    """Write a document to standard output; ``more``: copy the rest of standard input too."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    out.write(data)
    if more:
        # Too big to check (so not fixed): pass the rest through untouched, unread.
        while chunk := sys.stdin.buffer.read(1 << 16):
            out.write(chunk)
    out.flush()


def _list_rules(rules: Sequence[Rule], format_name: str) -> None:
    if format_name == "json":
        import json

        items = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity,
                "fixable": r.fixable,
                "summary": r.summary,
                "dialects": list(r.dialects),
            }
            for r in rules
        ]
        json.dump(items, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    width = max((len(r.name) for r in rules), default=4)
    every = ("legs", "bridge", "classic")
    shown = {r.code: "all" if r.dialects == every else ",".join(r.dialects) for r in rules}
    dwidth = max((len(s) for s in shown.values()), default=8)
    lines = [
        f"{'CODE':<6} {'SEVERITY':<8} {'FIX':<3} {'DIALECTS':<{dwidth}} {'NAME':<{width}} SUMMARY"
    ]
    lines.extend(
        f"{r.code:<6} {r.severity:<8} {'yes' if r.fixable else '':<3} "
        f"{shown[r.code]:<{dwidth}} {r.name:<{width}} {r.summary}"
        for r in rules
    )
    sys.stdout.write("\n".join(line.rstrip() for line in lines) + "\n")


def _explain(query: str, rules: Sequence[Rule]) -> None:
    wanted = query.strip()
    for r in rules:
        if wanted.upper() == r.code or wanted.lower() == r.name:
            break
    else:
        raise UsageError(f"unknown rule {query!r} (see --list-rules)")
    from ._formatters import rule_text

    fixable = " Fixable with --fix." if r.fixable else ""
    parts = [rule_text(r.doc), "", f"Severity: {r.severity}.{fixable}", ""]
    for label, example in (("Bad", r.bad), ("Good", r.good)):
        if example:
            body = "\n".join("    " + line for line in example.strip().splitlines())
            parts += [f"{label}:", "", body, ""]
    sys.stdout.write("\n".join(parts))
