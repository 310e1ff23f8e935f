"""The text format: header, source line with a caret, hints, summary, colour."""

from __future__ import annotations

import pytest

from exoml._diagnostics import Diagnostic
from exoml.lint._formatters import Stats, TextFormatter, excerpt
from exoml.lint._runner import FileResult

from ._support import Lint, Write


def test_header_caret_and_summary(lint: Lint, write: Write) -> None:
    write(
        "a.xml", '<Flow>\n  <StartPlay loop="11">https://example.com/a.wav</StartPlay>\n</Flow>\n'
    )
    write("b.xml", "<Flow><Answer/></Flow>")
    run = lint("a.xml", "b.xml")
    assert run.out == (
        'a.xml:2:14: EX301 <StartPlay> loop="11": must be an integer between 0 and 10\n'
        ' 2 |   <StartPlay loop="11">https://example.com/a.wav</StartPlay>\n'
        "   |              ^\n"
        "\n"
        "Found 1 error in 1 file (2 files checked).\n"
    )


def test_hint_and_fix_lines(lint: Lint, write: Write) -> None:
    write("a.xml", '<Response><Say voice="Aditi">Hello</Say></Response>')
    write("b.xml", "<Flow><answer/></Flow>")
    run = lint("a.xml", "b.xml")
    assert " = hint: Exotel's classic voice is 'man' or 'woman'" in run.out
    assert " = fix: rename <answer> to <Answer> (run with --fix)" in run.out
    assert run.out.endswith("Found 2 errors in 2 files (2 files checked).\n")


def test_counts_warnings_separately(lint: Lint, write: Write) -> None:
    write(
        "a.xml", '<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay><Answer/></Flow>'
    )
    assert lint("a.xml").out.endswith("Found 1 error and 1 warning in 1 file (1 file checked).\n")


def _caret_column(source: str, caret: str) -> str:
    """The part of the source line the caret points at (tabs and wide characters counted)."""
    # Expand both lines the way a terminal does; wide characters take two cells.
    import unicodedata

    def cells(text: str) -> list[str]:
        out: list[str] = []
        for ch in text:
            if ch == "\t":
                out.extend(" " * (8 - len(out) % 8))
            elif unicodedata.combining(ch):
                continue
            elif unicodedata.east_asian_width(ch) in ("W", "F"):
                out.extend([ch, ""])
            else:
                out.append(ch)
        return out

    return "".join(cells(source)[len(cells(caret)) - 1 :])


@pytest.mark.parametrize(
    "line",
    [
        '\t\t<StartPlay loop="11">https://example.com/a.wav</StartPlay>',
        '  <!-- 世界 é --> <StartPlay loop="11">x</StartPlay>',
        ' \t<!-- e\u0301\u0301 😀 \t --><StartPlay loop="11">x</StartPlay>',
    ],
)
def test_caret_under_the_column_with_tabs_and_non_ascii(line: str) -> None:
    column = line.index("loop") + 1
    shown, padding = excerpt(line, column)
    assert _caret_column(" 2 | " + shown, " 2 | " + padding + "^").startswith("loop")


def test_long_line_is_windowed_around_the_column() -> None:
    line = "<Flow>" + "<Answer/>" * 50 + '<StartPlay loop="11">x</StartPlay>' + "<Hangup/>" * 50
    column = line.index("loop") + 1
    shown, padding = excerpt(line, column)
    assert len(shown) <= 102
    assert shown.startswith("…")
    assert shown.endswith("…")
    assert shown[len(padding) :].startswith("loop")


def test_control_characters_cannot_reach_the_terminal() -> None:
    result = FileResult(
        "evil\x1b[2J.xml",
        (Diagnostic("EX301", "error", "bad \x1b]0;title\x07 value", 1, 5),),
        ("\x1b[31m<Flow>\r\x08",),
    )
    import io

    out = io.StringIO()
    formatter = TextFormatter(out)
    formatter.add(result)
    formatter.finish(Stats(files=1, files_with_problems=1, errors=1))
    assert "\x1b" not in out.getvalue()
    assert "\x07" not in out.getvalue()
    assert "\r" not in out.getvalue()
    assert "evil␛[2J.xml:1:5: EX301 bad ␛]0;title␇ value" in out.getvalue()


def test_column_past_the_end_of_the_line() -> None:
    shown, padding = excerpt("<Flow>", 99)
    assert (shown, padding) == ("<Flow>", "      ")


def test_colour_only_on_a_terminal(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a.xml", '<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>')
    assert "\x1b[" not in lint("a.xml").out
    coloured = lint("a.xml", tty=True).out
    assert "\x1b[1;31mEX301\x1b[0m" in coloured
    assert "\x1b[" not in lint("--no-color", "a.xml", tty=True).out
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in lint("a.xml", tty=True).out
    monkeypatch.setenv("NO_COLOR", "")  # the convention: only a non-empty value counts
    assert "\x1b[" in lint("a.xml", tty=True).out


def test_colour_text_matches_plain_text(lint: Lint, write: Write) -> None:
    import re

    write(
        "a.xml", '<Flow><startplay loop="11">https://example.com/a.wav</startplay><Answer/></Flow>'
    )
    plain = lint("a.xml").out
    coloured = lint("a.xml", tty=True).out
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_non_utf8_file_shows_the_bad_byte(lint: Lint, write: Write) -> None:
    write("a.xml", b"<Flow>\n<Say>caf\xe9</Say></Flow>")
    run = lint("a.xml")
    assert run.out.startswith(
        "a.xml:2:9: EX003 the input is not UTF-8: byte 0xe9 cannot be decoded\n"
        " 2 | <Say>caf\ufffd</Say></Flow>\n"
        "   |         ^\n"
    )


def test_source_lines_follow_xml_line_breaks(lint: Lint, write: Write) -> None:
    # CR, CRLF and LF all end a line in XML; NEL (U+0085) and U+2028 do not.
    write("a.xml", '<Flow>\r<!-- \u2028 -->\r\n<!--\x85-->\n  <Mute direction="up"/>\n</Flow>')
    run = lint("a.xml")
    assert run.out.startswith(
        "a.xml:4:9: EX301 <Mute> direction=\"up\": must be one of 'in', 'out', 'both'\n"
        ' 4 |   <Mute direction="up"/>\n'
        "   |         ^\n"
    )
