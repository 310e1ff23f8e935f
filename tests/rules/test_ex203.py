"""EX203 unknown-attribute: an attribute the verb does not take.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX203"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<Flow><StartPlay loops="2">https://example.com/a.wav</StartPlay></Flow>', 1, 18),
        ('<Flow>\n  <Answer now="yes"/>\n</Flow>', 2, 11),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<Flow><StartPlay loop="2">https://example.com/a.wav</StartPlay></Flow>',
        '<Flow xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        ' xsi:noNamespaceSchemaLocation="exoml.xsd"><Answer/></Flow>',
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_suggests_the_closest_attribute() -> None:
    (d,) = diagnostics('<Flow><StartPlay loops="2">https://example.com/a.wav</StartPlay></Flow>')
    assert "loop" in d.message
