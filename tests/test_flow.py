"""The Flow builder: chaining, immutability, rendering, parsing and refusals."""

from __future__ import annotations

import copy
import enum
import pickle
from typing import Any

import pytest
from lxml import etree

from exoml import (
    Answer,
    ExomlError,
    Flow,
    FlowError,
    Gather,
    Hangup,
    Hold,
    JoinBridge,
    Say,
    StartPlay,
    StartStream,
    Verb,
    validate,
)

# The builder refuses what its types forbid; these tests call it as untyped code would.
UntypedFlow: Any = Flow

# The seed examples of LEG-ACTIONS.md, restored, and the same documents built with the DSL.
SEED_EXAMPLES: list[tuple[str, Flow]] = [
    ("<Flow><Answer/></Flow>", Flow().answer()),
    (
        '<Flow><StartPlay loop="1">https://example.com/audio.wav</StartPlay></Flow>',
        Flow().start_play("https://example.com/audio.wav", loop=1),
    ),
    (
        '<Flow><Say preferredTTSEngine="polly" language="en" pollyVoiceId="Aditi">'
        "Hello, welcome to Exotel</Say></Flow>",
        Flow().say(
            "Hello, welcome to Exotel",
            preferred_tts_engine="polly",
            language="en",
            polly_voice_id="Aditi",
        ),
    ),
    (
        '<Flow><StartRecording direction="both" format="wav" storageType="s3"/></Flow>',
        Flow().start_recording(direction="both", format="wav", storage_type="s3"),
    ),
    (
        '<Flow><Gather numDigits="4" timeoutInSec="10" finishOnKey="#">'
        "<Say>Enter your PIN</Say></Gather></Flow>",
        Flow().gather(Say("Enter your PIN"), num_digits=4, timeout_in_sec=10, finish_on_key="#"),
    ),
    (
        "<Flow><Hold><StartPlay>https://example.com/moh.wav</StartPlay></Hold></Flow>",
        Flow().hold(StartPlay("https://example.com/moh.wav")),
    ),
    ('<Flow><Mute direction="out"/></Flow>', Flow().mute(direction="out")),
    (
        '<Flow><JoinBridge bridgeSid="BRIDGE_SID" absorbDtmf="true"/></Flow>',
        Flow().join_bridge("BRIDGE_SID", absorb_dtmf=True),
    ),
    (
        '<Flow><StartStream streamType="bidirectional" '
        'streamUrl="wss://bot.example.com/stream"/></Flow>',
        Flow().start_stream("wss://bot.example.com/stream", stream_type="bidirectional"),
    ),
    (
        '<Flow><StartMonitoring monitoringLegSid="LEG_SID" rxAudio="muted"/></Flow>',
        Flow().start_monitoring("LEG_SID", rx_audio="muted"),
    ),
    (
        '<Flow><Refer legEventEndpoint="grpc://new-endpoint:9001"/></Flow>',
        Flow().refer("grpc://new-endpoint:9001"),
    ),
]


def c14n(xml: str) -> bytes:
    return etree.tostring(etree.fromstring(xml.encode()), method="c14n")


@pytest.mark.parametrize(("xml", "flow"), SEED_EXAMPLES)
def test_seed_example_built_with_the_dsl_is_c14n_equal(xml: str, flow: Flow) -> None:
    assert c14n(flow.to_xml()) == c14n(xml)


@pytest.mark.parametrize(("xml", "flow"), SEED_EXAMPLES)
def test_seed_example_parses_to_the_same_flow(xml: str, flow: Flow) -> None:
    assert Flow.parse(xml) == flow
    assert Flow.parse(xml.encode()) == flow
    assert validate(xml) == []


def test_every_verb_method_and_its_output() -> None:
    flow = (
        Flow()
        .answer()
        .hangup()
        .start_play("https://x.io/a.wav", loop=0)
        .stop_play()
        .say("Hi", language="hi-IN", loop=10)
        .stop_say()
        .start_recording(direction="in", format="mp3", storage_type="https")
        .stop_recording()
        .gather(num_digits=1, timeout_in_sec=1, finish_on_key="*")
        .hold()
        .unhold()
        .mute()
        .unmute(direction="both")
        .join_bridge("B1", absorb_dtmf=False)
        .leave_bridge()
        .start_stream("wss://s.example/x", stream_type="unidirectional")
        .stop_stream()
        .start_monitoring("L1", rx_audio="enabled")
        .stop_monitoring()
        .refer("https://events.example.com/leg")
    )
    assert len(flow) == 20
    assert flow.to_xml() == (
        "<Flow><Answer/><Hangup/>"
        '<StartPlay loop="0">https://x.io/a.wav</StartPlay><StopPlay/>'
        '<Say language="hi-IN" loop="10">Hi</Say><StopSay/>'
        '<StartRecording direction="in" format="mp3" storageType="https"/><StopRecording/>'
        '<Gather numDigits="1" timeoutInSec="1" finishOnKey="*"/>'
        "<Hold/><UnHold/><Mute/>"
        '<UnMute direction="both"/>'
        '<JoinBridge bridgeSid="B1" absorbDtmf="false"/><LeaveBridge/>'
        '<StartStream streamUrl="wss://s.example/x" streamType="unidirectional"/><StopStream/>'
        '<StartMonitoring monitoringLegSid="L1" rxAudio="enabled"/><StopMonitoring/>'
        '<Refer legEventEndpoint="https://events.example.com/leg"/></Flow>'
    )
    assert Flow.parse(flow.to_xml()) == flow
    assert Flow.parse(flow.to_xml(pretty=True)) == flow
    assert [d.code for d in validate(flow.to_xml())] == ["EX501"]


def test_flow_is_immutable_and_chaining_returns_new_flows() -> None:
    base = Flow().answer()
    a = base.say("A")
    b = base.say("B")
    assert len(base) == 1
    assert a != b
    assert a[0] is base[0]
    with pytest.raises(AttributeError):
        base.verbs = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        base.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        Say("x").text = "y"  # type: ignore[misc]
    assert copy.copy(a) is a
    assert copy.deepcopy(a) is a


def test_equal_flows_compare_and_hash_equal() -> None:
    one = Flow().say("Hi", loop=2).hangup()
    two = Flow(Say("Hi", loop=2), Hangup())
    assert one == two
    assert hash(one) == hash(two)
    assert len({one, two}) == 1
    assert one != Flow().say("Hi", loop=3).hangup()
    assert Say("Hi") != StartPlay("https://x.io/Hi")
    assert Say("Hi") == Say("Hi")
    assert (Say("Hi") == "Hi") is False


def test_len_iteration_indexing_slicing_and_concatenation() -> None:
    flow = Flow().answer().say("Hi").hangup()
    assert len(flow) == 3
    assert [v.element for v in flow] == ["Answer", "Say", "Hangup"]
    assert isinstance(flow[1], Say)
    assert flow[1:] == Flow().say("Hi").hangup()
    assert flow[:1] + flow[1:] == flow
    assert flow.then(StartPlay("https://x.io/a.wav")) == flow.start_play("https://x.io/a.wav")
    assert flow.verbs == tuple(flow)


def test_str_equals_to_xml_and_repr_round_trips() -> None:
    flow = Flow().say('It\'s <fine> & "ok"', language="en").gather(Say("PIN"), num_digits=4)
    assert str(flow) == flow.to_xml()
    namespace = {name: getattr(__import__("exoml"), name) for name in ("Flow", "Say", "Gather")}
    assert eval(repr(flow), namespace) == flow


def test_pretty_and_declaration() -> None:
    flow = Flow().gather(Say("One"), Say("Two"), num_digits=1).hold()
    assert flow.to_xml(pretty=True) == (
        "<Flow>\n"
        '  <Gather numDigits="1">\n'
        "    <Say>One</Say>\n"
        "    <Say>Two</Say>\n"
        "  </Gather>\n"
        "  <Hold/>\n"
        "</Flow>\n"
    )
    declared = flow.to_xml(xml_declaration=True)
    assert declared.startswith('<?xml version="1.0" encoding="UTF-8"?><Flow>')
    assert Flow.parse(declared) == flow
    assert Flow.parse(flow.to_xml(pretty=True, xml_declaration=True)) == flow


def test_values_are_written_faithfully() -> None:
    assert Flow().start_play("https://x.io/a", loop=0).to_xml() == (
        '<Flow><StartPlay loop="0">https://x.io/a</StartPlay></Flow>'
    )
    assert 'absorbDtmf="false"' in Flow().join_bridge("b", absorb_dtmf=False).to_xml()
    assert 'absorbDtmf="true"' in Flow().join_bridge("b", absorb_dtmf=True).to_xml()


@pytest.mark.parametrize(
    "text",
    [
        "</Say><Hangup/>",
        "a & b < c > d",
        "\"quotes\" and 'apostrophes'",
        "नमस्ते, आपका स्वागत है",
        "emoji 📞 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "line one\nline two\ttabbed\r\nwindows\rold mac",
        "]]> cdata end",
        "  padded  ",
        "\u00a0non-breaking\u00a0",
        "\ufeffBOM inside",
    ],
)
def test_any_legal_text_round_trips_exactly(text: str) -> None:
    voice = "Voice " + "_".join(text.split())
    flow = Flow().say(text, polly_voice_id=voice)
    parsed = Flow.parse(flow.to_xml())
    assert parsed == flow
    assert parsed[0].text == text
    assert parsed[0].get("polly_voice_id") == voice
    assert Flow.parse(flow.to_xml(pretty=True))[0].text == text


@pytest.mark.parametrize(
    "bad", ["a\x00b", "bell\x07", "\x1b[31m", "lone \ud800 surrogate", "\ufffe"]
)
def test_text_xml_cannot_carry_is_refused(bad: str) -> None:
    with pytest.raises(FlowError, match=r"XML 1\.0 cannot carry"):
        Say(bad)
    with pytest.raises(FlowError, match=r"XML 1\.0 cannot carry"):
        Flow().join_bridge("b" + bad + "c")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Flow().start_play("https://x.io/a", loop=11),
            "StartPlay loop (loop=11): must be between 0 and 10",
        ),
        (lambda: Flow().start_play("https://x.io/a", loop=-1), "must be between 0 and 10"),
        (lambda: Flow().say("x", loop=11), "Say loop (loop=11): must be between 0 and 10"),
        (
            lambda: Flow().gather(num_digits=0),
            "Gather numDigits (num_digits=0): must be at least 1",
        ),
        (
            lambda: Flow().gather(timeout_in_sec=0),
            "Gather timeoutInSec (timeout_in_sec=0): must be at least 1",
        ),
        (
            lambda: Flow().gather(finish_on_key="##"),  # type: ignore[arg-type]
            "Gather finishOnKey (finish_on_key='##'): must be one of",
        ),
        (
            lambda: Flow().mute(direction="IN"),  # type: ignore[arg-type]
            "Mute direction (direction='IN'): must be one of 'in', 'out', 'both'",
        ),
        (
            lambda: Flow().say("x", preferred_tts_engine="azure"),  # type: ignore[arg-type]
            "Say preferredTTSEngine (preferred_tts_engine='azure'): must be one of",
        ),
        (
            lambda: Flow().say("x", language="english"),
            "Say language (language='english'): must be a language tag",
        ),
        (
            lambda: Flow().say("x", polly_voice_id=" Aditi"),
            "Say pollyVoiceId (polly_voice_id=' Aditi'): must be non-empty",
        ),
        (lambda: Flow().say("   "), "Say text (text='   '): must contain"),
        (lambda: Flow().say(""), "Say text (text=''): must contain"),
        (
            lambda: Flow().start_play("ftp://x.io/a"),
            "StartPlay text (url='ftp://x.io/a'): must be an absolute http:// or https:// URL",
        ),
        (lambda: Flow().start_play("https://x.io/a b"), "must be an absolute http"),
        (lambda: Flow().start_play("https://"), "must be an absolute http"),
        (
            lambda: Flow().start_stream("https://x.io/s"),
            "StartStream streamUrl (stream_url='https://x.io/s'): must be an absolute wss://",
        ),
        (
            lambda: Flow().refer("grpc://host:port"),
            "Refer legEventEndpoint (leg_event_endpoint='grpc://host:port'): must be grpc://host",
        ),
        (lambda: Flow().join_bridge(""), "JoinBridge bridgeSid (bridge_sid=''): must be non-empty"),
        (
            lambda: Flow().join_bridge(None),  # type: ignore[arg-type]
            "JoinBridge bridgeSid (bridge_sid=None): is required",
        ),
        (
            lambda: Flow().start_monitoring("L", rx_audio="on"),  # type: ignore[arg-type]
            "StartMonitoring rxAudio (rx_audio='on'): must be one of 'muted', 'enabled'",
        ),
    ],
)
def test_bad_values_fail_at_the_call_with_a_precise_message(make: object, message: str) -> None:
    assert callable(make)
    with pytest.raises(FlowError) as info:
        make()
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, ExomlError)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: UntypedFlow().gather(num_digits=True), "must be an int, not bool"),
        (lambda: UntypedFlow().gather(num_digits="4"), "must be an int, not str"),
        (lambda: UntypedFlow().gather(num_digits=4.0), "must be an int, not float"),
        (lambda: UntypedFlow().join_bridge("b", absorb_dtmf=1), "must be a bool, not int"),
        (lambda: UntypedFlow().join_bridge("b", absorb_dtmf="true"), "must be a bool, not str"),
        (lambda: UntypedFlow().mute(direction=1), "must be a str, not int"),
        (lambda: UntypedFlow().say(0), "must be a str, not int"),
        (lambda: UntypedFlow().say(b"hi"), "must be a str, not bytes"),
        (lambda: UntypedFlow().start_play(None), "must be a str, not NoneType"),
        (lambda: UntypedFlow().gather("Enter your PIN"), "must be a Say or StartPlay"),
        (lambda: UntypedFlow().gather(Hangup()), "must be a Say or StartPlay"),
        (lambda: UntypedFlow().hold(Say("music")), "must be a StartPlay"),
        (lambda: UntypedFlow(Flow()), "must be a verb"),
    ],
)
def test_wrong_python_types_raise_flow_error(make: object, message: str) -> None:
    assert callable(make)
    with pytest.raises(FlowError, match=message):
        make()


def test_unknown_keyword_arguments_are_errors() -> None:
    with pytest.raises(TypeError):
        Flow().say("x", lang="en")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Say("x", numDigits=4)  # type: ignore[call-arg]


def test_flow_error_carries_structured_fields() -> None:
    with pytest.raises(FlowError) as info:
        Flow().start_play("https://x.io/a", loop=11)
    err = info.value
    assert (err.verb, err.attribute, err.argument, err.value) == ("StartPlay", "loop", "loop", 11)


def test_enum_subclasses_are_normalised() -> None:
    class Direction(str, enum.Enum):
        OUT = "out"

    class Loops(enum.IntEnum):
        TWICE = 2

    flow = Flow().mute(direction=Direction.OUT).start_play("https://x.io/a", loop=Loops.TWICE)  # type: ignore[arg-type]
    assert flow == Flow().mute(direction="out").start_play("https://x.io/a", loop=2)
    assert type(flow[1].get("loop")) is int


def test_empty_flow_cannot_render() -> None:
    with pytest.raises(FlowError, match="at least one verb"):
        Flow().to_xml()
    assert len(Flow()) == 0


def test_verb_accessors() -> None:
    say = Say("Hi", language="en", loop=2)
    assert say.element == "Say"
    assert say.text == "Hi"
    assert say.arguments == {"language": "en", "loop": 2}
    assert say.attributes == {"language": "en", "loop": "2"}
    assert say.get("loop") == 2
    assert say.get("polly_voice_id") is None
    with pytest.raises(AttributeError):
        say.get("nope")
    gather = Gather(say, num_digits=3)
    assert gather.children == (say,)
    assert Hold().children == ()
    assert str(JoinBridge("b")) == '<JoinBridge bridgeSid="b"/>'
    assert isinstance(Answer(), Verb)


def test_pickle_round_trip() -> None:
    flow = (
        Flow()
        .say("Hi", loop=1)
        .gather(Say("x"), StartPlay("https://x.io/a"))
        .hold(StartPlay("https://x.io/m"))
    )
    assert pickle.loads(pickle.dumps(flow)) == flow
    assert pickle.loads(pickle.dumps(StartStream("wss://a.b/c"))) == StartStream("wss://a.b/c")


def test_parse_reports_every_problem() -> None:
    with pytest.raises(ExomlError) as info:
        Flow.parse('<Flow><StartPlay loop="11">ftp://x</StartPlay><Mute direction="up"/></Flow>')
    codes = [d.code for d in info.value.diagnostics]
    assert codes == ["EX301", "EX302", "EX301"]
    assert not isinstance(info.value, FlowError)


def test_parse_ignores_comments_and_formatting_and_accepts_warnings() -> None:
    source = """<?xml version="1.0"?>
<!-- a comment -->
<Flow>
  <Say>Hel<!-- split -->lo</Say>
  <Gather numDigits="4">
    <Say><![CDATA[Press <1>]]></Say>
  </Gather>
</Flow>
"""
    assert Flow.parse(source) == Flow().say("Hello").gather(Say("Press <1>"), num_digits=4)


def test_parse_normalises_leading_zeros() -> None:
    flow = Flow.parse('<Flow><StartPlay loop="007">https://x.io/a</StartPlay></Flow>')
    assert flow == Flow().start_play("https://x.io/a", loop=7)


def test_parse_rejects_non_documents() -> None:
    with pytest.raises(TypeError):
        Flow.parse(123)  # type: ignore[arg-type]
    with pytest.raises(ExomlError):
        Flow.parse("")


def test_typed_accessors_read_every_argument_back() -> None:
    gather = Gather(Say("PIN"), num_digits=4, finish_on_key="#")
    digits: int | None = gather.num_digits
    key: str | None = gather.finish_on_key
    assert (digits, key, gather.timeout_in_sec) == (4, "#", None)
    assert gather.prompts == (Say("PIN"),)
    play = StartPlay("https://x.io/a", loop=3)
    assert (play.url, play.loop) == ("https://x.io/a", 3)
    assert Hold(play).music == play
    assert Hold().music is None
    bridge = JoinBridge("B1", absorb_dtmf=False)
    sid: str = bridge.bridge_sid
    assert (sid, bridge.absorb_dtmf) == ("B1", False)
    parsed = Flow.parse('<Flow><StartStream streamUrl="wss://a.b/s"/></Flow>')[0]
    assert isinstance(parsed, StartStream)
    assert (parsed.stream_url, parsed.stream_type) == ("wss://a.b/s", None)


def test_replace_makes_a_checked_copy() -> None:
    say = Say("Hello", language="en", loop=2)
    assert say.replace(language="hi-IN", loop=None) == Say("Hello", language="hi-IN")
    assert say.replace(text="Bye") == Say("Bye", language="en", loop=2)
    assert say == Say("Hello", language="en", loop=2)  # unchanged
    gather = Gather(Say("PIN"), num_digits=4)
    assert gather.replace(prompts=[Say("Code")], num_digits=6) == Gather(Say("Code"), num_digits=6)
    assert gather.replace() == gather
    assert Hold().replace(music=StartPlay("https://x.io/m")) == Hold(StartPlay("https://x.io/m"))
    assert JoinBridge("a").replace(bridge_sid="b") == JoinBridge("b")
    with pytest.raises(FlowError, match="must be at least 1"):
        gather.replace(num_digits=0)
    with pytest.raises(TypeError, match="unexpected arguments"):
        gather.replace(numDigits=6)
    # Editing a parsed flow: every Say in Hindi.
    flow = Flow.parse('<Flow><Say language="en">Hi</Say><Hangup/></Flow>')
    edited = Flow(*(v.replace(language="hi-IN") if isinstance(v, Say) else v for v in flow))
    assert edited.to_xml() == '<Flow><Say language="hi-IN">Hi</Say><Hangup/></Flow>'
