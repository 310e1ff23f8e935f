"""EX302 invalid-text: a verb's text breaks its rule.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX302"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><StartPlay>example.com/a.wav</StartPlay></Flow>", 1, 18),
        ("<Flow>\n  <Say>   </Say>\n</Flow>", 2, 8),
        ("<Flow><StartPlay> https://example.com/a b.wav</StartPlay></Flow>", 1, 18),
        ("<Flow><SendDigits>12x</SendDigits></Flow>", 1, 19),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><StartPlay>https://example.com/a.wav</StartPlay></Flow>",
        "<Flow><Say> Hello </Say></Flow>",
        # a URL on its own indented line, as Exotel's examples write it
        "<Flow>\n  <StartPlay>\n    https://example.com/a.wav\n  </StartPlay>\n</Flow>",
        "<Flow><StartPlay>sound:beep</StartPlay></Flow>",
        "<Flow><SendDigits> 12# </SendDigits></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
