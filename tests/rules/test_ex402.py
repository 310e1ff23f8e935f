"""EX402 too-many-children: more nested verbs than allowed.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX402"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        (
            "<Flow><Hold><StartPlay>https://example.com/a.wav</StartPlay><StartPlay>https://example.com/b.wav</StartPlay></Hold></Flow>",
            1,
            61,
        ),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Hold><StartPlay>https://example.com/a.wav</StartPlay></Hold></Flow>",
        "<Flow><Hold/></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
