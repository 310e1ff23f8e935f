"""EX202 element-case: an element name in the wrong case.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, diagnostics, fixed, found

CODE = "EX202"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<flow><startplay loop="1">https://example.com/a.wav</startplay></flow>', 1, 1),
        ('<flow><startplay loop="1">https://example.com/a.wav</startplay></flow>', 1, 7),
        ("<Flow>\n  <UNHOLD/>\n</Flow>", 2, 3),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><UnHold/></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_fix_renames_start_and_end_tags_only() -> None:
    document = '<flow>\r\n  <startplay loop="1">https://example.com/a.wav</startplay>\r\n</flow>'
    assert fixed(document) == (
        '<Flow>\r\n  <StartPlay loop="1">https://example.com/a.wav</StartPlay>\r\n</Flow>'
    )
    assert all(d.fix is not None for d in diagnostics(document))


def test_fixed_document_is_then_checked_under_its_right_name() -> None:
    assert codes(
        fixed('<Flow><startplay loop="11">https://example.com/a.wav</startplay></Flow>')
    ) == {"EX301"}
