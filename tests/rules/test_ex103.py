"""EX103 empty-flow: ``<Flow>`` holds no verb.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX103"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow></Flow>", 1, 1),
        ("<Flow/>", 1, 1),
        ("<Flow>\n  <!-- nothing -->\n</Flow>", 1, 1),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Answer/></Flow>",
        "<Flow>\n  <!-- answer first -->\n  <Answer/>\n</Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
