"""--select and --ignore: parsing and the longest-prefix rule."""

from __future__ import annotations

import pytest

from exoml.lint._select import is_selected, parse_codes

KNOWN = ["EX001", "EX202", "EX204", "EX301", "EX501"]


def test_parse_codes_splits_commas_and_normalises_case() -> None:
    assert parse_codes(["ex2, EX301", "EX5,"], KNOWN) == ("EX2", "EX301", "EX5")


@pytest.mark.parametrize("bad", ["EX9", "EX3011", "XYZ", "EX301,nope"])
def test_parse_codes_refuses_unknown_codes(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown rule code"):
        parse_codes([bad], KNOWN)


@pytest.mark.parametrize(
    ("code", "select", "ignore", "expected"),
    [
        ("EX301", (), (), True),
        ("EX301", ("EX3",), (), True),
        ("EX202", ("EX3",), (), False),
        ("EX301", (), ("EX3",), False),
        ("EX202", (), ("EX3",), True),
        ("EX301", ("EX3",), ("EX301",), False),  # the more specific ignore wins
        ("EX301", ("EX301",), ("EX3",), True),  # the more specific select wins
        ("EX301", ("EX3",), ("EX3",), False),  # a tie goes to ignore
        ("EX301", ("EX",), ("EX30",), False),
    ],
)
def test_longest_prefix_decides(
    code: str, select: tuple[str, ...], ignore: tuple[str, ...], expected: bool
) -> None:
    assert is_selected(code, select, ignore) is expected
