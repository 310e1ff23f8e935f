"""EX001 not-well-formed: the input is not well-formed XML.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX001"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><Say>Hello</Flow>", 1, 24),
        ("<Flow>\n  <Say>Hi</Say>\n</Flow>\n<Flow/>", 4, 1),
        ("<Flow><Answer x=1/></Flow>", 1, 17),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Say>Hello</Say></Flow>",
        '<?xml version="1.0"?>\n<Flow>\n  <Answer/>\n</Flow>\n',
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_nothing_else_is_checked_in_a_broken_document() -> None:
    assert codes('<flow><startplay loop="99">x</flow>') == {CODE}


def test_deep_nesting_is_refused_not_recursed() -> None:
    # Within the size limit but deeper than the parser's bound of 256 levels.
    deep = "<Flow>" + "<Gather>" * 300 + "</Gather>" * 300 + "</Flow>"
    assert codes(deep) == {CODE}
