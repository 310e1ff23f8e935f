"""The builder generator works for any dialect, not only the legs one it was written for.

A small synthetic dialect, rooted at ``<Response>`` as the classic one is, exercises what
the legs catalogue does not have: a verb that takes text *or* children (``Dial``: one
number as text, or ``Number`` elements) and a verb with no document method (``Number``,
which stands only inside a ``Dial``). Its module is generated, executed inside the
``exoml`` package and driven like ``Flow``.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import pytest

from exoml import FlowError
from exoml._catalogue import DIALECTS, LEGS, Attr, Dialect, Text, VerbSpec
from exoml._codegen import document_class_name, generate_verbs, module_name
from exoml._flow import Document
from exoml._values import Bool, Choice, IntRange, Pattern

NUMBER = Pattern("[+0-9]{3,15}", "must be a phone number", "number", "+911234567")
URL = Pattern(
    "https?://[^ \\t\\n\\r]+", "must be an http(s) URL", "URL", "https://x.io/a", safe=False
)
SAY = VerbSpec(
    "Say",
    "say",
    "Speak.",
    ("docs",),
    attrs=(Attr("voice", "voice", Choice("man", "woman"), "The voice."),),
    text=Text("text", Pattern("[^ ].*", "must not start with a space", "text", "Hi"), "Words."),
)
DIAL = VerbSpec(
    "Dial",
    "dial",
    "Call a number.",
    ("docs",),
    attrs=(
        Attr("timeout", "timeout", IntRange(1, 600), "Seconds to ring."),
        Attr("record", "record", Bool(), "Record the call."),
        Attr("action", "action", URL, "Where the outcome goes."),
    ),
    text=Text("number", NUMBER, "The number."),
    children=("Number",),
    children_py="numbers",
)
NUMBER_VERB = VerbSpec(
    "Number",
    "",
    "One number of a Dial.",
    ("docs",),
    attrs=(Attr("sendDigits", "send_digits", IntRange(0, 999), "Digits to send."),),
    text=Text("number", NUMBER, "The number."),
)
GATHER = VerbSpec(
    "Gather",
    "gather",
    "Collect digits.",
    ("docs",),
    attrs=(Attr("numDigits", "num_digits", IntRange(1), "How many."),),
    children=("Say",),
    children_py="prompts",
)
HANGUP = VerbSpec("Hangup", "hangup", "End the call.", ("docs",))


class _SecretAttr(Attr):
    """An attribute the catalogue marks secret (a credential)."""

    secret = True


class _GroupSpec(VerbSpec):
    """A verb whose ``streamUrl`` and ``url`` form an exactly-one-of group."""

    one_of = (("streamUrl", "url"),)


TOKEN = Pattern("[^ ]+", "must be a non-empty token", "token", "x")
STREAM = _GroupSpec(
    "Stream",
    "stream",
    "Stream audio.",
    ("docs",),
    attrs=(
        Attr("streamUrl", "stream_url", URL, "The URL."),
        Attr("url", "url", URL, "The URL, newer spelling."),
        _SecretAttr("password", "password", TOKEN, "The password."),
    ),
)
SYNTHETIC = Dialect(
    "classic",
    "Response",
    (SAY, DIAL, NUMBER_VERB, GATHER, HANGUP, STREAM),
    "synthetic.xsd",
    "Synthetic",
    "A dialect for this test.",
)


@pytest.fixture(scope="module")
def module() -> Iterator[types.ModuleType]:
    saved = DIALECTS.get("classic")
    DIALECTS["classic"] = SYNTHETIC
    try:
        source = generate_verbs(SYNTHETIC)
        mod = types.ModuleType("exoml._verbs_synthetic")
        mod.__package__ = "exoml"
        exec(compile(source, "exoml/_verbs_synthetic.py", "exec"), mod.__dict__)
        yield mod
    finally:
        if saved is None:
            del DIALECTS["classic"]
        else:
            DIALECTS["classic"] = saved


@pytest.fixture(scope="module")
def response(module: types.ModuleType) -> Any:
    class Response(module.Response, Document):  # type: ignore[misc,name-defined]
        __slots__ = ()
        _classes = module.TOP_LEVEL
        _root = "Response"
        _examples = "verb such as Say or Dial"

    return Response


def test_names_of_the_generated_parts() -> None:
    assert (module_name(LEGS), document_class_name(LEGS)) == ("_verbs", "Flow")
    assert (module_name(SYNTHETIC), document_class_name(SYNTHETIC)) == (
        "_verbs_classic",
        "Response",
    )


def test_the_generated_module_defines_every_verb_and_method(module: types.ModuleType) -> None:
    assert set(module.CLASSES) == {"Say", "Dial", "Number", "Gather", "Hangup", "Stream"}
    assert set(module.TOP_LEVEL) == {"Say", "Dial", "Gather", "Hangup", "Stream"}
    assert not hasattr(module.Response, "number")
    assert module.Dial.dialect == "classic"
    assert module.Dial.spec is DIAL


def test_a_document_of_the_dialect(module: types.ModuleType, response: Any) -> None:
    m = module
    doc = (
        response()
        .say("Hello & welcome", voice="woman")
        .dial("+911234567", timeout=20, record=True)
        .dial(m.Number("+9122", send_digits=5), m.Number("+9133"), action="https://x.io/?a&b")
        .gather(m.Say("PIN"), num_digits=4)
        .hangup()
    )
    assert doc.to_xml() == (
        '<Response><Say voice="woman">Hello &amp; welcome</Say>'
        '<Dial timeout="20" record="true">+911234567</Dial>'
        '<Dial action="https://x.io/?a&amp;b"><Number sendDigits="5">+9122</Number>'
        "<Number>+9133</Number></Dial>"
        '<Gather numDigits="4"><Say>PIN</Say></Gather><Hangup/></Response>'
    )
    assert len(doc) == 5
    first, second, third = doc[0], doc[1], doc[2]
    assert (first.text, first.voice) == ("Hello & welcome", "woman")
    assert (second.number, second.numbers, second.timeout, second.record) == (
        "+911234567",
        (),
        20,
        True,
    )
    assert third.number is None
    assert [n.number for n in third.numbers] == ["+9122", "+9133"]
    assert third.numbers[0].send_digits == 5
    assert doc == response(*doc.verbs)
    assert hash(doc) == hash(response(*doc.verbs))
    assert repr(doc).startswith("Response(Say('Hello & welcome', voice='woman'), Dial(")
    assert second.replace(number="+9100") == m.Dial("+9100", timeout=20, record=True)
    assert third.replace(numbers=[m.Number("+9144")]) == m.Dial(
        m.Number("+9144"), action="https://x.io/?a&b"
    )
    pretty = doc[1:3].to_xml(pretty=True)
    assert pretty.splitlines()[2:5] == [
        '  <Dial action="https://x.io/?a&amp;b">',
        '    <Number sendDigits="5">+9122</Number>',
        "    <Number>+9133</Number>",
    ]


def test_the_dialects_refusals(module: types.ModuleType, response: Any) -> None:
    m = module
    cases: list[tuple[Any, str]] = [
        (lambda: response().say("Hi", voice="robot"), "Say voice (voice='robot'): must be one"),
        (lambda: response().dial(), "Dial numbers (): must be one number as text or one or more"),
        (lambda: response().dial("12"), "Dial text (number='12'): must be a phone number"),
        (lambda: response().dial(m.Say("x")), "must be a Number (or one number alone, as text)"),
        (lambda: response().dial("+9111", timeout=0), "Dial timeout (timeout=0): must be between"),
        (lambda: response(m.Number("+9111")), "Response verb 0 (Number('+9111')): must be a verb"),
        (lambda: response().gather(m.Dial("+9111")), "Gather prompts 0 (Dial('+9111')): must be"),
        (lambda: response().hangup().then(m.Number("+9111")), "Response verb 1"),
    ]
    for make, message in cases:
        with pytest.raises(FlowError) as info:
            make()
        assert message in str(info.value)


def test_documents_of_two_dialects_never_mix(module: types.ModuleType, response: Any) -> None:
    from exoml import Flow, Say

    with pytest.raises(FlowError, match="must be a verb"):
        Flow(module.Say("Hi"))
    with pytest.raises(FlowError, match="must be a verb"):
        response(Say("Hi"))
    assert (response().say("Hi") == Flow().say("Hi")) is False


def test_exactly_one_of_and_secret_attributes(module: types.ModuleType, response: Any) -> None:
    doc = response().stream("https://x.io/s", password="hunter2")
    assert doc.to_xml() == (
        '<Response><Stream streamUrl="https://x.io/s" password="hunter2"/></Response>'
    )
    assert repr(doc) == "Response(Stream(stream_url='https://x.io/s', password=<secret>))"
    assert doc[0].password == "hunter2"
    assert response().stream(url="https://x.io/s").to_xml() == (
        '<Response><Stream url="https://x.io/s"/></Response>'
    )
    with pytest.raises(FlowError, match=r"streamUrl \(stream_url=\) or url \(url=\): one of"):
        response().stream()
    with pytest.raises(FlowError, match="give only one of them"):
        module.Stream("https://x.io/a", url="https://x.io/b")
    with pytest.raises(FlowError) as info:
        response().stream("https://x.io/s", password="hunter 2")
    assert "hunter" not in str(info.value)
    assert "password (password=<secret>): must be a non-empty token" in str(info.value)
