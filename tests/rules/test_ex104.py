"""EX104 stray-text: text where only elements belong.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX104"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow>Hello<Hangup/></Flow>", 1, 7),
        ("<Flow>\n  <Hangup/>\n  oops\n</Flow>", 3, 3),
        ("<Flow><Hangup/>  stray<Hangup/></Flow>", 1, 18),
        ("<Flow><Gather>x<Say>a</Say></Gather></Flow>", 1, 15),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow>\n  <Say>Hello</Say>\n</Flow>\n",
        "<Flow>\t<Hold>\n <StartPlay>https://example.com/a.wav</StartPlay> </Hold></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
