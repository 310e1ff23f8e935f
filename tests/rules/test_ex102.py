"""EX102 classic-dialect: a ``<Response>`` root: the classic call-flow dialect.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX102"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Response><Play>https://example.com/a.wav</Play></Response>", 1, 1),
        ("\n  <Response/>", 2, 3),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><StartPlay>https://example.com/a.wav</StartPlay></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_says_what_the_dialect_is_rather_than_unknown_root() -> None:
    (d,) = diagnostics("<Response><Dial>123</Dial></Response>")
    assert "classic" in d.message
    assert "EX101" not in codes("<Response/>")
