"""Every line the command line prints is escaped: paths, messages, errors, warnings.

A path, an option value or an attribute value can hold escape sequences (which recolour
or clear a terminal), newlines (which forge a report line or a GitHub workflow command)
and bidirectional controls (which make one path display as another). They were printed
raw on standard error and in ``github`` annotations.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from exoml.__main__ import main as exoml_main
from exoml.lint._formatters import _escape_data, _escape_property, printable

from ._support import Lint, Write

HOSTILE_NAMES = [
    "a\x1b[2Jb.xml",  # clears the screen
    "a\x1b]0;title\x07b.xml",  # sets the terminal title
    "a\nb.xml",
    "a\rb.xml",
    "x\n::error file=forged.xml,line=1::forged.xml",
    "a\u202eb.xml",  # right-to-left override
    "a\u2028b.xml",
    "a\x85b.xml",
    "a\x7fb.xml",
    "50%25,a:b.xml",
]
RAW = ("\x1b", "\x07", "\r", "\u202e", "\u2028", "\x85", "\x7f")
BAD = b'<Flow><StartPlay loop="99">https://example.com/a.wav</StartPlay></Flow>'


def _clean(text: str, lines: int | None = None) -> None:
    assert not any(c in text for c in RAW), repr(text)
    if lines is not None:
        assert text.count("\n") == lines, repr(text)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_missing_path_is_reported_escaped(lint: Lint, name: str) -> None:
    run = lint(name)
    assert run.status == 2
    _clean(run.err, lines=1)
    assert run.err.startswith("exoml lint: ")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_path_in_the_text_report_is_escaped(lint: Lint, write: Write, name: str) -> None:
    try:
        write(name, BAD)
    except OSError:
        pytest.skip("the file system refuses this name")
    run = lint("--format", "text", name)
    assert run.status == 1
    _clean(run.out)
    first = run.out.splitlines()[0]
    assert first.startswith(printable(name) + ":1:18: EX301")


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_path_in_github_annotations_is_escaped(lint: Lint, write: Write, name: str) -> None:
    try:
        write(name, BAD)
    except OSError:
        pytest.skip("the file system refuses this name")
    run = lint("--format", "github", name)
    _clean(run.out, lines=1)
    assert run.out.startswith("::error file=")
    properties = run.out.split("::")[1]
    path = properties[len("error file=") : properties.index(",line=")]
    assert ":" not in path
    assert "," not in path
    assert "\n" not in path


def test_a_newline_in_a_value_cannot_forge_an_annotation(lint: Lint, write: Write) -> None:
    write("a.xml", b'<Flow><StartPlay loop="1&#10;::error file=x.xml::forged">x</StartPlay></Flow>')
    run = lint("--format", "github", "a.xml")
    lines = run.out.splitlines()
    assert all(line.startswith("::error file=a.xml,") for line in lines), lines
    assert "forged" in run.out  # the value is shown, on the same line
    text = lint("--format", "text", "a.xml").out
    assert "\n::error" not in text


def test_escape_sequences_in_values_do_not_reach_the_terminal(lint: Lint, write: Write) -> None:
    # XML cannot carry ESC, but it can carry the C1 controls and U+202E.
    write("a.xml", '<Flow><StartPlay loop="\u009b2J\u202e">x</StartPlay></Flow>'.encode())
    for fmt in ("text", "github"):
        run = lint("--format", fmt, "a.xml")
        _clean(run.out + run.err)


@pytest.mark.parametrize(
    "args",
    [
        ("--explain", "\x1b[2J"),
        ("--select", "\x1b[31mEX1"),
        ("--format", "\x1b[2J"),
        ("--bogus\x1b[2J",),
        ("--max-bytes", "1\n2"),
    ],
)
def test_usage_errors_are_escaped(lint: Lint, args: tuple[str, ...]) -> None:
    run = lint(*args, "a.xml")
    assert run.status == 2
    _clean(run.err)
    assert run.err.splitlines()[-1].startswith("exoml lint: error: ")


def test_the_exoml_command_escapes_an_unknown_command(monkeypatch: pytest.MonkeyPatch) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert exoml_main(["\x1b[2Jlint"]) == 2
    _clean(err.getvalue())


def test_internal_errors_are_escaped(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exoml.lint import _cli

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bad \x1b[2J\nthing")

    monkeypatch.setattr(_cli, "_run", boom)
    run = lint("a.xml")
    assert run.status == 2
    _clean(run.err, lines=1)


def test_github_escaping_follows_the_workflow_command_rules() -> None:
    assert _escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert _escape_property("50% a\r\nb: c, d") == "50%25 a%0D%0Ab%3A c%2C d"


def test_printable_keeps_ordinary_text(tmp_path: Path) -> None:
    text = "flows/café-😀/ünïcødé 中文.xml\tx"
    assert printable(text, keep_tabs=True) == text
    assert printable("a\tb") == "a\u2409b"


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses names that are not UTF-8")
@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_a_file_name_that_is_not_utf8_is_reported(lint: Lint, tmp_path: Path, fmt: str) -> None:
    import json
    import os

    name = os.fsdecode(b"a\xff.xml")
    try:
        (tmp_path / name).write_bytes(b"<flow/>")
    except OSError:
        pytest.skip("the file system refuses names that are not UTF-8")
    run = lint("--format", fmt, ".")
    assert run.status == 1, run.err
    assert "internal error" not in run.err
    if fmt == "sarif":
        log = json.loads(run.out)
        uris = {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]
        }
        assert uris == {"a%FF.xml"}
