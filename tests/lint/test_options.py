"""Options: -j, --select/--ignore, --list-rules, --explain, pyproject.toml defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exoml._rules import RULES, Rule
from exoml.lint._formatters import rule_markdown, rule_text

from ._support import Lint, Write

BAD = [
    '<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>',
    "<flow><answer/></flow>",
    '<Flow><StartStream streamUrl="ws://bot.example.com/s"/></Flow>',
    "<Flow><Say>unclosed</Flow>",
    "<Response/>",
    "<Flow><Answer/></Flow>",
]


def _cannot_fork() -> None:
    """Skip where workers are never forked; on Linux, fail: a thread left running by an
    earlier test (a server or receiver not closed) would silently skip the forked path."""
    import sys
    import threading

    if not sys.platform.startswith("linux"):
        pytest.skip("workers are not forked here")
    others = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    pytest.fail(f"threads left running by earlier tests stop the forked workers: {others}")


def _corpus(write: Write, count: int = 60) -> None:
    for i in range(count):
        write(f"tree/d{i % 4}/f{i:03}.xml", BAD[i % len(BAD)])


@pytest.mark.parametrize("mode", ["fork", "pool"])
@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_parallel_output_is_identical_to_serial(
    lint: Lint, write: Write, fmt: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures
    import os

    from exoml.lint import _runner

    pools: list[int | None] = []
    forks: list[int] = []

    class Recording(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, max_workers: int | None = None) -> None:
            pools.append(max_workers)
            super().__init__(max_workers)

    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Recording)
    monkeypatch.setattr(os, "fork", fork)
    if mode == "pool":  # what runs where forking is not safe (macOS, Windows, threads)
        monkeypatch.setattr(_runner, "_can_fork", lambda: False)
    elif not _runner._can_fork():
        _cannot_fork()
    _corpus(write)
    serial = lint("--format", fmt, "-j", "1", "tree", "-", stdin=BAD[0].encode())
    assert (pools, forks) == ([], [])
    parallel = lint("--format", fmt, "-j", "4", "tree", "-", stdin=BAD[0].encode())
    if mode == "pool":
        assert pools == [4]
    else:  # this process is the fourth
        assert (pools, len(forks)) == ([], 3)
    assert parallel == serial
    assert serial.status == 1


def test_a_dead_worker_s_files_are_checked_all_the_same(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from exoml.lint import _runner

    if not _runner._can_fork():
        _cannot_fork()
    real_fork = os.fork
    forks = 0

    def fork() -> int:
        nonlocal forks
        forks += 1
        pid = real_fork()
        if pid == 0 and forks == 2:
            os._exit(3)  # the second worker dies before sending anything
        return pid

    _corpus(write)
    serial = lint("-j", "1", "tree")
    monkeypatch.setattr(os, "fork", fork)
    assert lint("-j", "3", "tree") == serial
    assert forks == 2  # this process is the third


def test_chunks_a_worker_took_and_never_sent_are_checked_all_the_same(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from exoml.lint import _runner

    if not _runner._can_fork():
        _cannot_fork()
    real = _runner._lint_chunk
    parent = os.getpid()

    def dies_in_a_worker(targets: Any, settings: Any) -> Any:
        if os.getpid() != parent:
            os._exit(3)  # a worker killed with a chunk taken and not sent
        return real(targets, settings)

    _corpus(write)
    serial = lint("-j", "1", "tree")
    monkeypatch.setattr(_runner, "_lint_chunk", dies_in_a_worker)
    assert lint("-j", "3", "tree") == serial


def test_when_no_worker_can_be_started_this_process_checks_every_file(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from exoml.lint import _runner

    if not _runner._can_fork():
        _cannot_fork()
    tries = 0

    def fork() -> int:
        nonlocal tries
        tries += 1
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    _corpus(write)
    serial = lint("-j", "1", "tree")
    monkeypatch.setattr(os, "fork", fork)
    assert lint("-j", "4", "tree") == serial
    assert tries == 1  # the first failure stops the forking


def test_parallel_fix(lint: Lint, write: Write, tmp_path: Path) -> None:
    _corpus(write, 12)
    run = lint("-j", "3", "--fix", "tree")
    fixed = [
        p for p in (tmp_path / "tree").rglob("*.xml") if p.read_text() == "<Flow><Answer/></Flow>"
    ]
    assert len(fixed) == 4  # two lowercase copies became clean, plus two clean ones
    assert run.out.count("fixed: rename") == 4


def test_jobs_zero_means_one_per_cpu(lint: Lint, write: Write) -> None:
    _corpus(write, 6)
    assert lint("-j", "0", "tree") == lint("tree")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), {"EX301", "EX202", "EX503", "EX001", "EX103"}),
        (("--select", "EX3,EX5"), {"EX301", "EX503"}),
        (("--select", "EX3", "--select", "EX0"), {"EX301", "EX001"}),
        (("--ignore", "EX2", "--ignore", "EX001"), {"EX301", "EX503", "EX103"}),
        (("--select", "EX", "--ignore", "EX5"), {"EX301", "EX202", "EX001", "EX103"}),
        (("--select", "ex301"), {"EX301"}),
    ],
)
def test_select_and_ignore(
    lint: Lint, write: Write, args: tuple[str, ...], expected: set[str]
) -> None:
    _corpus(write, 6)
    run = lint("--format", "json", *args, "tree")
    assert {item["code"] for item in json.loads(run.out)} == expected


def test_list_rules(lint: Lint) -> None:
    run = lint("--list-rules")
    assert run.status == 0
    lines = run.out.splitlines()
    assert lines[0].split() == ["CODE", "SEVERITY", "FIX", "DIALECTS", "NAME", "SUMMARY"]
    assert [line.split()[0] for line in lines[1:]] == [r.code for r in RULES]
    assert "EX202  error    yes all         element-case" in run.out


def test_list_rules_as_json(lint: Lint) -> None:
    items = json.loads(lint("--list-rules", "--format", "json").out)
    assert [i["code"] for i in items] == [r.code for r in RULES]
    assert set(items[0]) == {"code", "name", "severity", "fixable", "summary", "dialects"}


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_explain_shows_the_rule_docstring(lint: Lint, rule: Rule) -> None:
    run = lint("--explain", rule.code.lower())
    assert run.status == 0
    assert run.out.startswith(rule_text(rule.doc))
    assert "``" not in run.out  # reStructuredText markup is not shown
    assert f"Severity: {rule.severity}." in run.out
    assert ("Fixable with --fix." in run.out) is rule.fixable
    assert lint("--explain", rule.name).out == run.out


# ------------------------------------------------------------------ configuration


def test_config_gives_defaults(
    lint: Lint, write: Write, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        "pyproject.toml", '[tool.exoml.lint]\nselect = ["EX5"]\nstrict = true\nformat = "github"\n'
    )
    write("sub/a.xml", BAD[0] + BAD[2])  # not well-formed: two roots
    write("sub/b.xml", BAD[2])
    (tmp_path / "sub" / "deeper").mkdir()
    monkeypatch.chdir(tmp_path / "sub" / "deeper")  # the nearest pyproject.toml is two levels up
    run = lint("../b.xml")
    assert run.status == 1  # strict: the warning fails
    assert run.out.startswith("::warning file=../b.xml,line=1,col=20,title=EX503")


def test_command_line_wins(lint: Lint, write: Write) -> None:
    write("pyproject.toml", '[tool.exoml.lint]\nselect = "EX5"\nstrict = true\nformat = "github"\n')
    write("b.xml", BAD[0] + "\n")
    assert lint("b.xml").status == 0  # EX301 not selected
    run = lint("--select", "EX3", "--no-strict", "--format", "text", "b.xml")
    assert run.status == 1
    assert run.out.startswith("b.xml:1:18: EX301")


def test_config_max_bytes_and_ignore(lint: Lint, write: Write) -> None:
    write("pyproject.toml", "[tool.exoml.lint]\nmax-bytes = 10\nignore = ['EX5']\n")
    write("a.xml", "<Flow><Answer/></Flow>")
    run = lint("a.xml")
    assert "EX006" in run.out
    assert lint("--max-bytes", "100", "a.xml").status == 0


def test_bad_config_is_a_usage_error(lint: Lint, write: Write) -> None:
    write("pyproject.toml", "[tool.exoml.lint]\nselekt = ['EX5']\n")
    write("a.xml", "<Flow><Answer/></Flow>")
    run = lint("a.xml")
    assert run.status == 2
    assert "unknown key 'selekt'" in run.err
    assert lint("--no-config", "a.xml").status == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("format = 'xml'", "format must be one of"),
        ("select = ['EX9']", "unknown rule code or prefix 'EX9'"),
        ("max-bytes = 0", "max-bytes must be between 1 and 67108864: 0"),
        ("jobs = -2", "jobs must be between 0 and 64: -2"),
        # Once an internal error (OverflowError in the read), or hundreds of workers.
        ("max-bytes = 9223372036854775807", "max-bytes must be between 1 and 67108864"),
        ("max-bytes = 67108865", "max-bytes must be between 1 and 67108864"),
        ("jobs = 65", "jobs must be between 0 and 64: 65"),
        ("jobs = 100000", "jobs must be between 0 and 64"),
    ],
)
def test_bad_config_values(lint: Lint, write: Write, body: str, message: str) -> None:
    write("pyproject.toml", f"[tool.exoml.lint]\n{body}\n")
    write("a.xml", "<Flow><Answer/></Flow>")
    run = lint("a.xml")
    assert run.status == 2
    assert message in run.err


def test_config_jobs_and_no_color(lint: Lint, write: Write) -> None:
    write("pyproject.toml", "[tool.exoml.lint]\njobs = 2\nno-color = true\n")
    _corpus(write, 8)
    run = lint("tree", tty=True)
    assert "\x1b[" not in run.out
    assert run.out == lint("--no-config", "--no-color", "tree").out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["a.xml"],
        ["flows/", "b.xml", "a.xml"],
        ["", "x y.xml", "@args", "+p", "ünïcode.xml"],
    ],
)
def test_paths_alone_are_read_as_argparse_reads_them(argv: list[str]) -> None:
    from exoml.lint._cli import _paths_only, build_parser

    fast = _paths_only(argv)
    assert fast is not None
    assert vars(fast) == vars(build_parser("exoml lint").parse_args(argv))


@pytest.mark.parametrize("argv", [["-"], ["a.xml", "-j", "2"], ["--", "a.xml"], ["-x"]])
def test_anything_but_paths_goes_to_argparse(argv: list[str]) -> None:
    from exoml.lint._cli import _paths_only

    assert _paths_only(argv) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--max-bytes", "99999999999999999999"), "must be at most 67108864"),
        (("--max-bytes", "9" * 5000), "must be at most 67108864"),
        (("--max-bytes", "67108865"), "must be at most 67108864"),
        (("--max-bytes", "-" + "9" * 5000), "must be at least 1"),
        (("--max-bytes", "0"), "must be at least 1"),
        (("--max-bytes", "1e9"), "not a whole number"),
        (("--max-bytes", "\uff11\uff10"), "not a whole number"),  # fullwidth digits
        (("--max-bytes", ""), "not a whole number"),
        (("-j", "65"), "must be at most 64"),
        (("-j", "100000"), "must be at most 64"),
        (("--jobs", "-1"), "must be at least 0"),
    ],
)
def test_unbounded_counts_are_usage_errors(
    lint: Lint, write: Write, args: tuple[str, ...], message: str
) -> None:
    write("a.xml", "<Flow><Answer/></Flow>")
    run = lint(*args, "a.xml")
    assert run.status == 2
    assert message in run.err
    assert "internal error" not in run.err


def test_the_largest_counts_are_accepted(lint: Lint, write: Write) -> None:
    write("a.xml", "<Flow><Answer/></Flow>")
    assert lint("--max-bytes", "67108864", "-j", "64", "a.xml").status == 0
    assert lint("--max-bytes", "+000100", "a.xml").status == 0


def test_jobs_zero_is_capped(lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from exoml.lint import _cli, _runner

    seen: list[int] = []
    real = _runner.run

    def spy(targets: object, settings: object, jobs: int) -> object:
        seen.append(jobs)
        return real(targets, settings, 1)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "cpu_count", lambda: 4096)
    monkeypatch.setattr(_runner, "run", spy)
    write("a.xml", "<Flow><Answer/></Flow>")
    assert lint("-j", "0", "a.xml").status == 0
    assert seen == [_cli.MAX_JOBS]


def test_rule_docs_render_without_restructuredtext() -> None:
    doc = 'EX0 x: ``a`` and ``<b c="d">``.\n\nUse ``e`` or ``f`x``.'
    assert rule_text(doc) == 'EX0 x: a and <b c="d">.\n\nUse e or f`x.'
    assert rule_markdown(doc) == 'EX0 x: `a` and `<b c="d">`.\n\nUse `e` or `` f`x ``.'
    for rule in RULES:
        assert "``" not in rule_text(rule.doc)
        assert "``" not in rule_markdown(rule.doc).replace("`` ", "").replace(" ``", "")
