"""Every rule has its own test file, and its documentation is complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exoml._rules import RULES, Rule

HERE = Path(__file__).parent


@pytest.mark.parametrize("code", [r.code for r in RULES])
def test_rule_has_a_test_file(code: str) -> None:
    assert (HERE / f"test_{code.lower()}.py").is_file()


def test_no_test_file_for_a_rule_that_does_not_exist() -> None:
    codes = {r.code.lower() for r in RULES}
    files = {
        m.group(1) for p in HERE.glob("test_ex*.py") if (m := re.match(r"test_(ex\d+)", p.stem))
    }
    assert files <= codes


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_metadata(rule: Rule) -> None:
    assert re.fullmatch(r"EX[0-5]\d\d", rule.code)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
    assert rule.severity == ("warning" if rule.code.startswith("EX5") else "error")
    assert rule.summary
    assert "\n" not in rule.summary
    assert rule.doc.startswith(f"{rule.code} {rule.name}: ")
    assert len(rule.doc.strip().split("\n\n")) >= 2  # a title and at least one paragraph


def test_codes_and_names_are_unique_and_sorted() -> None:
    codes = [r.code for r in RULES]
    assert codes == sorted(set(codes))
    assert len({r.name for r in RULES}) == len(RULES)
