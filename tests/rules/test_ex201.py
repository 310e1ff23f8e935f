"""EX201 unknown-element: an element that is not an ExoML verb.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX201"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><Speak>Hello</Speak></Flow>", 1, 7),
        ("<Flow>\n  <Play>https://a.b/c.wav</Play>\n</Flow>", 2, 3),
        ("<Flow><StartSaay>Hi</StartSaay></Flow>", 1, 7),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Say>Hello</Say></Flow>",
        "<Flow><UnHold/></Flow>",
        "<Flow><StartSay>Hi</StartSay></Flow>",
        '<Flow><Dial contactUri="+919876543210" exophone="08047091234"/></Flow>',
        "<Flow><SendDigits>1</SendDigits></Flow>",
        "<Flow><PlaySequence><Say>Hi</Say></PlaySequence></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_suggests_the_closest_verb() -> None:
    (d,) = diagnostics("<Flow><StartPlai>https://example.com/a.wav</StartPlai></Flow>")
    assert d.code == CODE
    assert "StartPlay" in d.message or (d.hint is not None and "StartPlay" in d.hint)


def test_dial_is_a_leg_action_not_the_classic_dialect() -> None:
    found_codes = codes('<Flow><Dial contactUri="+919876543210"/></Flow>')
    assert found_codes == {"EX205"}
    (d,) = diagnostics("<Flow><Play>https://a.b/c.wav</Play></Flow>")
    assert "classic" in d.message
    assert d.hint == "use <StartPlay>"


def test_no_suggestion_for_a_name_that_is_no_plausible_typo() -> None:
    (d,) = diagnostics("<Flow><Foo/></Flow>")
    assert "did you mean" not in d.message
