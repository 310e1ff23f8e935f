"""EX003 not-utf8: the input is not UTF-8.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import codes, found

CODE = "EX003"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        (b"<Flow><Say>caf\xe9</Say></Flow>", 1, 15),
        (b"<Flow>\n<Say>\xff</Say></Flow>", 2, 6),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        "<Flow><Say>café</Say></Flow>",
        b"\xef\xbb\xbf<Flow><Say>caf\xc3\xa9</Say></Flow>",
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_gzip_is_not_decompressed() -> None:
    import gzip

    assert codes(gzip.compress(b"<Flow><Answer/></Flow>")) == {CODE}
