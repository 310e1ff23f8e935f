"""What the checker says when it is given something that is not a document.

The messages name what was passed in the caller's terms (a Flow, a Say verb, None),
never an internal module path, and say what to pass instead.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from exoml import Flow, Say, StartPlay, validate
from exoml._check import check_document, has_errors

CHECKS: list[Callable[[object], object]] = [
    validate,  # type: ignore[list-item]
    has_errors,  # type: ignore[list-item]
    check_document,  # type: ignore[list-item]
    Flow.parse,  # type: ignore[list-item]
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__qualname__)
@pytest.mark.parametrize(
    ("value", "named"),
    [
        (Flow().say("x"), "not a Flow"),
        (Say("x"), "not a Say verb"),
        (StartPlay("https://example.com/a.wav"), "not a StartPlay verb"),
        (None, "not None"),
        (3, "not int"),
        (["<Flow/>"], "not list"),
    ],
)
def test_not_a_document_is_a_clear_type_error(
    check: Callable[[object], object], value: object, named: str
) -> None:
    with pytest.raises(TypeError) as info:
        check(value)
    message = str(info.value)
    assert message.startswith("expected an ExoML document as str or bytes, ")
    assert named in message
    assert "exoml." not in message
    assert "_verb" not in message
    assert "NoneType" not in message
    if isinstance(value, (Flow, Say, StartPlay)):
        assert ".to_xml()" in message
