"""EX102 classic-dialect: a classic ``<Response>`` checked as leg or bridge actions.

Bad documents are found at the right line and column; good ones are clean of it. When
the root decides the dialect (the default), a ``<Response>`` is classic ExoML and this
rule has nothing to say.
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
@pytest.mark.parametrize("dialect", ["legs", "bridge"])
def test_bad(document: str | bytes, line: int, column: int, dialect: str) -> None:
    assert (CODE, line, column) in found(document, dialect=dialect)


@pytest.mark.parametrize(
    ("document", "dialect"),
    [
        ("<Flow><StartPlay>https://example.com/a.wav</StartPlay></Flow>", "legs"),
        ("<Response><Play>https://example.com/a.wav</Play></Response>", None),
        ("<Response><Play>https://example.com/a.wav</Play></Response>", "classic"),
    ],
)
def test_good(document: str, dialect: str | None) -> None:
    assert CODE not in codes(document, dialect=dialect)


def test_rule_examples() -> None:
    check_rule_examples(CODE)


def test_names_the_dialect_expected_rather_than_unknown_root() -> None:
    (d,) = diagnostics("<Response><Dial>123</Dial></Response>", dialect="bridge")
    assert "classic" in d.message
    assert "checked as bridge" in d.message
    assert d.hint is not None
    assert "--dialect classic" in d.hint
    assert "EX101" not in codes("<Response/>", dialect="legs")


def test_the_root_decides_by_default() -> None:
    assert codes("<Response><Hangup/></Response>") == set()
