"""The machine formats (json, github, sarif) and golden files for every format.

Golden files live in tests/lint/golden/; after an intended change of output, regenerate
them with ``EXOML_UPDATE_GOLDEN=1 python -m pytest tests/lint/test_formats.py`` and review
the diff.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from exoml._diagnostics import Diagnostic, Edit, Fix
from exoml._rules import RULES
from exoml.lint._formatters import GithubFormatter, SarifFormatter, Stats, artifact_uri
from exoml.lint._runner import FileResult

from ._support import EXAMPLES, Lint, Write

GOLDEN = Path(__file__).parent / "golden"
SUFFIX = {"text": "txt", "json": "json", "github": "github.txt", "sarif": "sarif.json"}


@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_golden(lint: Lint, tmp_path: Path, fmt: str) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples", ignore=shutil.ignore_patterns("*.py"))
    run = lint("--format", fmt, "examples", "-", stdin=b"<Flow><answer/>\n<Hangup/></Flow>\n")
    assert run.status == 1
    assert run.err == ""
    output = run.out
    if fmt == "sarif":
        log = json.loads(output)
        log["runs"][0]["tool"]["driver"]["version"] = "VERSION"  # not part of the contract
        output = json.dumps(log, indent=2) + "\n"
    golden = GOLDEN / f"examples.{SUFFIX[fmt]}"
    if os.environ.get("EXOML_UPDATE_GOLDEN"):
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- json


def test_json_items(lint: Lint, write: Write) -> None:
    write("a.xml", '<flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></flow>')
    items = json.loads(lint("--format", "json", "a.xml").out)
    assert items == [
        {
            "path": "a.xml",
            "line": 1,
            "column": 1,
            "code": "EX202",
            "name": "element-case",
            "severity": "error",
            "message": "<flow> must be spelt <Flow> (ExoML names are case-sensitive)",
            "hint": None,
            "fix": "rename <flow> to <Flow>",
        },
        {
            "path": "a.xml",
            "line": 1,
            "column": 18,
            "code": "EX301",
            "name": "invalid-value",
            "severity": "error",
            "message": '<StartPlay> loop="11": must be an integer between 0 and 10',
            "hint": None,
            "fix": None,
        },
    ]


def test_json_is_an_empty_array_when_clean(lint: Lint, write: Write) -> None:
    write("a.xml", "<Flow><Answer/></Flow>")
    run = lint("--format", "json", "a.xml")
    assert (run.status, run.out) == (0, "[]\n")


# -------------------------------------------------------------------------- github


def _result(display: str, *diagnostics: Diagnostic) -> FileResult:
    return FileResult(display, diagnostics)


def test_github_escaping() -> None:
    out = io.StringIO()
    formatter = GithubFormatter(out, rules=RULES)
    formatter.add(
        _result(
            "dir,with:odd%name\n.xml",
            Diagnostic("EX301", "error", "100% wrong:\r\nnext, line", 3, 7, hint="a: b, c"),
            Diagnostic("EX999", "warning", "plain", 1, 1),
        )
    )
    formatter.finish(Stats())
    assert out.getvalue() == (
        "::error file=dir%2Cwith%3Aodd%25name%0A.xml,line=3,col=7,"
        "title=EX301 (invalid-value)::EX301 100%25 wrong:%0D%0Anext, line%0Ahint: a: b, c\n"
        "::warning file=dir%2Cwith%3Aodd%25name%0A.xml,line=1,col=1,title=EX999::EX999 plain\n"
    )


def test_github_command_per_diagnostic(lint: Lint, write: Write) -> None:
    write("a.xml", '<Flow><StartStream streamUrl="ws://bot.example.com/s"/><Answer/></Flow>')
    run = lint("--format", "github", "a.xml")
    assert run.out.splitlines() == [
        "::warning file=a.xml,line=1,col=20,title=EX503 (insecure-stream)::EX503 streamUrl uses "
        "ws://: the call's audio would travel unencrypted; use wss://",
        "::warning file=a.xml,line=1,col=56,title=EX501 (multiple-actions)::EX501 <Flow> holds 2 "
        "actions; the API advises one action per request",
    ]


# --------------------------------------------------------------------------- sarif


def _check_sarif(log: dict[str, Any]) -> None:
    """The parts of SARIF 2.1.0 that GitHub code scanning requires or relies on."""
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "exoml-lint"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [r.code for r in RULES]
    for descriptor in rules:
        assert set(descriptor) == {
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "help",
            "defaultConfiguration",
        }
        for key in ("shortDescription", "fullDescription", "help"):
            assert isinstance(descriptor[key]["text"], str)
            assert descriptor[key]["text"]
        assert descriptor["defaultConfiguration"]["level"] in ("error", "warning")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note", "none")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert "\\" not in uri
        assert not uri.startswith("/")
        region = physical["region"]
        assert isinstance(region["startLine"], int)
        assert region["startLine"] >= 1
        assert isinstance(region["startColumn"], int)
        assert region["startColumn"] >= 1
    for invocation in run["invocations"]:
        assert isinstance(invocation["executionSuccessful"], bool)


def test_sarif_structure(lint: Lint, write: Write) -> None:
    write(
        "flows/a b.xml", '<flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></flow>'
    )
    run = lint("--format", "sarif", "flows")
    log = json.loads(run.out)
    _check_sarif(log)
    results = log["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("EX202", "error"), ("EX301", "error")]
    location = results[1]["locations"][0]["physicalLocation"]
    assert location == {
        "artifactLocation": {"uri": "flows/a%20b.xml"},
        "region": {"startLine": 1, "startColumn": 18},
    }
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_sarif_when_clean_and_when_a_path_fails(lint: Lint, write: Write) -> None:
    write("a.xml", "<Flow><Answer/></Flow>")
    log = json.loads(lint("--format", "sarif", "a.xml", "missing.xml").out)
    _check_sarif(log)
    assert log["runs"][0]["results"] == []
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"] == "missing.xml: No such file or directory"


def test_sarif_rule_descriptions() -> None:
    out = io.StringIO()
    SarifFormatter(out, rules=RULES).finish(Stats())
    rules = json.loads(out.getvalue())["runs"][0]["tool"]["driver"]["rules"]
    ex202 = rules[[r.code for r in RULES].index("EX202")]
    assert ex202["shortDescription"]["text"] == "Element name in the wrong case"
    assert ex202["fullDescription"]["text"].startswith("ExoML names are case-sensitive:")
    assert ex202["help"]["text"].startswith("EX202 element-case:")


def test_artifact_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert artifact_uri("a.xml") == "a.xml"
    assert artifact_uri(os.path.join("dir", "sub", "a #1.xml")) == "dir/sub/a%20%231.xml"
    assert artifact_uri(str(tmp_path / "x" / "a.xml")) == "x/a.xml"
    outside = tmp_path.parent / "elsewhere.xml"
    assert artifact_uri(str(outside)) == outside.as_uri()


def test_fix_descriptions_do_not_change_formats() -> None:
    """A fix is carried in json as its description; github and sarif leave it out."""
    d = Diagnostic("EX202", "error", "m", 1, 1, fix=Fix("rename", (Edit(1, 2, "F"),)))
    out = io.StringIO()
    GithubFormatter(out, rules=RULES).add(_result("a.xml", d))
    assert "rename" not in out.getvalue()


def test_sarif_rule_help_has_no_restructuredtext(lint: Lint, write: Write) -> None:
    write("a.xml", "<flow><answer/></flow>")
    log = json.loads(lint("--format", "sarif", "a.xml").out)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        assert "``" not in rule["help"]["text"]
        assert "``" not in rule["fullDescription"]["text"]
        assert "``" not in rule["help"]["markdown"]
    ex204 = next(r for r in rules if r["id"] == "EX204")
    assert "(`numDigits`, `preferredTTSEngine`)" in ex204["help"]["markdown"]
    assert "(numDigits, preferredTTSEngine)" in ex204["help"]["text"]
