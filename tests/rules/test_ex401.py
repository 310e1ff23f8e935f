"""EX401 child-not-allowed: a verb where it cannot stand.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX401"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><Gather><Hangup/></Gather></Flow>", 1, 15),
        ("<Flow><Hold><Say>x</Say></Hold></Flow>", 1, 13),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Gather><Say>Press 1</Say><StartPlay>https://example.com/a.wav</StartPlay></Gather></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
