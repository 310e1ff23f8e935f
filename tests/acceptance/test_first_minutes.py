"""A new user's first minutes with every command line (issue 13, items 4, 10, 14): every
`--help` explains what it offers, every wrong input is a usage error (exit 2) with a
one-line message and never a traceback, and the fake API's command serves a real send."""

from __future__ import annotations

import importlib.metadata
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import exoml

from ._support import PATIENCE, ROOT, run_cli

HELPS = [
    ("exoml", "--help"),
    ("exoml", "lint", "--help"),
    ("exoml", "send", "--help"),
    ("exoml.lint", "--help"),
    ("exoml.send", "--help"),
    ("exoml.testing.fake_api", "--help"),
]


@pytest.mark.parametrize("args", HELPS, ids=" ".join)
def test_every_help_exits_0_and_says_something(args: tuple[str, ...]) -> None:
    run = run_cli(*args)
    assert run.returncode == 0, run.stderr
    assert "usage:" in run.stdout
    assert run.stderr == ""


def test_exoml_version() -> None:
    run = run_cli("exoml", "--version")
    assert (run.returncode, run.stdout) == (0, f"exoml {exoml.__version__}\n")


def _options(help_text: str) -> dict[str, str]:
    """Each option of an argparse help and the text that explains it."""
    section = help_text.split("options:", 1)[1]
    section = re.split(r"\n\n(?=\S)", section, maxsplit=1)[0]  # up to the epilog
    options: dict[str, str] = {}
    current = ""
    for line in section.splitlines():
        match = re.match(r"^  (-\S.*?)(?:\s{2,}(\S.*))?$", line)
        if match:
            current = match.group(1)
            options[current] = match.group(2) or ""
        elif current and line.strip():
            options[current] += " " + line.strip()
    return options


@pytest.mark.parametrize("args", HELPS[1:], ids=" ".join)
def test_every_option_is_explained(args: tuple[str, ...]) -> None:
    """Issue 13 item 14: `fake_api --help` left options unexplained."""
    options = _options(run_cli(*args).stdout)
    assert len(options) >= 3
    unexplained = [name for name, text in options.items() if len(text.split()) < 2]
    assert unexplained == []


USAGE_ERRORS = [
    ("exoml", "nonsense"),
    ("exoml", "--bogus"),
    ("exoml", "lint"),
    ("exoml", "lint", "-j", "100000", "examples"),
    ("exoml", "lint", "-j", "-3", "examples"),
    ("exoml", "lint", "--max-bytes", "9" * 30, "examples"),
    ("exoml", "lint", "--max-bytes", "0", "examples"),
    ("exoml", "lint", "--format", "yaml", "examples"),
    ("exoml", "lint", "--select", "NOPE", "examples"),
    ("exoml", "lint", "--explain", "EX000"),
    ("exoml", "lint", "--placeholders", "mustache", "examples"),
    ("exoml", "lint", "--dialect", "voicexml", "examples"),
    ("exoml", "lint", "docs/guide"),  # no *.xml under it
    ("exoml", "lint", "no/such/path.xml"),
    ("exoml", "send"),
    ("exoml", "send", "LEG1"),
    ("exoml", "send", "LEG1", "examples/hold-music.xml"),  # no credentials
    ("exoml", "send", "LEG1", "no-such-file.xml"),
    ("exoml", "send", "LEG1", "examples/hold-music.xml", "--timeout", "-1"),
    ("exoml", "send", "LEG1", "examples/hold-music.xml", "--timeout", "inf"),
    ("exoml", "send", "LEG1", "examples/hold-music.xml", "--max-bytes", "1e99"),
    ("exoml", "send", "LEG1", "examples/hold-music.xml", "--max-retries", "10000"),
    ("exoml", "send", "LEG1", "examples/hold-music.xml", "--base-url", "ftp://x"),
    ("exoml", "send", "LEG1", "examples/hold-music.xml", "--base-url", "http://127.0.0.1:70000"),
    ("exoml", "send", "LEG1", "examples/bad/ivr-welcome-typos.xml"),  # invalid: nothing sent
    ("exoml", "send", "", "examples/hold-music.xml"),
    ("exoml.testing.fake_api", "--port", "70000"),
    ("exoml.testing.fake_api", "--port", "-1"),
    ("exoml.testing.fake_api", "--port", "http"),
    ("exoml.testing.fake_api", "--rate-limit", "0"),
    ("exoml.testing.fake_api", "--rate-limit", "-5"),
    ("exoml.testing.fake_api", "--ring-seconds", "nan"),
    ("exoml.testing.fake_api", "--media-seconds", "-1"),
    ("exoml.testing.fake_api", "--event-auth", "no-colon"),
    ("exoml.testing.fake_api", "--account-sid", ""),
    ("exoml.testing.fake_api", "--api-key", "key\nexport EVIL=1"),
    ("exoml.testing.fake_api", "--what"),
]

TOKEN = "tok-Zq81-secret"
PROGS = ("exoml: ", "exoml lint: ", "exoml send: ", "python -m exoml.testing.fake_api: ")
NEEDS_CREDENTIALS = {"--timeout", "--max-bytes", "--max-retries", "--base-url"}


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=lambda a: " ".join(a).replace("\n", "\\n"))
def test_a_wrong_input_is_a_usage_error_without_a_traceback(args: tuple[str, ...]) -> None:
    env = {}
    if args[:2] == ("exoml", "send") and (
        NEEDS_CREDENTIALS & set(args) or args[-1].startswith("examples/bad") or args[2:3] == ("",)
    ):
        env = {"EXOTEL_ACCOUNT_SID": "AC1", "EXOTEL_API_KEY": "k", "EXOTEL_API_TOKEN": TOKEN}
    run = run_cli(*args, env=env)
    assert TOKEN not in run.stdout + run.stderr
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    # the message: a line that names the command, after argparse's usage lines if any
    said = [line for line in run.stderr.splitlines() if line.startswith(PROGS)]
    assert said, run.stderr
    assert all(len(line) < 400 for line in said)


def test_the_fake_api_command_serves_a_send_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    """`python -m exoml.testing.fake_api --port 0` prints the exports a user pastes; with
    them `exoml send` reaches it; Ctrl-C stops it with status 0 and no traceback."""
    server = subprocess.Popen(
        [sys.executable, "-m", "exoml.testing.fake_api", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        exports: dict[str, str] = {}
        for _ in range(5):
            line = server.stdout.readline()
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                exports[name] = value
        assert set(exports) == {
            "EXOTEL_BASE_URL",
            "EXOTEL_ACCOUNT_SID",
            "EXOTEL_API_KEY",
            "EXOTEL_API_TOKEN",
        }
        assert exports["EXOTEL_BASE_URL"].startswith("http://127.0.0.1:")
        sent = run_cli("exoml", "send", "LEG1", "examples/hold-music.xml", env=exports)
        assert sent.returncode == 0, sent.stderr
        wrong = run_cli(
            "exoml",
            "send",
            "LEG1",
            "examples/hold-music.xml",
            env={**exports, "EXOTEL_API_TOKEN": TOKEN},
        )
        assert wrong.returncode == 1  # an API error, not a usage error
        assert "wrong API key or token" in wrong.stderr
        assert TOKEN not in wrong.stderr
        assert "Traceback" not in wrong.stderr
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=PATIENCE)
    assert server.returncode == 0
    assert "Traceback" not in err


def test_the_extras_the_issues_name_are_declared() -> None:
    extras = importlib.metadata.metadata("exoml-dsl").get_all("Provides-Extra") or []
    assert {"redis", "testing"} <= set(extras)
    requires = [r.replace("'", '"') for r in importlib.metadata.requires("exoml-dsl") or []]
    assert any(r.startswith("redis") and 'extra == "redis"' in r for r in requires)
    assert any(r.startswith("hypothesis") and 'extra == "testing"' in r for r in requires)


def test_the_readme_leads_to_every_guide_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs" / "guide").glob("*.md")):
        assert f"(docs/guide/{page.name})" in readme, page.name
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


@pytest.mark.parametrize(
    ("args", "status"),
    [(["--press", "9"], 2), (["--press", ""], 2), (["--live"], 2), (["--live", "LEG1"], 1)],
)
def test_the_demo_refuses_wrong_inputs_without_a_traceback(args: list[str], status: int) -> None:
    """`examples/demo.py --press 9` waited 30 s for a call that could not end, then raised;
    `--live` without credentials raised."""
    run = subprocess.run(
        [sys.executable, "examples/demo.py", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("EXOTEL_")},
        timeout=PATIENCE * 2,
        check=False,
    )
    assert run.returncode == status, run.stderr
    assert "Traceback" not in run.stderr
    assert "demo.py: error:" in run.stderr
