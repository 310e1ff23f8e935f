"""EX510 unconfirmed-name: a name that only third-party code shows (warning).

Every name the reference lists as third-party only gives exactly this warning, once;
names Exotel documents never do; a typo of a documented name is an error instead.
"""

from __future__ import annotations

import pytest
from lxml import etree

from exoml._catalogue import VERBS, documented

from ._helpers import check_rule_examples, codes, diagnostics, found

CODE = "EX510"

# The reference's third-party-only names, each in a document that is otherwise clean.
THIRD_PARTY_ONLY = [
    '<SendDigits duration="100">1</SendDigits>',
    '<SendDigits between="50">1</SendDigits>',
    '<StartRecording bitrate="32000"/>',
    '<StartRecording channel="mono"/>',
    '<StartRecording storageURL="https://store.example.com/up"/>',
    '<StartRecording storageURLKey="k"/>',
    '<StartRecording storageURLToken="t"/>',
    '<StartRecording silenceInSec="5"/>',
    '<StartRecording finishOnKey="#"/>',
    '<StartRecording timeoutInSec="60"/>',
    "<StartRecording><Say>Leave a message</Say></StartRecording>",
    '<StartStream url="wss://a.b/s" secureDtmf="true"/>',
    '<StartStream url="wss://a.b/s" sourceDirection="both"/>',
    '<StopStream streamSid="ST1"/>',
    '<Dial contactUri="+919876543210" exophone="08047091234" timeout="30"/>',
    '<Dial contactUri="+919876543210" exophone="08047091234" customParam="x"/>',
]


@pytest.mark.parametrize("body", THIRD_PARTY_ONLY)
def test_each_third_party_only_name_gives_exactly_one_warning(body: str) -> None:
    found_here = diagnostics(f"<Flow>{body}</Flow>")
    assert [d.code for d in found_here] == [CODE]
    (d,) = found_here
    assert d.severity == "warning"
    assert "not in Exotel's documentation" in d.message
    assert "third-party code" in d.message  # where it was seen


def test_the_list_is_every_third_party_only_name_of_the_catalogue() -> None:
    attrs = {(v.element, a.name) for v in VERBS for a in v.attrs if not documented(a.sources(v))}
    shown = set()
    for body in THIRD_PARTY_ONLY:
        el = etree.fromstring(body)
        shown |= {(el.tag, name) for name in el.attrib}
    assert attrs <= shown
    assert all(documented(v.evidence) for v in VERBS)  # no verb rests on third parties alone


@pytest.mark.parametrize(
    ("document", "line", "column"),
    [
        ('<Flow>\n  <StartRecording bitrate="32000"/>\n</Flow>', 2, 19),
        ("<Flow><StartRecording><Say>Hi</Say></StartRecording></Flow>", 1, 23),
    ],
)
def test_bad(document: str | bytes, line: int, column: int) -> None:
    assert (CODE, line, column) in found(document)


@pytest.mark.parametrize(
    "document",
    [
        '<Flow><StartRecording direction="both" format="mp3" storageType="s3"/></Flow>',
        '<Flow><Gather finishOnKey="#" timeoutInSec="5"><Say>PIN</Say></Gather></Flow>',
        '<Flow><StartPlay username="u" password="p">sound:beep</StartPlay></Flow>',
        '<Flow><Dial contactUri="+919876543210" exophone="08047091234" networkType="voip"/></Flow>',
    ],
)
def test_good(document: str | bytes) -> None:
    assert codes(document) == set()


def test_a_typo_of_a_documented_name_is_still_an_error() -> None:
    (d,) = diagnostics('<Flow><StartRecording storageTipe="s3"/></Flow>')
    assert d.code == "EX203"
    assert "did you mean storageType?" in d.message


def test_rule_examples() -> None:
    check_rule_examples(CODE)
