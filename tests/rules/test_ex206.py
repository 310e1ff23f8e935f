"""EX206 conflicting-attributes: two attributes of which only one may be set.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX206"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<Flow><StartStream url="wss://a.b/s" streamUrl="wss://a.b/s"/></Flow>', 1, 7),
        ('<Flow>\n  <StartStream streamUrl="wss://a.b/s" url="wss://c.d/s"/>\n</Flow>', 2, 3),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<Flow><StartStream url="wss://a.b/s"/></Flow>',
        '<Flow><StartStream streamUrl="wss://a.b/s"/></Flow>',
    ],
)
def test_good(document: str | bytes) -> None:
    assert codes(document) == set()


def test_neither_is_a_missing_attribute_naming_both() -> None:
    (d,) = diagnostics('<Flow><StartStream streamType="bidirectional"/></Flow>')
    assert d.code == "EX205"
    assert "streamUrl or url" in d.message


def test_rule_examples() -> None:
    check_rule_examples(CODE)
