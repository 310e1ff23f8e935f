"""Dialects as data: the registry, root detection, explicit dialects, bridge actions and
the classic catalogue's rows with their evidence (as the reference lists them)."""

from __future__ import annotations

import pytest

from exoml import Flow, validate
from exoml._catalogue import BRIDGE, CLASSIC, DIALECTS, LEGS, Dialect, dialect
from exoml._check import check_document, has_errors
from exoml._schema import _FILES

REFER = '<Flow><Refer bridgeEventEndpoint="grpc://events.example.com:9001"/></Flow>'


def test_three_dialects_each_a_value() -> None:
    assert list(DIALECTS) == ["legs", "bridge", "classic"]
    assert [d.root for d in DIALECTS.values()] == ["Flow", "Flow", "Response"]
    assert {d.name: d.schema_file for d in DIALECTS.values()} == _FILES
    assert dialect("bridge") is BRIDGE
    with pytest.raises(ValueError, match="expected one of legs, bridge, classic"):
        dialect("twiml")


def test_top_level_verbs() -> None:
    assert "Number" not in CLASSIC.top_level
    assert set(CLASSIC.top_level) == {v.element for v in CLASSIC.verbs} - {"Number"}
    assert LEGS.top_level == tuple(v.element for v in LEGS.verbs)


def test_the_root_decides_when_no_dialect_is_named() -> None:
    assert validate("<Response><Hangup/></Response>") == []
    assert validate("<Flow><Hangup/></Flow>") == []
    assert check_document("<response><Hangup/></response>").diagnostics[0].code == "EX202"


@pytest.mark.parametrize(
    ("document", "named", "code", "expected_root"),
    [
        ("<Response><Hangup/></Response>", "legs", "EX102", "<Flow>"),
        ("<Response><Hangup/></Response>", "bridge", "EX102", "<Flow>"),
        ("<Flow><Hangup/></Flow>", "classic", "EX105", "<Response>"),
    ],
)
def test_a_named_dialect_makes_another_root_an_error_naming_the_dialect(
    document: str, named: str, code: str, expected_root: str
) -> None:
    (d,) = validate(document, dialect=named)
    assert d.code == code
    assert expected_root in d.message
    assert named in d.message or "classic" in d.message


def test_dialect_by_value_or_name_and_unknown_names() -> None:
    assert validate(REFER, dialect=BRIDGE) == validate(REFER, dialect="bridge") == []
    with pytest.raises(ValueError, match="unknown dialect 'Bridge'"):
        validate(REFER, dialect="Bridge")
    with pytest.raises(TypeError):
        validate(REFER, dialect=3)  # type: ignore[arg-type]


def test_bridge_refer_is_clean_as_bridge_and_an_error_as_legs() -> None:
    assert validate(REFER, dialect="bridge") == []
    assert not has_errors(REFER, dialect="bridge")
    codes = [d.code for d in validate(REFER, dialect="legs")]
    assert codes == ["EX205", "EX203"]
    assert has_errors(REFER)


def test_a_leg_only_verb_sent_to_a_bridge_is_an_error() -> None:
    for verb in ("<Hangup/>", "<Answer/>", '<Gather numDigits="1"/>', "<Hold/>"):
        (d,) = validate(f"<Flow>{verb}</Flow>", dialect="bridge")
        assert d.code == "EX201"
        assert "leg action" in d.message
        assert d.hint is not None


def test_a_flow_is_checked_against_the_bridge_dialect() -> None:
    flow = Flow().start_play("https://example.com/announcement.wav")
    assert validate(flow.to_xml(), dialect="bridge") == []
    two = flow.stop_play().to_xml()
    assert [d.code for d in validate(two, dialect="bridge")] == ["EX501"]  # a warning
    # loop: documented on the leg action only, so accepted with a warning (see below)
    looped = Flow().start_play("https://example.com/a.wav", loop=2)
    assert [d.code for d in validate(looped.to_xml(), dialect="bridge")] == ["EX510"]
    assert not has_errors(looped.to_xml(), dialect="bridge")
    assert [d.code for d in validate(Flow().hangup().to_xml(), dialect="bridge")] == ["EX201"]


def test_bridge_start_play_takes_the_leg_actions_attributes_with_a_warning() -> None:
    # No bridge page shows an attribute on StartPlay (the payload page lists the URL
    # alone and is cut); Exotel's leg-action pages show loop (0 to 10), username and
    # password on the leg action StartPlay. Accepted with the leg action's rules, and
    # EX510 says that no bridge page shows them: never an error, never silent.
    url = "https://example.com/a.wav"
    for attrs in ('loop="0"', 'loop="10"', 'username="u"', 'password="p"'):
        doc = f"<Flow><StartPlay {attrs}>{url}</StartPlay></Flow>"
        (d,) = validate(doc, dialect="bridge")
        assert (d.code, d.severity) == ("EX510", "warning"), attrs
        assert "not in Exotel's documentation of bridge actions" in d.message
        assert "shown only on <StartPlay> of leg actions" in d.message
        assert validate(doc, dialect="legs") == []  # documented there
    # The leg action's bound and lexical rules hold.
    for bad in ("11", "-1", "+1", " 1", "one", ""):
        doc = f'<Flow><StartPlay loop="{bad}">{url}</StartPlay></Flow>'
        assert [d.code for d in validate(doc, dialect="bridge")] == ["EX301", "EX510"], bad
    # A typo is still an error, with the suggestion.
    (d,) = validate(f'<Flow><StartPlay lop="2">{url}</StartPlay></Flow>', dialect="bridge")
    assert d.code == "EX203"
    assert "did you mean loop?" in d.message
    attr = BRIDGE.verb("StartPlay").attr("loop")
    assert (attr.borrowed_from, attr.confirmed(BRIDGE.verb("StartPlay"))) == ("legs", False)


def test_ex510_costs_leg_actions_nothing_for_the_bridge_names() -> None:
    # The bridge's StartPlay needle is the bridge's alone: a leg action StartPlay takes
    # the schema-only path as before.
    from exoml._rules import plan_needles

    assert "StartPlay" in plan_needles("bridge")
    assert "StartPlay" not in plan_needles("legs")


def test_bridge_endpoint_with_or_without_a_port() -> None:
    for endpoint in ("grpc://h:1", "grpc://h", "grpcs://events.example.com", "https://e.x/y"):
        doc = f'<Flow><Refer bridgeEventEndpoint="{endpoint}"/></Flow>'
        assert validate(doc, dialect="bridge") == [], endpoint
    for endpoint in ("grpc://", "http://h/x", "grpc://h:x", " grpc://h"):
        doc = f'<Flow><Refer bridgeEventEndpoint="{endpoint}"/></Flow>'
        assert [d.code for d in validate(doc, dialect="bridge")] == ["EX301"], endpoint


def test_multiple_verbs_are_normal_in_classic_but_a_warning_in_actions() -> None:
    assert validate("<Response><Say>Hi</Say><Hangup/></Response>") == []
    (d,) = validate("<Flow><Say>Hi</Say><Hangup/></Flow>")
    assert d.code == "EX501"


def test_classic_number_only_inside_dial() -> None:
    (d,) = validate("<Response><Number>+919876543210</Number></Response>")
    assert d.code == "EX401"
    assert validate("<Response><Dial><Number>+919876543210</Number></Dial></Response>") == []


def test_classic_dial_takes_text_or_numbers_not_both() -> None:
    assert validate("<Response><Dial>+919876543210</Dial></Response>") == []
    assert validate("<Response><Dial>\n  sip:a@example.com\n</Dial></Response>") == []
    both = "<Response><Dial>0801<Number>+919876543210</Number></Dial></Response>"
    assert [d.code for d in validate(both)] == ["EX104"]
    assert [d.code for d in validate("<Response><Dial/></Response>")] == ["EX302"]


def test_the_classic_dialect_knows_leg_actions_by_name() -> None:
    (d,) = validate("<Response><StartPlay>https://e.x/a.wav</StartPlay></Response>")
    assert (d.code, d.hint) == ("EX201", "use <Play>")
    assert "leg action" in d.message
    (d,) = validate("<Response><Sya>Hi</Sya></Response>")
    assert "did you mean <Say>" in d.message


# --- the classic rows and their evidence (the reference's classic table) --------------

GO = ("go-sdk",)
BOTH = ("cased-docs", "go-sdk")

CLASSIC_ROWS: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]], str]] = {
    "Say": (BOTH, {"voice": BOTH, "language": BOTH, "loop": BOTH}, "text"),
    "Play": (BOTH, {"loop": BOTH, "digits": GO}, "url"),
    "Gather": (
        BOTH,
        {a: BOTH for a in ("action", "method", "numDigits", "timeout", "finishOnKey", "maxDigits")},
        "prompts",
    ),
    "Record": (
        BOTH,
        {
            **{
                a: BOTH
                for a in ("action", "method", "maxLength", "timeout", "finishOnKey", "playBeep")
            },
            "transcribe": GO,
            "transcribeCallback": GO,
            "trim": GO,
        },
        "",
    ),
    "Dial": (
        BOTH,
        {
            a: BOTH
            for a in (
                "callerId",
                "timeout",
                "timeLimit",
                "record",
                "action",
                "method",
                "hangupOnStar",
            )
        },
        "number",
    ),
    "Number": (
        GO,
        {
            a: GO
            for a in (
                "sendDigits",
                "URL",
                "method",
                "statusCallbackEvent",
                "StatusCallback",
                "StatusCallbackMethod",
            )
        },
        "number",
    ),
    "Redirect": (GO, {"method": GO}, "url"),
    "Hangup": (BOTH, {}, ""),
}


def _evidence(d: Dialect, element: str) -> dict[str, tuple[str, ...]]:
    spec = d.verb(element)
    return {a.name: a.evidence or spec.evidence for a in spec.attrs}


@pytest.mark.parametrize("element", list(CLASSIC_ROWS))
def test_classic_rows_and_evidence(element: str) -> None:
    evidence, attrs, content = CLASSIC_ROWS[element]
    spec = CLASSIC.verb(element)
    assert spec.evidence == evidence
    assert _evidence(CLASSIC, element) == attrs
    if content in ("text", "url", "number"):
        assert spec.text is not None
        assert spec.text.py == content
    elif content == "prompts":
        assert spec.children == ("Say", "Play")
    else:
        assert spec.text is None
        assert not spec.children
    assert [v.element for v in CLASSIC.verbs] == list(CLASSIC_ROWS)


def test_classic_values_as_the_reference_gives_them() -> None:
    say = CLASSIC.verb("Say")
    voice = next(a for a in say.attrs if a.name == "voice")
    assert voice.kind.check_wire("man") is None
    assert voice.kind.check_wire("woman") is None
    assert voice.kind.check_wire("Aditi") is not None
    gather = {a.name: a for a in CLASSIC.verb("Gather").attrs}
    assert gather["method"].kind.check_wire("GET") is None
    assert gather["method"].kind.check_wire("PUT") is not None
    assert gather["finishOnKey"].kind.check_wire("") is None  # empty disables
    assert gather["finishOnKey"].default == "#"
    record = {a.name: a for a in CLASSIC.verb("Record").attrs}
    assert record["maxLength"].default == "3600"
    assert record["finishOnKey"].kind.check_wire("1234567890*#") is None


def test_bridge_rows_and_evidence() -> None:
    assert [v.element for v in BRIDGE.verbs] == ["Refer", "StartPlay", "StopPlay"]
    assert all(v.evidence == ("docs",) for v in BRIDGE.verbs)
    (attr,) = BRIDGE.verb("Refer").attrs
    assert (attr.name, attr.required) == ("bridgeEventEndpoint", True)
    assert BRIDGE.verb("StartPlay").text is not None


def test_classic_say_takes_its_ssml_subset_and_nothing_else() -> None:
    ssml = '<Response><Say>Code <say-as interpret-as="digits">12</say-as><break/></Say></Response>'
    assert validate(ssml) == []
    assert validate(ssml, dialect="classic") == []
    (d,) = validate("<Response><Say>Hi <b>x</b></Say></Response>")
    assert d.code == "EX401"
    assert "<say-as> or <break>" in d.message
    (d,) = validate("<Response><Say> <break/> </Say></Response>")
    assert d.code == "EX302"
    # Only the classic Say: the leg actions' Say takes text alone.
    (d,) = validate("<Flow><Say>Hi <break/></Say></Flow>")
    assert d.code == "EX401"


def test_the_classic_builder_parses_and_writes_a_says_ssml() -> None:
    from exoml.classic import SSML, Response

    parsed = Response.parse("<Response><Say>Hi<break/></Say></Response>")
    assert parsed == Response().say(SSML("Hi<break/>"))
    assert parsed.to_xml() == "<Response><Say>Hi<break/></Say></Response>"


def test_an_attribute_of_the_other_actions_dialect_gets_a_hint() -> None:
    (_, d) = validate(REFER, dialect="legs")
    assert d.code == "EX203"
    assert (
        d.hint == "<Refer bridgeEventEndpoint=...> is a bridge action: check it as --dialect bridge"
    )
    leg = '<Flow><Refer legEventEndpoint="grpc://e.example.com:1"/></Flow>'
    (_, d) = validate(leg, dialect="bridge")
    assert d.hint == "<Refer legEventEndpoint=...> is a leg action: check it as --dialect legs"
