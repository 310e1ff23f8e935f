"""The linter and dialects: --dialect, per-path dialects, --placeholders, the config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ._support import Lint, Write

REFER = '<Flow><Refer bridgeEventEndpoint="grpc://events.example.com:9001"/></Flow>'
CLASSIC = '<Response><Say voice="woman">Hi</Say><Hangup/></Response>'
TEMPLATE = '<Response><Play>{audio_url}</Play><Dial callerId="{caller}">{number}</Dial></Response>'


def _codes(output: str) -> list[tuple[str, str]]:
    return [(i["path"], i["code"]) for i in json.loads(output)]


def test_the_root_decides_by_default(lint: Lint, write: Write) -> None:
    write("classic.xml", CLASSIC)
    write("refer.xml", REFER)
    run = lint("--format", "json", "classic.xml", "refer.xml")
    assert _codes(run.out) == [("refer.xml", "EX205"), ("refer.xml", "EX203")]
    assert run.status == 1


def test_dialect_option(lint: Lint, write: Write) -> None:
    write("refer.xml", REFER)
    write("leg.xml", "<Flow><Hangup/></Flow>")
    assert lint("--dialect", "bridge", "refer.xml").status == 0
    run = lint("--format", "json", "--dialect", "bridge", "leg.xml")
    assert _codes(run.out) == [("leg.xml", "EX201")]
    run = lint("--format", "json", "--dialect", "legs", "refer.xml")
    assert run.status == 1


def test_a_named_dialect_makes_another_root_an_error(lint: Lint, write: Write) -> None:
    write("classic.xml", CLASSIC)
    run = lint("--dialect", "legs", "classic.xml")
    assert run.status == 1
    assert "EX102 <Response> is the root of the classic dialect" in run.out
    assert "--dialect classic" in run.out


def test_unknown_dialect_is_a_usage_error(lint: Lint, write: Write) -> None:
    write("a.xml", CLASSIC)
    run = lint("--dialect", "twiml", "a.xml")
    assert run.status == 2
    assert "invalid choice: 'twiml'" in run.err


def test_per_path_dialects_from_the_config(lint: Lint, write: Write) -> None:
    write(
        "pyproject.toml",
        '[tool.exoml.lint.per-path-dialect]\n"bridges/**" = "bridge"\n"*.legs.xml" = "legs"\n',
    )
    write("bridges/eu/refer.xml", REFER)
    write("flows/refer.xml", REFER)
    write("flows/classic.legs.xml", CLASSIC)
    run = lint("--format", "json", "bridges", "flows")
    assert _codes(run.out) == [
        ("flows/classic.legs.xml", "EX102"),
        ("flows/refer.xml", "EX205"),
        ("flows/refer.xml", "EX203"),
    ]


def test_the_command_line_dialect_wins_over_per_path(lint: Lint, write: Write) -> None:
    write("pyproject.toml", '[tool.exoml.lint.per-path-dialect]\n"bridges/**" = "bridge"\n')
    write("bridges/refer.xml", REFER)
    assert lint("bridges").status == 0
    assert lint("--dialect", "legs", "bridges").status == 1


def test_per_path_matches_from_the_config_directory_and_stdin_filename(
    lint: Lint, write: Write, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write("pyproject.toml", '[tool.exoml.lint.per-path-dialect]\n"bridges/*.xml" = "bridge"\n')
    write("bridges/refer.xml", REFER)
    monkeypatch.chdir(tmp_path / "bridges")
    assert lint("refer.xml").status == 0
    monkeypatch.chdir(tmp_path)
    stdin = REFER.encode()
    assert lint("--stdin-filename", "bridges/x.xml", "-", stdin=stdin).status == 0
    assert lint("--stdin-filename", "other/x.xml", "-", stdin=stdin).status == 1


def test_dialect_in_the_config(lint: Lint, write: Write) -> None:
    write("pyproject.toml", '[tool.exoml.lint]\ndialect = "bridge"\n')
    write("refer.xml", REFER)
    assert lint("refer.xml").status == 0
    assert lint("--no-config", "refer.xml").status == 1


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ('dialect = "twiml"', "dialect must be one of legs, bridge, classic"),
        ("dialect = 1", "dialect must be a string"),
        ('placeholders = ["mustache"]', "unknown placeholder style 'mustache'"),
        ("placeholders = 3", "placeholders must be a list of strings or a string"),
        ('per-path-dialect = "bridges/**"', "per-path-dialect must be a table"),
        ('[tool.exoml.lint.per-path-dialect]\n"a/**" = "twiml"', "'a/\\*\\*' must be one of"),
        ('[tool.exoml.lint.per-path-dialect]\n"a/**" = 1', "'a/\\*\\*' must be one of"),
        ('[tool.exoml.lint.per-path-dialect]\n"[z-a].xml" = "legs"', "is not a valid glob"),
        ('[tool.exoml.lint.per-path-dialect]\n" " = "legs"', "has an empty glob"),
    ],
)
def test_bad_dialect_settings_are_usage_errors(
    lint: Lint, write: Write, body: str, match: str
) -> None:
    table = body if body.startswith("[") else f"[tool.exoml.lint]\n{body}\n"
    write("pyproject.toml", table)
    write("a.xml", CLASSIC)
    run = lint("a.xml")
    assert run.status == 2
    import re

    assert re.search(match, run.err), run.err


def test_placeholders_option(lint: Lint, write: Write) -> None:
    write("t.xml", TEMPLATE)
    run = lint("--format", "json", "t.xml")
    assert [c for _, c in _codes(run.out)] == ["EX302", "EX301", "EX302"]
    assert lint("--placeholders", "format", "t.xml").status == 0
    assert lint("--placeholders", "jinja,dollar", "t.xml").status == 1
    assert lint("--placeholders", "jinja, format", "t.xml").status == 0


def test_placeholders_in_the_config_and_bad_styles(lint: Lint, write: Write) -> None:
    write("t.xml", TEMPLATE)
    write("pyproject.toml", '[tool.exoml.lint]\nplaceholders = ["format"]\n')
    assert lint("t.xml").status == 0
    run = lint("--placeholders", "handlebars", "t.xml")
    assert run.status == 2
    assert "unknown placeholder style 'handlebars'" in run.err


def test_a_placeholder_in_a_name_is_ex008_not_a_parse_error(lint: Lint, write: Write) -> None:
    write("t.xml", "<Response>\n  <{{ verb }}>Hi</{{ verb }}>\n</Response>\n")
    run = lint("--placeholders", "jinja", "t.xml")
    assert run.status == 1
    assert "t.xml:2:4: EX008 template placeholder {{ verb }} stands where a name must" in run.out
    assert "EX001" in lint("t.xml").out


def test_fix_keeps_the_dialect(lint: Lint, write: Write) -> None:
    path = write("refer.xml", '<Flow><refer bridgeEventEndpoint="grpc://e.example.com"/></Flow>')
    run = lint("--fix", "--dialect", "bridge", "refer.xml")
    assert run.status == 0, run.out + run.err
    assert path.read_text() == '<Flow><Refer bridgeEventEndpoint="grpc://e.example.com"/></Flow>'


def test_jobs_give_the_same_output(lint: Lint, write: Write) -> None:
    write("pyproject.toml", '[tool.exoml.lint.per-path-dialect]\n"bridges/**" = "bridge"\n')
    for i in range(6):
        write(f"bridges/r{i}.xml", REFER)
        write(f"flows/r{i}.xml", REFER)
    one = lint("--format", "json", ".")
    four = lint("--format", "json", "-j", "4", ".")
    assert one.out == four.out
    assert len(_codes(one.out)) == 12


def test_list_rules_shows_the_dialects(lint: Lint) -> None:
    run = lint("--list-rules")
    lines = run.out.splitlines()
    assert "DIALECTS" in lines[0]
    ex102 = next(line for line in lines if line.startswith("EX102"))
    assert "legs,bridge" in ex102
    ex105 = next(line for line in lines if line.startswith("EX105"))
    assert " classic " in ex105
    items = json.loads(lint("--list-rules", "--format", "json").out)
    by_code = {i["code"]: i for i in items}
    assert by_code["EX501"]["dialects"] == ["legs", "bridge"]
    assert by_code["EX301"]["dialects"] == ["legs", "bridge", "classic"]
