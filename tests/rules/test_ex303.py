"""EX303 text-in-empty-verb: text inside a verb that takes none.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX303"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><Hangup> </Hangup></Flow>", 1, 15),
        ("<Flow>\n  <Answer>now</Answer>\n</Flow>", 2, 11),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Hangup/></Flow>",
        "<Flow><Hangup></Hangup></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
