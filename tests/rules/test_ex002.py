"""EX002 empty-document: the input is empty or only white space.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX002"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("", 1, 1),
        ("  \n\t\n", 1, 1),
        ("﻿", 1, 1),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Answer/></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
