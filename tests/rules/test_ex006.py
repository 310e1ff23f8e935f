"""EX006 too-large: the input is larger than the size limit.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import codes, found

CODE = "EX006"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ("<Flow><Say>" + "a" * 70000 + "</Say></Flow>", 1, 1),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Say>" + "a" * 60000 + "</Say></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_limit_is_adjustable() -> None:
    document = "<Flow><Answer/></Flow>"
    assert found(document, max_bytes=len(document) - 1) == [(CODE, 1, 1)]
    assert CODE not in codes(document, max_bytes=len(document))


def test_only_the_size_is_reported() -> None:
    # Above the limit the document is not parsed, so nothing else is said about it.
    assert codes(b"\xff<flow>" * 10000) == {CODE}
