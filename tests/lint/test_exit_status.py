"""Exit statuses: 0 clean, 1 errors (or warnings with --strict), 2 usage and failures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ._support import Lint, Write

GOOD = "<Flow><Answer/></Flow>\n"
ERROR = '<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>\n'
WARNING = '<Flow><StartStream streamUrl="ws://bot.example.com/s"/></Flow>\n'


def test_clean_is_0(lint: Lint, write: Write) -> None:
    write("a.xml", GOOD)
    run = lint("a.xml")
    assert run.status == 0
    assert run.out == "No problems found (1 file checked).\n"
    assert run.err == ""


def test_error_is_1(lint: Lint, write: Write) -> None:
    write("a.xml", ERROR)
    assert lint("a.xml").status == 1


def test_warnings_alone_pass_unless_strict(lint: Lint, write: Write) -> None:
    write("a.xml", WARNING)
    assert lint("a.xml").status == 0
    assert lint("--strict", "a.xml").status == 1
    assert lint("--strict", "--no-strict", "a.xml").status == 0


def test_ignored_errors_do_not_fail(lint: Lint, write: Write) -> None:
    write("a.xml", ERROR)
    run = lint("--ignore", "EX301", "a.xml")
    assert (run.status, run.out) == (0, "No problems found (1 file checked).\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml", "a.xml"], "invalid choice"),
        (["--select", "EX999", "a.xml"], "unknown rule code or prefix 'EX999'"),
        (["--ignore", "EX3,FOO", "a.xml"], "unknown rule code or prefix 'FOO'"),
        (["--max-bytes", "0", "a.xml"], "must be at least 1"),
        (["--max-bytes", "lots", "a.xml"], "not a whole number"),
        (["-j", "-1", "a.xml"], "must be at least 0"),
        (["--bogus", "a.xml"], "unrecognized arguments"),
        (["--sel", "EX3", "a.xml"], "unrecognized arguments"),  # no abbreviations
        ([], "no PATH given"),
        (["--explain", "EX999"], "unknown rule 'EX999'"),
    ],
)
def test_usage_errors_are_2(lint: Lint, write: Write, args: list[str], message: str) -> None:
    write("a.xml", GOOD)
    run = lint(*args)
    assert run.status == 2
    assert message in run.err
    assert "Traceback" not in run.err


def test_help_is_0(lint: Lint) -> None:
    run = lint("--help")
    assert run.status == 0
    assert "usage: exoml lint [OPTIONS] PATH..." in run.out
    assert "--max-bytes" in run.out


def test_missing_file_is_2_and_other_files_are_still_linted(lint: Lint, write: Write) -> None:
    write("bad.xml", ERROR)
    run = lint("missing.xml", "bad.xml")
    assert run.status == 2
    assert run.err == "exoml lint: missing.xml: No such file or directory\n"
    assert "bad.xml:1:18: EX301" in run.out
    assert run.out.endswith("1 path could not be checked.\n")


def test_unreadable_file_is_2(lint: Lint, write: Write, tmp_path: Path) -> None:
    os.symlink(tmp_path / "nowhere.xml", tmp_path / "dangling.xml")
    write("a.xml", GOOD)
    run = lint("dangling.xml", "a.xml")
    assert run.status == 2
    assert "exoml lint: dangling.xml: cannot read: No such file or directory" in run.err


def test_permission_denied_is_2(lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch) -> None:
    from exoml.lint import _runner

    def refuse(path: str, max_bytes: int, *, follow: bool = True) -> tuple[bytes, None]:
        raise PermissionError(13, "Permission denied", path)

    write("a.xml", GOOD)
    monkeypatch.setattr(_runner, "read_bounded", refuse)
    run = lint("a.xml")
    assert run.status == 2
    assert run.err == "exoml lint: a.xml: cannot read: Permission denied\n"


def test_unreadable_wins_over_findings_in_every_format(lint: Lint, write: Write) -> None:
    write("bad.xml", ERROR)
    for fmt in ("text", "json", "github", "sarif"):
        assert lint("--format", fmt, "bad.xml", "missing.xml").status == 2


def test_engine_failure_is_2_with_one_line(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    import exoml._check

    def explode(data: bytes, *, max_bytes: int = 65536) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(exoml._check, "check_bytes", explode)
    write("a.xml", GOOD)
    run = lint("a.xml")
    assert run.status == 2
    assert run.err == "exoml lint: a.xml: internal error while checking: RuntimeError: boom\n"


def test_internal_failure_outside_a_file_is_2_with_one_line(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exoml.lint import _formatters

    def explode(self: object, stats: object) -> None:
        raise ValueError("bad state")

    monkeypatch.setattr(_formatters.TextFormatter, "finish", explode)
    write("a.xml", GOOD)
    run = lint("a.xml")
    assert run.status == 2
    assert run.err == "exoml lint: internal error: ValueError: bad state\n"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_no_files_found_is_an_error(lint: Lint, tmp_path: Path, fmt: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("<Flow/>")
    (tmp_path / "other" / ".hidden").mkdir()
    (tmp_path / "other" / ".hidden" / "a.xml").write_text("<flow/>")
    for paths in (["empty"], ["other"], ["empty", "other"]):
        run = lint("--format", fmt, *paths)
        assert run.status == 2, paths
        assert run.out == ""
        assert run.err == (
            "exoml lint: error: no *.xml files found under the given paths "
            "(--allow-empty, or allow-empty = true in [tool.exoml.lint], accepts that)\n"
        )


def test_allow_empty_passes_on_nothing(lint: Lint, write: Write, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = lint("--allow-empty", "empty")
    assert run.status == 0
    assert run.out == "No problems found (0 files checked).\n"
    assert lint("--allow-empty", "--format", "json", "empty").out == "[]\n"
    write("pyproject.toml", "[tool.exoml.lint]\nallow-empty = true\n")
    assert lint("empty").status == 0
    assert lint("--no-config", "empty").status == 2


def test_a_directory_with_files_next_to_an_empty_one_passes(
    lint: Lint, write: Write, tmp_path: Path
) -> None:
    (tmp_path / "empty").mkdir()
    write("flows/a.xml", GOOD)
    assert lint("empty", "flows").status == 0


def test_only_missing_paths_say_nothing_was_checked(lint: Lint) -> None:
    run = lint("missing.xml")
    assert run.status == 2
    assert "No problems found" not in run.out
    assert run.out == "Nothing was checked. 1 path could not be checked.\n"
