"""exoml.classic.Response: every quality Flow has, for the classic dialect."""

from __future__ import annotations

import copy
import inspect
import pickle
import typing

import pytest
from hypothesis import given, settings

import exoml
from exoml import FlowError, validate
from exoml._catalogue import CLASSIC
from exoml.classic import (
    VERB_CLASSES,
    Dial,
    Gather,
    Hangup,
    Number,
    Play,
    Record,
    Redirect,
    Response,
    Say,
)
from exoml.testing import flows, verbs

MENU = (
    Response()
    .say("Welcome", voice="woman", language="en-IN", loop=1)
    .gather(
        Say("Press 1"),
        Play("https://example.com/menu.wav", loop=2, digits="1w2"),
        action="https://example.com/menu",
        method="GET",
        num_digits=1,
        timeout=10,
        finish_on_key="",
    )
    .dial(
        Number("+919876543210", send_digits="ww12", url="https://example.com/whisper"),
        Number("sip:agent@example.com", status_callback="https://example.com/s"),
        caller_id="08047112345",
        record=True,
        hangup_on_star=False,
    )
    .dial("+919812345678", timeout=20, time_limit=600)
    .record(
        action="https://example.com/rec",
        max_length=60,
        finish_on_key="#*",
        play_beep=False,
        transcribe=True,
    )
    .redirect("https://example.com/next", method="POST")
    .hangup()
)


def test_every_classic_verb_has_a_class_from_the_catalogue() -> None:
    assert set(VERB_CLASSES) == {v.element for v in CLASSIC.verbs}
    for spec in CLASSIC.verbs:
        cls = VERB_CLASSES[spec.element]
        assert cls.spec is spec
        assert cls.dialect == "classic"
        assert hasattr(Response, spec.method) == bool(spec.method)


def test_builds_the_documented_xml_and_validates_clean() -> None:
    xml = MENU.to_xml()
    assert xml.startswith('<Response><Say voice="woman" language="en-IN" loop="1">Welcome</Say>')
    assert '<Gather action="https://example.com/menu" method="GET"' in xml
    assert 'finishOnKey=""' in xml
    assert '<Number sendDigits="ww12" URL="https://example.com/whisper">' in xml
    assert "<Dial timeout=" in xml
    assert validate(xml) == []
    assert validate(xml, dialect="classic") == []
    assert validate(MENU.to_xml(pretty=True, xml_declaration=True)) == []
    assert MENU.check() == []


def test_parse_is_the_exact_inverse_of_to_xml() -> None:
    for xml in (MENU.to_xml(), MENU.to_xml(pretty=True), MENU.to_xml(xml_declaration=True)):
        parsed = Response.parse(xml)
        assert parsed == MENU
        assert parsed.to_xml() == MENU.to_xml()


@settings(max_examples=150, deadline=None)
@given(flows(dialect="classic", max_verbs=4))
def test_any_response_round_trips(response: Response) -> None:
    assert Response.parse(response.to_xml()) == response
    assert Response.parse(response.to_xml(pretty=True)) == response
    assert not any(d.is_error for d in validate(response.to_xml()))


def test_immutable_and_chainable() -> None:
    base = Response().say("Hi")
    longer = base.hangup()
    assert len(base) == 1
    assert len(longer) == 2
    assert base.then(Hangup()) == longer
    assert base + Response(Hangup()) == longer
    assert longer[1:] == Response(Hangup())
    with pytest.raises(AttributeError):
        longer.extra = 1  # type: ignore[attr-defined]


def test_equality_hashing_pickling_copying() -> None:
    again = Response.parse(MENU.to_xml())
    assert hash(again) == hash(MENU)
    assert pickle.loads(pickle.dumps(MENU)) == MENU
    assert copy.deepcopy(MENU) is MENU
    assert Response(Say("Hi")) != exoml.Flow(exoml.Say("Hi"))
    assert Say("Hi") != exoml.Say("Hi")  # another dialect's verb, though spelt the same


def test_typed_properties_and_replace() -> None:
    dial = MENU[2]
    assert isinstance(dial, Dial)
    assert dial.number is None
    assert [n.number for n in dial.numbers] == ["+919876543210", "sip:agent@example.com"]
    assert dial.caller_id == "08047112345"
    assert dial.record is True
    text_dial = MENU[3]
    assert isinstance(text_dial, Dial)
    assert text_dial.number == "+919812345678"
    assert text_dial.numbers == ()
    assert str(text_dial.replace(number="+911234")) == (
        '<Dial timeout="20" timeLimit="600">+911234</Dial>'
    )
    swapped = text_dial.replace(numbers=(Number("+911234"),), timeout=None)
    assert str(swapped) == '<Dial timeLimit="600"><Number>+911234</Number></Dial>'
    gather = MENU[1]
    assert isinstance(gather, Gather)
    assert gather.prompts[0] == Say("Press 1")
    assert gather.finish_on_key == ""
    assert gather.replace(num_digits=None).num_digits is None
    with pytest.raises(FlowError, match="must be one of 'man', 'woman'"):
        Say("Hi").replace(voice="Aditi")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unexpected arguments"):
        Say("Hi").replace(pollyVoiceId="x")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Say("Hi", voice="robot"),  # type: ignore[arg-type]
            "Say voice (voice='robot'): must be one of 'man', 'woman'",
        ),
        (lambda: Say("Hi", loop=-1), "Say loop (loop=-1): must be at least 0"),
        (lambda: Say("  "), "Say text (text='  '): must contain at least one non-whitespace"),
        (lambda: Play("example.com/a.wav"), "Play text (url='example.com/a.wav'): must be"),
        (
            lambda: Gather(method="PUT"),  # type: ignore[arg-type]
            "Gather method (method='PUT'): must be one of 'GET', 'POST'",
        ),
        (
            lambda: Gather(Hangup()),  # type: ignore[arg-type]
            "Gather prompts 0 (Hangup()): must be a Say or Play",
        ),
        (
            lambda: Record(play_beep="yes"),  # type: ignore[arg-type]
            "Record playBeep (play_beep='yes'): must be a bool",
        ),
        (lambda: Dial(), "Dial numbers (): must be one number as text or one or more Number"),
        (lambda: Dial("1", "2"), "Dial numbers 0 ('1'): must be a Number"),
        (lambda: Dial("call me"), "Dial text (number='call me'): must be a phone number"),
        (lambda: Number("1", url="ftp://x"), "Number URL (url='ftp://x'): must be an absolute"),
        (lambda: Redirect("https://a b"), "Redirect text (url='https://a b'): must be"),
        (lambda: Response(Number("1")), "Response verb 0 (Number('1')): must be a classic verb"),
        (lambda: Response(exoml.Say("Hi")), "Response verb 0 (Say('Hi')): must be a classic"),
        (lambda: Response().to_xml(), "Response: must contain at least one verb"),
    ],
)
def test_bad_values_fail_at_the_call_with_the_flow_message_form(
    make: typing.Callable[[], object], message: str
) -> None:
    with pytest.raises(FlowError) as info:
        make()
    assert str(info.value).startswith(message)
    assert isinstance(info.value, ValueError)


def test_a_flow_refuses_classic_verbs() -> None:
    with pytest.raises(FlowError, match="Flow verb 0"):
        exoml.Flow(Say("Hi"))
    with pytest.raises(FlowError, match="Gather prompts 0"):
        exoml.Gather(Say("Hi"))  # type: ignore[arg-type]


def test_parse_refuses_invalid_and_foreign_documents() -> None:
    with pytest.raises(exoml.ExomlError) as info:
        Response.parse('<Response><Say voice="Aditi">Hi</Say></Response>')
    assert info.value.diagnostics[0].code == "EX301"
    with pytest.raises(exoml.ExomlError) as info:
        Response.parse("<Flow><Hangup/></Flow>")
    assert info.value.diagnostics[0].code == "EX105"
    with pytest.raises(exoml.ExomlError) as info:
        exoml.Flow.parse("<Response><Hangup/></Response>")
    assert info.value.diagnostics[0].code == "EX102"


def _literal_values(annotation: object) -> set[str]:
    found: set[str] = set()
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Literal:
            found |= set(typing.get_args(arg))
        elif arg is not type(None):
            found |= _literal_values(arg)
    if typing.get_origin(annotation) is typing.Literal:
        found |= set(typing.get_args(annotation))
    return found


def test_keyword_arguments_are_typed_with_literal_enums() -> None:
    import exoml._verbs_classic as generated

    hints = typing.get_type_hints(Say.__init__, vars(generated))
    assert _literal_values(hints["voice"]) == {"man", "woman"}
    hints = typing.get_type_hints(Gather.__init__, vars(generated))
    assert _literal_values(hints["method"]) == {"GET", "POST"}
    assert "" in _literal_values(hints["finish_on_key"])
    for spec in CLASSIC.verbs:
        params = inspect.signature(VERB_CLASSES[spec.element]).parameters
        for attr in spec.attrs:
            assert params[attr.py].kind is inspect.Parameter.KEYWORD_ONLY
            assert params[attr.py].default is None


@settings(max_examples=60, deadline=None)
@given(verbs(dialect="classic"))
def test_every_classic_verb_renders_what_the_schema_accepts(verb: object) -> None:
    assert not any(d.is_error for d in validate(Response(verb).to_xml()))  # type: ignore[arg-type]
