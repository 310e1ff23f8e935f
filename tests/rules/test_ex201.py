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
        ("<Flow><StartSay>Hi</StartSay></Flow>", 1, 7),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Say>Hello</Say></Flow>",
        "<Flow><UnHold/></Flow>",
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
