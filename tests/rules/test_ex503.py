"""EX503 insecure-stream: a ``ws://`` stream URL (warning).

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX503"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<Flow><StartStream streamUrl="ws://bot.example.com/s"/></Flow>', 1, 20),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<Flow><StartStream streamUrl="wss://bot.example.com/s"/></Flow>',
        "<Flow><Say>Streams to ws://bot.example.com/s are refused</Say></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
