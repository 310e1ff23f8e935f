"""EX004 doctype: a DOCTYPE (DTD) is not allowed.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX004"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<!DOCTYPE Flow [<!ENTITY x "y">]><Flow><Say>&x;</Say></Flow>', 1, 1),
        ('<?xml version="1.0"?>\n<!DOCTYPE Flow SYSTEM "http://x/y.dtd">\n<Flow/>', 2, 1),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Say>y</Say></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_billion_laughs_is_refused_without_expansion() -> None:
    lol = (
        '<!DOCTYPE Flow [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Flow><Say>&c;</Say></Flow>'
    )
    assert found(lol) == [(CODE, 1, 1)]
