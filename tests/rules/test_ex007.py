"""EX007 encoding-declaration: the XML declaration names an encoding other than UTF-8.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX007"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<?xml version="1.0" encoding="ISO-8859-1"?><Flow><Answer/></Flow>', 1, 31),
        ("<?xml version='1.0' encoding='utf-16'?>\n<Flow><Answer/></Flow>", 1, 31),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0" encoding="UTF-8"?><Flow><Answer/></Flow>',
        "<?xml version='1.0' encoding='utf-8'?><Flow><Answer/></Flow>",
        '<?xml version="1.0"?><Flow><Answer/></Flow>',
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
