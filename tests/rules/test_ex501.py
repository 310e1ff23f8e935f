"""EX501 multiple-actions: more than one action in a Flow (warning).

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX501"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><Answer/><Say>Hello</Say></Flow>", 1, 16),
        ("<Flow>\n  <Answer/>\n  <Hangup/>\n</Flow>", 3, 3),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Say>Hello</Say></Flow>",
        "<Flow><Gather><Say>a</Say><Say>b</Say></Gather></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_is_a_warning() -> None:
    (d,) = diagnostics("<Flow><Answer/><Hangup/></Flow>")
    assert (d.code, d.severity) == (CODE, "warning")
