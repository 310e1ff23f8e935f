"""EX105 actions-root-in-classic: a ``<Flow>`` checked as a classic ``<Response>``.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX105"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><Say>Hello</Say></Flow>", 1, 1),
        ("<!-- a leg action -->\n<Flow><Hangup/></Flow>", 2, 1),
    ],
)
def test_bad(document: str, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document, dialect="classic")


@pytest.mark.parametrize(
    ("document", "dialect"),
    [
        ("<Response><Say>Hello</Say></Response>", "classic"),
        ("<Flow><Say>Hello</Say></Flow>", None),
        ("<Flow><Say>Hello</Say></Flow>", "legs"),
        ("<Flow><StopPlay/></Flow>", "bridge"),
    ],
)
def test_good(document: str, dialect: str | None) -> None:
    assert CODE not in codes(document, dialect=dialect)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_nothing_inside_is_checked_and_the_message_names_both_roots() -> None:
    (d,) = diagnostics("<Flow><Nonsense/></Flow>", dialect="classic")
    assert d.code == CODE
    assert "<Flow>" in d.message
    assert "<Response>" in d.message


def test_an_unknown_root_is_ex101_in_classic_too() -> None:
    (d,) = diagnostics("<Say>Hi</Say>", dialect="classic")
    assert (d.code, d.message) == ("EX101", "the root element must be <Response>, not <Say>")
