"""--fix: safe fixes in place, byte for byte, atomically; and in a pipe with -."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ._support import Lint, Write

LOWER = '<flow>\r\n  <startplay LOOP="1">https://example.com/a.wav</startplay>\r\n</flow>\r\n'
FIXED = '<Flow>\r\n  <StartPlay loop="1">https://example.com/a.wav</StartPlay>\r\n</Flow>\r\n'


def test_fix_rewrites_only_the_names(lint: Lint, write: Write) -> None:
    path = write("a.xml", LOWER)
    run = lint("--fix", "a.xml")
    assert path.read_bytes() == FIXED.encode()
    assert run.status == 0
    assert run.out == (
        "a.xml:1:1: EX202 fixed: rename <flow> to <Flow>\n"
        "a.xml:2:3: EX202 fixed: rename <startplay> to <StartPlay>\n"
        "a.xml:2:14: EX204 fixed: rename LOOP to loop\n"
        "Fixed 3 problems. No problems remain (1 file checked).\n"
    )


def test_fix_keeps_bom_comments_and_odd_spacing(lint: Lint, write: Write) -> None:
    before = (
        "\ufeff<?xml version='1.0'?>\n<!-- é 😀 -->\r<flow >\n\t<say   language = 'en' >Hi &amp; "
        "bye</say\n>\n</flow>"
    )
    path = write("a.xml", before)
    lint("--fix", "a.xml")
    assert path.read_bytes() == before.replace("flow", "Flow").replace("say", "Say").encode()
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_fix_reports_what_remains_and_exits_on_it(lint: Lint, write: Write) -> None:
    path = write("a.xml", '<flow><startplay loop="11">https://example.com/a.wav</startplay></flow>')
    run = lint("--fix", "a.xml")
    assert run.status == 1
    assert (
        path.read_text()
        == '<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>'
    )
    assert 'a.xml:1:18: EX301 <StartPlay> loop="11"' in run.out
    assert run.out.endswith("Fixed 2 problems. Remaining: 1 error in 1 file (1 file checked).\n")


def test_fix_keeps_the_file_mode(lint: Lint, write: Write) -> None:
    path = write("a.xml", LOWER)
    os.chmod(path, 0o751)
    lint("--fix", "a.xml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o751


def test_clean_files_are_not_rewritten(lint: Lint, write: Write) -> None:
    path = write("a.xml", "<Flow><Answer/></Flow>")
    os.utime(path, (1, 1))
    lint("--fix", "a.xml")
    assert path.stat().st_mtime == 1


def test_unfixable_files_are_not_rewritten(lint: Lint, write: Write) -> None:
    path = write("a.xml", '<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>')
    os.utime(path, (1, 1))
    assert lint("--fix", "a.xml").status == 1
    assert path.stat().st_mtime == 1


def test_fix_respects_select_and_ignore(lint: Lint, write: Write) -> None:
    path = write("a.xml", '<flow><startplay LOOP="1">https://example.com/a.wav</startplay></flow>')
    run = lint("--fix", "--ignore", "EX204", "a.xml")
    assert (
        path.read_text() == '<Flow><StartPlay LOOP="1">https://example.com/a.wav</StartPlay></Flow>'
    )
    assert run.status == 0


def test_fix_with_json_keeps_stdout_machine_readable(lint: Lint, write: Write) -> None:
    import json

    write("a.xml", LOWER)
    run = lint("--fix", "--format", "json", "a.xml")
    assert json.loads(run.out) == []
    assert "a.xml:1:1: EX202 fixed: rename <flow> to <Flow>" in run.err


def test_failed_write_is_2_and_leaves_the_file(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exoml.lint import _fix

    def full(path: str, data: bytes, *, identity: object = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_fix, "write_atomic", full)
    path = write("a.xml", LOWER)
    run = lint("--fix", "a.xml")
    assert run.status == 2
    assert path.read_bytes() == LOWER.encode()
    assert "exoml lint: a.xml: cannot write fixes: No space left on device" in run.err
    assert "a.xml:1:1: EX202 <flow> must be spelt <Flow>" in run.out  # still reported


# ------------------------------------------------------------------- standard input


def test_stdin_is_linted(lint: Lint) -> None:
    run = lint("-", stdin=b"<Flow><answer/></Flow>")
    assert run.status == 1
    assert run.out.startswith("<stdin>:1:7: EX202")


def test_stdin_filename(lint: Lint) -> None:
    run = lint("--stdin-filename", "flows/welcome.xml", "-", stdin=b"<Flow><answer/></Flow>")
    assert run.out.startswith("flows/welcome.xml:1:7: EX202")


def test_fix_stdin_writes_the_document_alone_to_stdout(lint: Lint) -> None:
    run = lint("--fix", "-", stdin=LOWER.encode())
    assert run.out_bytes == FIXED.encode()
    assert run.status == 0
    assert "<stdin>:1:1: EX202 fixed: rename <flow> to <Flow>" in run.err
    assert run.err.endswith("Fixed 3 problems. No problems remain (1 file checked).\n")


def test_fix_stdin_passes_unfixable_input_through(lint: Lint) -> None:
    for data in (b"<Flow><Say>caf\xe9</Say></Flow>", b"<Flow><Say>x</Flow>", b""):
        run = lint("--fix", "-", stdin=data)
        assert run.out_bytes == data
        assert run.status == 1


def test_fix_stdin_too_big_passes_through_whole(lint: Lint) -> None:
    data = b"<flow>" + b" " * 5000 + b"<answer/></flow>"
    run = lint("--fix", "--max-bytes", "100", "-", stdin=data)
    assert run.out_bytes == data
    assert run.status == 1
    assert "EX006" in run.err


def test_fix_stdin_mixed_with_files(lint: Lint, write: Write) -> None:
    path = write("a.xml", LOWER)
    run = lint("--fix", "a.xml", "-", stdin=LOWER.encode())
    assert path.read_bytes() == FIXED.encode()
    assert run.out_bytes == FIXED.encode()
    assert "a.xml:1:1: EX202 fixed" in run.err


def test_max_bytes_file_is_not_read_whole(lint: Lint, tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    with open(big, "wb") as file:
        file.write(b"<Flow>")
        file.truncate(8 << 30)  # 8 GiB, sparse: reading it whole would take minutes
    run = lint("big.xml")
    assert run.status == 1
    assert "big.xml:1:1: EX006 the input is larger than the limit of 65536 bytes" in run.out


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_input_is_refused(lint: Lint) -> None:
    run = lint("--max-bytes", "1000", "/dev/zero")
    assert run.status == 1
    assert "EX006" in run.out


def test_max_bytes_option(lint: Lint, write: Write) -> None:
    write("a.xml", "<Flow><Answer/></Flow>")
    assert lint("--max-bytes", "22", "a.xml").status == 0
    run = lint("--max-bytes", "21", "a.xml")
    assert run.status == 1
    assert "EX006" in run.out


def test_fix_refuses_when_the_checker_text_is_not_the_file(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    import exoml._check

    real = exoml._check.check_bytes

    def normalising(data: bytes, *, max_bytes: int = 65536) -> exoml._check.Report:
        report = real(data, max_bytes=max_bytes)
        text = None if report.text is None else report.text.replace("\r\n", "\n")
        return report._replace(text=text)

    monkeypatch.setattr(exoml._check, "check_bytes", normalising)
    path = write("a.xml", LOWER)
    run = lint("--fix", "a.xml")
    assert run.status == 2
    assert "cannot fix: the decoded text does not round-trip" in run.err
    assert path.read_bytes() == LOWER.encode()
