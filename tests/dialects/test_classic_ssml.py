"""The classic Say's SSML (say-as, break): what validate accepts, the builder writes and
Response.parse reads back, as the exact inverse of to_xml."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from exoml import FlowError, validate
from exoml.classic import SSML, Response, Say

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "classic"

DOCUMENTS = [
    (CORPUS / "exotel-say-ssml.xml").read_text(encoding="utf-8"),
    "<Response><Say>Code <say-as interpret-as='digits'>12</say-as><break/></Say></Response>",
    '<Response><Say voice="man" loop="2">a &amp; b <break time="1s"></break> c</Say></Response>',
    "<Response><Gather action='https://e.x/m'><Say>Press <say-as>1</say-as></Say></Gather>"
    "</Response>",
    "<Response><Say>x<!-- a note --><break/>y</Say><Hangup/></Response>",
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_valid_say_with_ssml_parses_and_survives_its_round_trip(document: str) -> None:
    assert validate(document, dialect="classic") == []
    response = Response.parse(document)
    for xml in (response.to_xml(), response.to_xml(pretty=True)):
        assert Response.parse(xml) == response
        assert validate(xml, dialect="classic") == []
    assert pickle.loads(pickle.dumps(response)) == response
    assert copy.deepcopy(response) == response


def test_the_text_of_a_parsed_say_with_markup_is_ssml() -> None:
    (say,) = Response.parse(DOCUMENTS[1]).verbs
    assert isinstance(say, Say)
    assert type(say.text) is SSML
    assert say.text == 'Code <say-as interpret-as="digits">12</say-as><break/>'
    assert repr(say) == "Say(SSML('Code <say-as interpret-as=\"digits\">12</say-as><break/>'))"
    # The repr evaluates back.
    assert eval(repr(say), {"Say": Say, "SSML": SSML}) == say


def test_a_str_is_text_and_ssml_is_markup() -> None:
    assert Say("a <break/>").to_xml() == "<Say>a &lt;break/&gt;</Say>"
    assert Say(SSML("a <break/>")).to_xml() == "<Say>a <break/></Say>"
    # Markup-free SSML is the same text: the same verb.
    assert Say(SSML("a &amp; b")) == Say("a & b")
    assert type(Say(SSML("plain")).text) is str


def test_ssml_has_one_spelling() -> None:
    spellings = ["x <break time='1s' />", 'x <break time="1s"/>', 'x <break time="1s"></break>']
    assert {SSML(s) for s in spellings} == {'x <break time="1s"/>'}
    assert len({Say(SSML(s)) for s in spellings}) == 1
    assert SSML(SSML("x<break/>")) == "x<break/>"


@pytest.mark.parametrize(
    ("markup", "words"),
    [
        ("Hi <b>there</b>", "<Say> cannot contain <b>; it takes <say-as> or <break>"),
        ("<break/>", "must contain at least one non-whitespace character"),
        ("a <break>", "not well-formed"),
        ("&xxe;", "the entity &xxe; is not defined"),
        ("</Say><Hangup/><Say>x", "Say text"),
    ],
)
def test_ssml_is_checked_as_the_linter_checks_a_say(markup: str, words: str) -> None:
    with pytest.raises(FlowError, match=r"^Say text") as info:
        SSML(markup)
    assert words in str(info.value)
    assert info.value.verb == "Say"
    # validate says the same of the document it would make
    assert validate(f"<Response><Say>{markup}</Say></Response>", dialect="classic") != []


def test_ssml_refuses_what_is_not_text() -> None:
    with pytest.raises(FlowError, match="must be a str"):
        SSML(5)  # type: ignore[arg-type]


def test_replace_keeps_the_markup() -> None:
    say = Say(SSML("Hi <break/>"), voice="woman")
    assert say.replace(voice="man").to_xml() == '<Say voice="man">Hi <break/></Say>'
    assert say.replace(text="Bye").to_xml() == '<Say voice="woman">Bye</Say>'
