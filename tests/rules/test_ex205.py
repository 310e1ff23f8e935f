"""EX205 missing-attribute: a required attribute is missing.

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX205"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<Flow><JoinBridge absorbDtmf="true"/></Flow>', 1, 7),
        ("<Flow>\n  <StartStream/>\n</Flow>", 2, 3),
        ("<Flow><Refer/></Flow>", 1, 7),
        ("<Flow><StartMonitoring/></Flow>", 1, 7),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<Flow><JoinBridge bridgeSid="BR123" absorbDtmf="true"/></Flow>',
        '<Flow><Refer legEventEndpoint="grpc://new-endpoint:9001"/></Flow>',
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
