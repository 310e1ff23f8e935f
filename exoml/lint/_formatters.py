"""Output formats, one small class each, chosen by name: text, json, github, sarif.

A formatter receives each file's result in command-line order (``add``) and then the
totals (``finish``). ``text`` and ``github`` stream; ``json`` and ``sarif`` write one
document at the end.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TextIO

if TYPE_CHECKING:
    from .._diagnostics import Diagnostic
    from .._rules import Rule
    from ._runner import FileResult

__all__ = [
    "FORMATTERS",
    "Formatter",
    "GithubFormatter",
    "JsonFormatter",
    "SarifFormatter",
    "Stats",
    "TextFormatter",
    "fixed_line",
    "message_line",
    "printable",
    "rule_markdown",
    "rule_text",
]


class Stats(NamedTuple):
    """Totals over a run, for summary lines."""

    files: int = 0
    files_with_problems: int = 0
    errors: int = 0
    warnings: int = 0
    fixed: int = 0
    failures: int = 0


class Formatter:
    """Base class: write results to ``out`` as they arrive, then the totals."""

    name: ClassVar[str]
    #: Whether the results should carry each diagnostic's source line.
    needs_source: ClassVar[bool] = False
    #: Whether ``add`` reports fixed problems itself (else they go to standard error).
    reports_fixes: ClassVar[bool] = False

    def __init__(
        self, out: TextIO, *, color: bool = False, rules: Sequence[Rule] | None = None
    ) -> None:
        self.out = out
        self.color = color
        self._rules = rules
        self._rule_index: dict[str, int] | None = None

    @property
    def rules(self) -> Sequence[Rule]:
        """The rules (by default every rule, imported on first use: clean runs skip it)."""
        if self._rules is None:
            from .._rules import RULES

            self._rules = RULES
        return self._rules

    def add(self, result: FileResult) -> None:
        """Write (or collect) one file's result."""

    def finish(self, stats: Stats) -> None:
        """Write what comes after the last result."""

    def rule_index(self, code: str) -> int | None:
        """Position of ``code`` in ``rules`` (None when unknown)."""
        if self._rule_index is None:
            self._rule_index = {rule.code: i for i, rule in enumerate(self.rules)}
        return self._rule_index.get(code)

    def rule_name(self, code: str) -> str | None:
        """The kebab-case name of rule ``code`` (None when unknown)."""
        index = self.rule_index(code)
        return None if index is None else self.rules[index].name


# Control characters would move the cursor, recolour a terminal or start a new line (a
# forged report line, a forged workflow command): show them as the Unicode "control
# pictures" (one column wide, so carets stay aligned) or U+FFFD. Line and paragraph
# separators and the bidirectional controls (which reorder what a terminal shows: a
# path could display as another) are shown by their code point.
_PICTURES = {c: chr(0x2400 + c) for c in range(0x20)} | {0x7F: "\u2421"}
_PICTURES |= {c: "\ufffd" for c in range(0x80, 0xA0)}
_PICTURES |= {
    c: f"<U+{c:04X}>"
    for c in (
        0x061C,
        0x200E,
        0x200F,
        0x2028,
        0x2029,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
}
_HEADER_TABLE = str.maketrans(_PICTURES)
_SOURCE_TABLE = str.maketrans({c: v for c, v in _PICTURES.items() if c != 0x09})
# GitHub's workflow commands carry CR and LF escaped (%0D, %0A) and decode them: they are
# left for that escaping, so that a path keeps its real name there.
_GITHUB_TABLE = str.maketrans({c: v for c, v in _PICTURES.items() if c not in (0x0A, 0x0D)})


def printable(text: str, *, keep_tabs: bool = False) -> str:
    """``text`` with control characters replaced by visible stand-ins.

    Every line the linter prints goes through this function (or is JSON, whose escaping
    does the same): paths, messages, hints, errors, warnings.
    """
    return text.translate(_SOURCE_TABLE if keep_tabs else _HEADER_TABLE)


def message_line(text: str) -> str:
    """One line for a terminal or a log: ``text`` made printable, with its newline."""
    return printable(text) + "\n"


def fixed_line(display: str, diagnostic: Diagnostic) -> str:
    """One line saying a problem was fixed: ``path:line:col: CODE fixed: description``."""
    description = diagnostic.fix.description if diagnostic.fix else diagnostic.message
    return printable(
        f"{display}:{diagnostic.line}:{diagnostic.column}: {diagnostic.code} fixed: {description}"
    )


# Rule documentation is written as docstrings, with reStructuredText's ``literals``. A
# terminal or a plain-text field shows the literal itself; Markdown has its own spans.
_LITERAL = re.compile(r"``(.+?)``", re.DOTALL)


def rule_text(doc: str) -> str:
    """A rule's documentation as plain text: ``literal`` markup dropped."""
    return _LITERAL.sub(r"\1", doc.strip())


def rule_markdown(doc: str) -> str:
    """A rule's documentation as Markdown: ``literal`` as a code span."""

    def span(m: re.Match[str]) -> str:
        literal = m.group(1)
        return f"`` {literal} ``" if "`" in literal else f"`{literal}`"

    return _LITERAL.sub(span, doc.strip())


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# --------------------------------------------------------------------------------- text

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[1;31m"
_YELLOW = "\x1b[1;33m"
_BLUE = "\x1b[1;34m"
_GREEN = "\x1b[1;32m"

# Source lines longer than this (a whole document on one line is common for ExoML) are
# shown as a window around the column.
_MAX_SOURCE_WIDTH = 100


def _char_width(char: str) -> int:
    """Terminal columns a character takes: 0 for combining marks, 2 for wide CJK."""
    if char < "\u0300":
        return 1
    import unicodedata

    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def excerpt(line: str, column: int) -> tuple[str, str]:
    """The source line to show and the padding that puts a caret under ``column``.

    ``column`` counts code points from 1. The padding copies tabs and counts wide and
    zero-width characters, so the caret lines up on a terminal; a long line is cut to a
    window around the column, marked with ``…``.
    """
    index = min(max(column - 1, 0), len(line))
    if len(line) > _MAX_SOURCE_WIDTH:
        start = max(0, index - _MAX_SOURCE_WIDTH // 2)
        end = min(len(line), start + _MAX_SOURCE_WIDTH)
        start = max(0, end - _MAX_SOURCE_WIDTH)
        head = "…" if start > 0 else ""
        line = head + line[start:end] + ("…" if end < len(line) else "")
        index = index - start + len(head)
    shown = printable(line, keep_tabs=True)
    padding = "".join("\t" if c == "\t" else " " * _char_width(c) for c in shown[:index])
    return shown, padding


class TextFormatter(Formatter):
    """``path:line:col: CODE message``, the source line with a caret, and a summary."""

    name = "text"
    needs_source = True
    reports_fixes = True

    def _paint(self, style: str, text: str) -> str:
        return f"{style}{text}{_RESET}" if self.color else text

    def add(self, result: FileResult) -> None:
        write = self.out.write
        for diagnostic in result.fixed:
            write(self._paint(_GREEN, fixed_line(result.display, diagnostic)) + "\n")
        for i, d in enumerate(result.diagnostics):
            style = _RED if d.is_error else _YELLOW
            location = printable(f"{result.display}:{d.line}:{d.column}:")
            write(
                f"{self._paint(_BOLD, location)} {self._paint(style, d.code)} "
                f"{printable(d.message)}\n"
            )
            source = result.sources[i] if i < len(result.sources) else None
            number = str(d.line)
            gutter = " " * len(number)
            bar = self._paint(_BLUE, "|")
            if source is not None:
                shown, padding = excerpt(source, d.column)
                write(f" {self._paint(_BLUE, number)} {bar} {shown}\n")
                write(f" {gutter} {bar} {padding}{self._paint(style, '^')}\n")
            if d.hint:
                write(f" {gutter} {self._paint(_BLUE, '=')} hint: {printable(d.hint)}\n")
            if d.fix is not None:
                write(
                    f" {gutter} {self._paint(_BLUE, '=')} fix: "
                    f"{printable(d.fix.description)} (run with --fix)\n"
                )
            write("\n")

    def finish(self, stats: Stats) -> None:
        checked = _plural(stats.files, "file")
        parts: list[str] = []
        if stats.fixed:
            parts.append(self._paint(_GREEN, f"Fixed {_plural(stats.fixed, 'problem')}."))
        problems = stats.errors + stats.warnings
        if problems:
            counts = " and ".join(
                _plural(n, noun)
                for n, noun in ((stats.errors, "error"), (stats.warnings, "warning"))
                if n
            )
            found = "Found" if not stats.fixed else "Remaining:"
            in_files = _plural(stats.files_with_problems, "file")
            painted = self._paint(_RED if stats.errors else _YELLOW, f"{found} {counts}")
            parts.append(f"{painted} in {in_files} ({checked} checked).")
        elif stats.failures and not stats.files:
            # Not "No problems found": nothing was read, so nothing was found clean.
            parts.append("Nothing was checked.")
        else:
            nothing = "No problems remain" if stats.fixed else "No problems found"
            parts.append(f"{self._paint(_GREEN, nothing)} ({checked} checked).")
        if stats.failures:
            parts.append(
                self._paint(_RED, f"{_plural(stats.failures, 'path')} could not be checked.")
            )
        self.out.write(" ".join(parts) + "\n")


# --------------------------------------------------------------------------------- json


class JsonFormatter(Formatter):
    """One JSON array on standard output; one object per remaining diagnostic."""

    name = "json"

    def __init__(
        self, out: TextIO, *, color: bool = False, rules: Sequence[Rule] | None = None
    ) -> None:
        super().__init__(out, color=color, rules=rules)
        self.items: list[dict[str, Any]] = []

    def add(self, result: FileResult) -> None:
        self.items.extend(
            {
                "path": result.display,
                "line": d.line,
                "column": d.column,
                "code": d.code,
                "name": self.rule_name(d.code),
                "severity": d.severity,
                "message": d.message,
                "hint": d.hint,
                "fix": None if d.fix is None else d.fix.description,
            }
            for d in result.diagnostics
        )

    def finish(self, stats: Stats) -> None:
        import json

        json.dump(self.items, self.out, indent=2)
        self.out.write("\n")


# ------------------------------------------------------------------------------- github


# GitHub's workflow commands: data escapes %, CR and LF; a property also : and ,. Other
# control characters are made printable first (GitHub's log shows escape sequences).
def _escape_data(text: str) -> str:
    text = text.translate(_GITHUB_TABLE)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter(Formatter):
    """GitHub Actions workflow commands: ``::error file=...,line=...,col=...::...``."""

    name = "github"

    def add(self, result: FileResult) -> None:
        path = _escape_property(result.display)
        for d in result.diagnostics:
            name = self.rule_name(d.code)
            title = _escape_property(f"{d.code} ({name})" if name else d.code)
            message = f"{d.code} {d.message}" + (f"\nhint: {d.hint}" if d.hint else "")
            self.out.write(
                f"::{d.severity} file={path},line={d.line},col={d.column},title={title}"
                f"::{_escape_data(message)}\n"
            )


# -------------------------------------------------------------------------------- sarif

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(display: str) -> str:
    """A SARIF artifact URI: a path relative to the current directory, with forward slashes.

    Paths outside the current directory become absolute ``file://`` URIs.
    """
    from urllib.parse import quote

    path = os.path.abspath(display)
    try:
        relative: str | None = os.path.relpath(path)
    except ValueError:  # on another drive (Windows)
        relative = None
    if relative is None or relative == os.pardir or relative.startswith(os.pardir + os.sep):
        from pathlib import Path

        return Path(path).as_uri()
    # The file system's bytes, percent-encoded: a name that is not UTF-8 (held as
    # surrogates) has no other spelling in a URI.
    return quote(os.fsencode(relative.replace(os.sep, "/")))


def _description(doc: str, summary: str) -> str:
    """The rule's description: its documentation's prose after the title line."""
    paragraphs = [" ".join(p.split()) for p in doc.strip().split("\n\n")]
    prose = []
    for paragraph in paragraphs[1:]:
        if not paragraph or paragraph.endswith("::") or paragraph.startswith(("<", ">>>")):
            break
        prose.append(paragraph)
    return " ".join(prose) or summary


class SarifFormatter(Formatter):
    """SARIF 2.1.0 for GitHub code scanning: every rule described, results with regions."""

    name = "sarif"

    def __init__(
        self, out: TextIO, *, color: bool = False, rules: Sequence[Rule] | None = None
    ) -> None:
        super().__init__(out, color=color, rules=rules)
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []

    def add(self, result: FileResult) -> None:
        uri = artifact_uri(result.display)
        if result.error is not None:
            self.notifications.append(
                {
                    "level": "error",
                    "message": {"text": f"{result.display}: {result.error}"},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
                }
            )
        for d in result.diagnostics:
            item: dict[str, Any] = {"ruleId": d.code}
            index = self.rule_index(d.code)
            if index is not None:
                item["ruleIndex"] = index
            item["level"] = d.severity
            text = d.message + (f"\nHint: {d.hint}" if d.hint else "")
            item["message"] = {"text": text}
            item["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": d.line, "startColumn": d.column},
                    }
                }
            ]
            self.results.append(item)

    def finish(self, stats: Stats) -> None:
        import json

        from .. import __version__

        driver: dict[str, Any] = {"name": "exoml-lint", "version": __version__}
        driver["rules"] = [
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary},
                "fullDescription": {"text": _description(rule_text(rule.doc), rule.summary)},
                "help": {"text": rule_text(rule.doc), "markdown": rule_markdown(rule.doc)},
                "defaultConfiguration": {"level": rule.severity},
            }
            for rule in self.rules
        ]
        invocation: dict[str, Any] = {"executionSuccessful": not stats.failures}
        if self.notifications:
            invocation["toolExecutionNotifications"] = self.notifications
        log = {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": driver},
                    "columnKind": "unicodeCodePoints",
                    "invocations": [invocation],
                    "results": self.results,
                }
            ],
        }
        json.dump(log, self.out, indent=2)
        self.out.write("\n")


FORMATTERS: dict[str, type[Formatter]] = {
    cls.name: cls for cls in (TextFormatter, JsonFormatter, GithubFormatter, SarifFormatter)
}
