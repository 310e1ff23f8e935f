"""EX204 attribute-case: an attribute name in the wrong case.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, fixed, found

CODE = "EX204"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<Flow><Gather numdigits="4"><Say>Enter your PIN</Say></Gather></Flow>', 1, 15),
        ('<Flow>\n <Mute DIRECTION="in"/>\n</Flow>', 2, 8),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<Flow><Gather numDigits="4"><Say>Enter your PIN</Say></Gather></Flow>',
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_fix_renames_the_attribute_only() -> None:
    document = '<Flow>\n <Mute  DIRECTION = "in" />\n</Flow>'
    assert fixed(document) == '<Flow>\n <Mute  direction = "in" />\n</Flow>'


def test_value_is_still_checked() -> None:
    assert codes('<Flow><Mute DIRECTION="sideways"/></Flow>') == {CODE, "EX301"}
