"""EX301 invalid-value: an attribute value breaks its rule.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX301"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>', 1, 18),
        ('<Flow>\n  <Mute direction="Both"/>\n</Flow>', 2, 9),
        ('<Flow><StartPlay loop="٣">https://example.com/a.wav</StartPlay></Flow>', 1, 18),
        ('<Flow><StartPlay loop="+1">https://example.com/a.wav</StartPlay></Flow>', 1, 18),
        ('<Flow><JoinBridge bridgeSid="B" absorbDtmf="1"/></Flow>', 1, 33),
        ('<Flow><Gather finishOnKey="##"><Say>x</Say></Gather></Flow>', 1, 15),
        ('<Flow><Say language="english">Hi</Say></Flow>', 1, 12),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<Flow><StartPlay loop="10">https://example.com/a.wav</StartPlay></Flow>',
        '<Flow><Say language="hi-IN">Namaste</Say></Flow>',
        '<Flow><Gather numDigits="4" timeoutInSec="10" finishOnKey="*">'
        "<Say>x</Say></Gather></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
