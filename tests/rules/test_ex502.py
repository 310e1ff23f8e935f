"""EX502 polly-voice-engine: ``pollyVoiceId`` with an engine other than polly (warning).

Bad documents are found at the right line and column; good ones are clean of it.
"""

from __future__ import annotations

import pytest

from ._helpers import check_rule_examples, codes, found

CODE = "EX502"


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<Flow><Say preferredTTSEngine="googletts" pollyVoiceId="Aditi">Hi</Say></Flow>', 1, 43),
        (
            '<Flow><Gather numDigits="4"><Say preferredTTSEngine="googletts"\n'
            '  pollyVoiceId="Aditi">PIN?</Say></Gather></Flow>',
            2,
            3,
        ),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<Flow><Say preferredTTSEngine="polly" pollyVoiceId="Aditi">Hi</Say></Flow>',
        '<Flow><Say pollyVoiceId="Aditi">Hi</Say></Flow>',
        '<Flow><Gather><Say preferredTTSEngine="polly" pollyVoiceId="Aditi">Hi</Say>'
        "</Gather></Flow>",
        '<Flow><Say preferredTTSEngine="googletts">pollyVoiceId="Aditi"</Say></Flow>',
    ],
)
def test_good(document: str | bytes) -> None:
    assert CODE not in codes(document)


def test_rule_examples() -> None:
    check_rule_examples(CODE)
