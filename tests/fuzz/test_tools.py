"""The fuzz tools themselves: their invariants can fail, and a short campaign runs.

Two of their branches could never be taken: "a failing report without an error" (a
report fails exactly when it holds an error), and the xsi:type/xsi:nil explanation,
which looked for ``{namespace}type`` in messages that say ``xsi:type``, so a document
the schema rightly accepts with xsi:type would have been reported as a crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from exoml import _check
from exoml._check import Report
from exoml._diagnostics import Diagnostic
from tests.fuzz import atheris_target, campaign
from tests.hostile._inputs import VALID, report_problem

XSI_TYPE = (
    b'<Flow xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
    b'<Say i:type="SayType">hi</Say></Flow>'
)


@pytest.mark.parametrize(
    "data",
    [VALID, b"", b"<flow><say>x</say></flow>", b"<Flow><Say>x</Flow>", b"\xff\xfe<", XSI_TYPE],
)
def test_the_atheris_target_holds_on_ordinary_inputs(data: bytes) -> None:
    atheris_target.test_one_input(data)


def test_the_xsi_explanation_is_decided_on_the_tree() -> None:
    report = _check.check_bytes(XSI_TYPE, full=True)
    assert report.root is not None
    assert atheris_target._explained_walk_only(report.root, report.diagnostics)
    other = _check.check_bytes(b"<Flow><Say bogus='1'>hi</Say></Flow>", full=True)
    assert other.root is not None
    assert not atheris_target._explained_walk_only(other.root, other.diagnostics)


def _fake(diagnostics: list[Diagnostic], root: object = None) -> object:
    def check(data: bytes, *, max_bytes: int = 65536, full: bool = False, **_: object) -> Report:
        return Report(diagnostics, data.decode("utf-8", "replace"), root)  # type: ignore[arg-type]

    return check


@pytest.mark.parametrize(
    ("diagnostics", "found"),
    [
        ([Diagnostic("EX999", "error", "m", 1, 1)], "unknown code"),
        ([Diagnostic("EX501", "error", "m", 1, 1)], "wrong severity"),
        ([Diagnostic("EX001", "error", "a\nb", 1, 1)], "multi-line message"),
        ([Diagnostic("EX001", "error", "", 1, 1)], "empty"),
        ([Diagnostic("EX001", "error", "m", 0, 1)], "position outside"),
        ([Diagnostic("EX001", "error", "m", 9, 1)], "position outside"),
        ([], "without a parsed document"),
    ],
)
def test_report_problem_finds_broken_reports(
    monkeypatch: pytest.MonkeyPatch, diagnostics: list[Diagnostic], found: str
) -> None:
    monkeypatch.setattr(_check, "check_bytes", _fake(diagnostics))
    problem = report_problem(b"<Flow/>")
    assert problem is not None
    assert found in problem


def test_report_problem_finds_a_short_path_that_disagrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = _check.check_bytes

    def lying(data: bytes, *, max_bytes: int = 65536, full: bool = False) -> Report:
        report = real(data, max_bytes=max_bytes, full=full)
        return report if full else report._replace(diagnostics=[])

    monkeypatch.setattr(_check, "check_bytes", lying)
    problem = report_problem(b"<flow><answer/></flow>")
    assert problem is not None
    assert "short path" in problem


def test_check_one_passes_good_and_broken_documents() -> None:
    for data in (VALID, b"<Flow><Say>x</Flow>", b"", XSI_TYPE):
        assert campaign.check_one(data) is None


def test_a_short_campaign_runs_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--mutants", "60", "--seeds", "5", "--inputs", "60", "--atheris-seconds", "0"]
    # A shared machine can stall any one input for a second: in this smoke run only a
    # hang (far past any real input's cost) is a finding.
    status = campaign.main([*argv, "--jobs", "1", "--no-xmllint", "--slow-seconds", "60"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "mutants tried" in out
    assert "crashes" in out
