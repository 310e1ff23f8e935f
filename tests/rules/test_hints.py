"""Hints never corrupt: a did-you-mean only for a plausible typo, never from one real
name to another, and no fix but a pure case change (or the opt-in EX520 rename)."""

from __future__ import annotations

import pytest

from exoml._catalogue import VERBS
from exoml._check import check_bytes
from exoml._rules import RULES
from exoml._rules._hints import did_you_mean

from ._helpers import diagnostics


@pytest.mark.parametrize(
    ("name", "known", "expected"),
    [
        ("loops", ["loop"], "loop"),
        ("numDigit", ["numDigits", "timeoutInSec"], "numDigits"),
        ("storageURL", ["direction", "format", "storageType"], None),
        ("Speak", ["Say", "StartPlay"], None),
        ("x", ["loop"], None),
        ("loop", ["loop"], None),
    ],
)
def test_did_you_mean(name: str, known: list[str], expected: str | None) -> None:
    assert did_you_mean(name, known) == expected


def test_a_name_known_elsewhere_is_never_turned_into_another() -> None:
    # storageURL is StartRecording's; on StopRecording it is unknown, not a typo of
    # storageType (what the old hint said).
    names = {a.name for v in VERBS for a in v.attrs}
    for element in ("Mute", "StopRecording", "Gather"):
        for name in sorted(names):
            document = f'<Flow><{element} {name}="x"/></Flow>'
            for d in diagnostics(document):
                if d.code == "EX203":
                    assert "did you mean" not in d.message, d.message


def test_every_fix_is_a_pure_case_change_but_the_opt_in_rename() -> None:
    documents = [r.bad for r in RULES] + [
        "<flow><startplay>https://a.b/c</startplay></flow>",
        '<Flow><Gather NUMDIGITS="4" timeoutinsec="5"/></Flow>',
        '<Flow><startStream URL="wss://a.b/s"/></Flow>',
    ]
    for document in documents:
        text = document
        for d in check_bytes(document.encode(), enabled=["EX520"]).diagnostics:
            if d.fix is None:
                continue
            for edit in d.fix.edits:
                old = text[edit.start : edit.end]
                if d.code != "EX520":
                    assert old.lower() == edit.replacement.lower(), (d, old)
                    assert old != edit.replacement
