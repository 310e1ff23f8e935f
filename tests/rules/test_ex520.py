"""EX520 preferred-spelling: opt-in; the other spelling of a name with two.

Off by default (validate and a plain lint run never report it); ``--select EX520``
turns it on; the preference defaults to the cased documentation's spelling and
``--prefer`` (or ``prefer`` in the configuration) changes it; ``--fix`` renames.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from exoml import validate
from exoml._check import check_bytes
from exoml._rules import checks, rule
from exoml.lint import main

CODE = "EX520"


def found(document: str, prefer: tuple[str, ...] = ()) -> list[tuple[str, int, int]]:
    data = document.encode()
    report = check_bytes(data, enabled=[CODE], prefer=prefer)
    # The schema fast path and the full walk agree here too.
    full = check_bytes(data, enabled=[CODE], prefer=prefer, full=True)
    assert report.diagnostics == full.diagnostics
    return [(d.code, d.line, d.column) for d in report.diagnostics]


def test_off_by_default() -> None:
    r = rule(CODE)
    assert not r.default
    assert CODE not in {x.code for x in checks().rules}
    assert CODE in {x.code for x in checks([CODE]).rules}
    assert validate(r.bad) == []


@pytest.mark.parametrize(
    ("document", "prefer", "where"),
    [
        ("<Flow><Say>Hi</Say></Flow>", (), (1, 7)),
        ('<Flow><StartStream streamUrl="wss://a.b/s"/></Flow>', (), (1, 20)),
        ("<Flow>\n  <StartSay>Hi</StartSay>\n</Flow>", ("Say",), (2, 3)),
        ('<Flow><StartStream url="wss://a.b/s"/></Flow>', ("streamUrl",), (1, 20)),
        ("<Flow><Gather><Say>PIN?</Say></Gather></Flow>", ("url",), (1, 15)),
    ],
)
def test_bad(document: str, prefer: tuple[str, ...], where: tuple[int, int]) -> None:
    assert (CODE, *where) in found(document, prefer)


@pytest.mark.parametrize(
    ("document", "prefer"),
    [
        ("<Flow><StartSay>Hi</StartSay></Flow>", ()),
        ('<Flow><StartStream url="wss://a.b/s"/></Flow>', ()),
        ("<Flow><Say>Hi</Say></Flow>", ("Say",)),
        ('<Flow><StartStream streamUrl="wss://a.b/s"/></Flow>', ("streamUrl", "StartSay")),
        ("<Flow><Answer/></Flow>", ()),
    ],
)
def test_good(document: str, prefer: tuple[str, ...]) -> None:
    assert found(document, prefer) == []


def test_rule_examples() -> None:
    r = rule(CODE)
    assert [c for c, _, _ in found(r.bad)] == [CODE]
    assert found(r.good) == []


def test_lint_select_prefer_and_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.xml"
    path.write_text('<Flow>\n  <Say>Hi</Say>\n  <StartStream streamUrl="wss://a.b/s"/>\n</Flow>\n')
    assert main(["--no-config", "--strict", str(path)]) == 1  # EX501 only
    assert "EX520" not in capsys.readouterr().out
    assert main(["--no-config", "--select", "EX5", str(path)]) == 0  # a prefix: not enabled
    assert "EX520" not in capsys.readouterr().out
    assert main(["--no-config", "--select", "EX520", "--prefer", "Say,streamUrl", str(path)]) == 0
    assert "EX520" not in capsys.readouterr().out
    assert main(["--no-config", "--select", "EX520", "--strict", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("EX520") == 2
    assert main(["--no-config", "--select", "EX520", "--fix", str(path)]) == 0
    capsys.readouterr()
    assert path.read_text() == (
        '<Flow>\n  <StartSay>Hi</StartSay>\n  <StartStream url="wss://a.b/s"/>\n</Flow>\n'
    )
    assert main(["--no-config", "--select", "EX520", "--strict", str(path)]) == 0
    assert "EX520" not in capsys.readouterr().out


def test_prefer_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.xml"
    path.write_text("<Flow><Say>Hi</Say></Flow>")
    assert main(["--no-config", "--prefer", "Speak", str(path)]) == 2
    assert "not a name with two spellings" in capsys.readouterr().err
    assert main(["--no-config", "--prefer", "Say,StartSay", str(path)]) == 2
    assert "prefer one" in capsys.readouterr().err


def test_prefer_from_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.exoml.lint]\nselect = ["EX520"]\nprefer = ["Say"]\n'
    )
    (tmp_path / "a.xml").write_text("<Flow><StartSay>Hi</StartSay></Flow>")
    monkeypatch.chdir(tmp_path)
    assert main(["--strict", "a.xml"]) == 1


def test_no_fix_when_the_preferred_attribute_is_there() -> None:
    data = b'<Flow><StartStream streamUrl="wss://a.b/s" url="wss://a.b/s"/></Flow>'
    spelled = [d for d in check_bytes(data, enabled=[CODE]).diagnostics if d.code == CODE]
    assert len(spelled) == 1
    assert spelled[0].fix is None
