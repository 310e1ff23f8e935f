"""``exoml send`` and ``python -m exoml.send`` against a FakeLegsAPI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from exoml.send import main
from exoml.testing import FakeLegsAPI

HELLO = "<Flow><Say>Hello</Say></Flow>\n"
INVALID = '<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>\n'


def environment(api: FakeLegsAPI) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXOTEL_")}
    env.update(
        EXOTEL_ACCOUNT_SID=api.account_sid,
        EXOTEL_API_KEY=api.api_key,
        EXOTEL_API_TOKEN=api.api_token,
        EXOTEL_BASE_URL=api.url,
    )
    return env


def run(
    api: FakeLegsAPI, *args: str, stdin: str | None = None, module: str = "exoml.send"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(api),
        timeout=60,
        check=False,
    )


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, fake_legs_api: FakeLegsAPI) -> FakeLegsAPI:
    """Point the in-process main() at the fake through the environment."""
    for name, value in environment(fake_legs_api).items():
        if name.startswith("EXOTEL_"):
            monkeypatch.setenv(name, value)
    return fake_legs_api


@pytest.fixture
def hello(tmp_path: Path) -> Path:
    path = tmp_path / "hello.xml"
    path.write_text(HELLO, encoding="utf-8")
    return path


# -- as a subprocess --------------------------------------------------------------------


def test_exit_0_prints_the_request_id(fake_legs_api: FakeLegsAPI, hello: Path) -> None:
    result = run(fake_legs_api, "LEG 1/ñ", str(hello), "--custom-param", "corr-9")
    assert result.returncode == 0, result.stderr
    [action] = fake_legs_api.actions
    assert result.stdout == f"{action.request_id}\n"
    assert (action.leg_sid, action.exoml, action.custom_param) == ("LEG 1/ñ", HELLO, "corr-9")


def test_exit_0_from_stdin_through_the_exoml_command(fake_legs_api: FakeLegsAPI) -> None:
    result = run(fake_legs_api, "send", "LEG1", "-", stdin=HELLO, module="exoml")
    assert result.returncode == 0, result.stderr
    assert [a.exoml for a in fake_legs_api.actions] == [HELLO]


def test_exit_1_on_an_api_error(fake_legs_api: FakeLegsAPI, hello: Path) -> None:
    fake_legs_api.add_leg("KNOWN")
    result = run(fake_legs_api, "GONE", str(hello))
    assert result.returncode == 1
    assert "HTTP 404" in result.stderr
    assert "leg not found: 'GONE'" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_exit_2_on_invalid_exoml_and_nothing_sent(fake_legs_api: FakeLegsAPI) -> None:
    result = run(fake_legs_api, "LEG1", "-", stdin=INVALID)
    assert result.returncode == 2
    assert "<stdin>:1:" in result.stderr
    assert "EX301" in result.stderr
    assert "nothing sent" in result.stderr
    assert fake_legs_api.requests == []


# -- in process -------------------------------------------------------------------------


def test_api_token_from_the_environment_only(
    env: FakeLegsAPI, hello: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["LEG1", str(hello)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == env.actions[0].request_id
    assert env.api_token not in out + err


def test_server_side_400_shows_its_diagnostics(
    env: FakeLegsAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(INVALID, encoding="utf-8")
    assert main(["LEG1", str(path), "--no-validate"]) == 1
    err = capsys.readouterr().err
    assert "HTTP 400 invalid_exoml" in err
    assert "server:1:" in err
    assert "EX301" in err


def test_warnings_are_shown_and_the_action_sent(
    env: FakeLegsAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.xml"
    path.write_text("<Flow><Answer/><Say>Hi</Say></Flow>", encoding="utf-8")
    assert main(["LEG1", str(path)]) == 0
    assert "EX501" in capsys.readouterr().err
    assert len(env.actions) == 1


def test_exit_1_when_the_api_is_unreachable(
    env: FakeLegsAPI, hello: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = env.url
    env.close()
    assert main(["LEG1", str(hello), "--base-url", url, "--max-retries", "0"]) == 1
    assert "cannot connect" in capsys.readouterr().err


def test_base_url_option_wins(
    env: FakeLegsAPI, hello: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["LEG1", str(hello), "--base-url", "http://example.com"]) == 2
    assert "https://" in capsys.readouterr().err
    assert env.requests == []


@pytest.mark.parametrize("missing", ["EXOTEL_ACCOUNT_SID", "EXOTEL_API_KEY", "EXOTEL_API_TOKEN"])
def test_exit_2_names_a_missing_variable(
    env: FakeLegsAPI,
    hello: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    missing: str,
) -> None:
    monkeypatch.delenv(missing)
    assert main(["LEG1", str(hello)], prog="exoml send") == 2
    assert f"exoml send: error: environment variable {missing} is not set" in (
        capsys.readouterr().err
    )


def test_usage_errors(
    env: FakeLegsAPI, tmp_path: Path, hello: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([]) == 2
    assert "usage:" in capsys.readouterr().err
    assert main(["LEG1", str(tmp_path / "missing.xml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    latin1 = tmp_path / "latin1.xml"
    latin1.write_bytes("<Flow><Say>Olá</Say></Flow>".encode("latin-1"))
    assert main(["LEG1", str(latin1)]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert main(["", str(hello)]) == 2
    assert "leg_sid must not be empty" in capsys.readouterr().err
    assert main(["LEG1", str(hello), "--timeout", "0"]) == 2
    assert "timeout" in capsys.readouterr().err
    assert main(["LEG1", str(hello), "--max-retries", "-1"]) == 2
    assert "max_retries" in capsys.readouterr().err
    assert env.requests == []


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"], prog="exoml send") == 0
    assert capsys.readouterr().out.startswith("usage: exoml send")


# -- retries are reported, and their waits bounded -----------------------------------------


def test_a_retry_and_its_wait_are_reported(
    env: FakeLegsAPI, hello: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.fail_next(1, status=429, retry_after=0)
    assert main(["LEG1", str(hello)], prog="exoml send") == 0
    out, err = capsys.readouterr()
    assert out.strip() == env.actions[0].request_id
    [line] = [line for line in err.splitlines() if "retrying" in line]
    assert line.startswith("exoml send: leg 'LEG1': attempt 1 of 3 failed (HTTP 429 ")
    assert line.endswith("; retrying in 0.00 s")


def test_quiet_hides_the_retries(
    env: FakeLegsAPI, hello: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.fail_next(1, status=429, retry_after=0)
    assert main(["LEG1", str(hello), "--quiet"]) == 0
    assert "retrying" not in capsys.readouterr().err


def test_a_retry_after_past_max_retry_wait_fails_at_once(
    env: FakeLegsAPI, hello: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.fail_next(1, status=429, retry_after=60)
    assert main(["LEG1", str(hello), "--max-retry-wait", "5"], prog="exoml send") == 1
    err = capsys.readouterr().err
    assert "not waiting 60.00 s for Retry-After: past max_retry_wait (5 s" in err
    assert "the API refused the action: HTTP 429" in err
    assert len(env.requests) == 1


def test_the_retry_report_reaches_a_subprocess_stderr(
    fake_legs_api: FakeLegsAPI, hello: Path
) -> None:
    fake_legs_api.fail_next(1, status=429, retry_after=0)
    result = run(fake_legs_api, "LEG1", str(hello))
    assert result.returncode == 0, result.stderr
    assert "attempt 1 of 3 failed (HTTP 429" in result.stderr
    assert "retrying in 0.00 s" in result.stderr


# -- the input is bounded ------------------------------------------------------------------


def test_a_document_past_max_bytes_is_a_usage_error(
    env: FakeLegsAPI, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<Flow>" + b" " * (64 * 1024) + b"</Flow>")
    assert main(["LEG1", str(big)], prog="exoml send") == 2
    err = capsys.readouterr().err
    assert f"exoml send: error: {big} is larger than 65536 bytes; nothing sent" in err
    small = tmp_path / "small.xml"
    small.write_text(HELLO, encoding="utf-8")
    assert main(["LEG1", str(small), "--max-bytes", "10"]) == 2
    assert "larger than 10 bytes" in capsys.readouterr().err
    assert env.requests == []


def test_an_endless_input_is_read_only_to_the_limit(
    fake_legs_api: FakeLegsAPI,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "exoml.send", "LEG1", "/dev/zero"],
        capture_output=True,
        text=True,
        env=environment(fake_legs_api),
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "/dev/zero is larger than 65536 bytes" in result.stderr
    assert fake_legs_api.requests == []


def test_a_large_stdin_is_a_usage_error(fake_legs_api: FakeLegsAPI) -> None:
    result = run(fake_legs_api, "LEG1", "-", stdin="<Flow>" + " " * 100_000 + "</Flow>")
    assert result.returncode == 2
    assert "<stdin> is larger than 65536 bytes" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--max-bytes", "0"], "--max-bytes must be between 1 and 16777216"),
        (["--max-bytes", "99999999999999999999999"], "--max-bytes"),
        (["--max-bytes", "1e3"], "--max-bytes"),
        (["--max-bytes", "abc"], "--max-bytes"),
        (["--max-bytes", "٣"], "--max-bytes"),
        (["--max-bytes", str(16 * 1024 * 1024 + 1)], "--max-bytes must be between"),
        (["--timeout", "nan"], "--timeout"),
        (["--timeout", "inf"], "--timeout"),
        (["--timeout", "1e300"], "timeout must be a number of seconds"),
        (["--deadline", "0"], "deadline must be a number of seconds"),
        (["--max-retries", "1000000000000000000000"], "--max-retries"),
        (["--max-retries", "101"], "max_retries must be between 0 and 100"),
        (["--max-retry-wait", "-1"], "max_retry_wait must be"),
    ],
)
def test_unbounded_options_are_usage_errors(
    env: FakeLegsAPI,
    hello: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    message: str,
) -> None:
    assert main(["LEG1", str(hello), *flags]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert env.requests == []


def test_credentials_in_base_url_are_not_printed(
    env: FakeLegsAPI, hello: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for url in ("https://u:pa55-W0RD@host", "ftp://u:pa55-W0RD@host", "http://u:pa55-W0RD@h"):
        assert main(["LEG1", str(hello), "--base-url", url]) == 2
        err = capsys.readouterr().err
        assert "credentials" in err
        assert "pa55" not in err


# -- hostile servers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (202, b"[" * 100_000 + b"]" * 100_000, 0),
        (400, b"[" * 100_000 + b"]" * 100_000, 1),
        (
            400,
            b'{"response": {"error": {"diagnostics": [{"code": "EX1", "message": "m", '
            b'"line": Infinity, "column": 1e999}]}}}',
            1,
        ),
        (500, b"\xff" * 1000, 1),
    ],
    ids=["nested-202", "nested-400", "non-finite-400", "garbage-500"],
)
def test_a_hostile_server_gets_no_traceback(
    tmp_path: Path, hello: Path, status: int, body: bytes, code: int
) -> None:
    from ._servers import ScriptedServer, answer

    with ScriptedServer(answer(status, body)) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXOTEL_")}
        env.update(
            EXOTEL_ACCOUNT_SID=server.account_sid,
            EXOTEL_API_KEY=server.api_key,
            EXOTEL_API_TOKEN=server.api_token,
            EXOTEL_BASE_URL=server.url,
        )
        result = subprocess.run(
            [sys.executable, "-m", "exoml", "send", "LEG1", str(hello), "--max-retries", "0"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    if code == 0:
        assert result.stdout == "(no request id)\n"
    else:
        assert f"HTTP {status}" in result.stderr


def test_a_request_id_with_escapes_is_printed_escaped(hello: Path) -> None:
    from ._servers import ScriptedServer, answer

    body = b'{"request_id": "r\\ud800\\u001b]0;owned\\u0007"}'
    with ScriptedServer(answer(202, body)) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXOTEL_")}
        env.update(
            EXOTEL_ACCOUNT_SID=server.account_sid,
            EXOTEL_API_KEY=server.api_key,
            EXOTEL_API_TOKEN=server.api_token,
            EXOTEL_BASE_URL=server.url,
        )
        result = subprocess.run(
            [sys.executable, "-m", "exoml.send", "LEG1", str(hello)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert result.stdout == "r\ufffd\\x1b]0;owned\\x07\n"
