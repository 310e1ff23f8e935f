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
        gather.replace(numDigits=6)  # type: ignore[call-arg]
    # Editing a parsed flow: every Say in Hindi.
    flow = Flow.parse('<Flow><Say language="en">Hi</Say><Hangup/></Flow>')
    edited = Flow(*(v.replace(language="hi-IN") if isinstance(v, Say) else v for v in flow))
    assert edited.to_xml() == '<Flow><Say language="hi-IN">Hi</Say><Hangup/></Flow>'


# --- lying objects (issue 13, item 6) --------------------------------------------------


class _FakeVerb:
    """Claims to be a Say (``isinstance`` believes it) and carries markup as its XML."""

    _xml = "<Hangup/><Refer legEventEndpoint='grpc://evil:1'/>"

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return Say


class _MarkupStr(str):
    def __format__(self, spec: str) -> str:
        return '"/><Hangup/><Say x="'

    def __str__(self) -> str:
        return '"/><Hangup/><Say x="'


class _AlwaysEqual(str):
    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash("polly")


class _Color(enum.IntEnum):
    FIVE = 5


def test_an_object_faking_a_verb_class_is_refused_everywhere() -> None:
    fake: Any = _FakeVerb()
    assert isinstance(_FakeVerb(), Say)  # what a test of __class__ would believe
    for make in (
        lambda: Flow().gather(fake),
        lambda: Flow().hold(fake),
        lambda: Gather(fake),
        lambda: Hold(fake),
        lambda: Flow(fake),
        lambda: Flow().answer().then(fake),
    ):
        with pytest.raises(FlowError, match="must be a"):
            make()
    with pytest.raises(FlowError, match=r"Flow verb 1 \("):
        Flow().answer().then(fake)


def test_a_verb_subclass_is_not_taken_for_the_verb() -> None:
    class LoudSay(Say):
        __slots__ = ()

    with pytest.raises(FlowError, match="must be a Say or StartPlay"):
        Flow().gather(LoudSay("Hi"))
    with pytest.raises(FlowError, match="must be a verb"):
        Flow(LoudSay("Hi"))


def test_str_subclasses_are_written_as_their_characters() -> None:
    flow = Flow().say(_MarkupStr("Hi"), language=_MarkupStr("en"), polly_voice_id=_MarkupStr("A"))
    assert flow.to_xml() == '<Flow><Say language="en" pollyVoiceId="A">Hi</Say></Flow>'
    assert type(flow[0].text) is str
    assert type(flow[0].get("language")) is str


def test_a_lying_eq_or_hash_does_not_reach_the_fragment_tables() -> None:
    with pytest.raises(FlowError, match="must be one of 'polly', 'googletts'"):
        Flow().say("Hi", preferred_tts_engine=_AlwaysEqual("<x>"))  # type: ignore[arg-type]
    with pytest.raises(FlowError, match="must be one of 'in', 'out', 'both'"):
        Flow().mute(direction=_AlwaysEqual("sideways"))  # type: ignore[arg-type]


def test_int_subclasses_are_read_with_int_methods() -> None:
    class Lying(int):
        def __index__(self) -> int:
            return 1

        def __int__(self) -> int:
            return 1

        def __format__(self, spec: str) -> str:
            return '"/><Hangup/><x y="'

    with pytest.raises(FlowError, match="must be between 0 and 10"):
        Flow().start_play("https://x.io/a.wav", loop=Lying(500))
    flow = Flow().start_play("https://x.io/a.wav", loop=Lying(7)).gather(num_digits=_Color.FIVE)
    assert flow.to_xml() == (
        '<Flow><StartPlay loop="7">https://x.io/a.wav</StartPlay><Gather numDigits="5"/></Flow>'
    )
    assert type(flow[0].get("loop")) is int


def test_validate_and_the_client_read_a_str_subclass_as_its_characters() -> None:
    from exoml._client import _document

    class Disguised(str):
        def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
            return b"<Flow><Answer/></Flow>"

    bad = Disguised("<Flow><Nope/></Flow>")
    assert [d.code for d in validate(bad) if d.is_error]
    with pytest.raises(ExomlError):
        Flow.parse(bad)
    with pytest.raises(ExomlError):
        _document(bad, validate=True)

    class FakeFlow:
        @property  # type: ignore[misc]
        def __class__(self) -> type:
            return Flow

        def to_xml(self) -> str:
            return "<Flow><Nope/></Flow>"

    with pytest.raises(TypeError, match=r"must be a Flow, a verb, .* not FakeFlow"):
        _document(FakeFlow(), validate=True)


# --- the size cap (issue 13, item 5) ----------------------------------------------------


def _largest(flow: Flow) -> int:
    return len(flow.to_xml(pretty=True, xml_declaration=True).encode("utf-8"))


def test_the_largest_document_the_builder_makes_passes_every_checker(tmp_path: Any) -> None:
    import subprocess
    import sys

    from exoml._check import DEFAULT_MAX_BYTES
    from exoml._verb import MAX_DOCUMENT_BYTES

    assert MAX_DOCUMENT_BYTES == DEFAULT_MAX_BYTES
    room = MAX_DOCUMENT_BYTES - _largest(Flow().say("x")) + 1
    flow = Flow().say("x" * room)
    assert _largest(flow) == MAX_DOCUMENT_BYTES
    for pretty in (False, True):
        for declaration in (False, True):
            xml = flow.to_xml(pretty=pretty, xml_declaration=declaration)
            assert validate(xml) == []
            assert Flow.parse(xml) == flow
            path = tmp_path / f"flow-{pretty}-{declaration}.xml"
            path.write_text(xml, encoding="utf-8")
            lint = subprocess.run(
                [sys.executable, "-m", "exoml.lint", str(path)], capture_output=True, check=False
            )
            assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_call_that_crosses_the_cap_is_refused_with_the_size() -> None:
    room = 65536 - _largest(Flow().say("x")) + 1
    with pytest.raises(FlowError) as info:
        Flow().say("x" * (room + 1))
    message = str(info.value)
    assert "65,537 bytes" in message
    assert "65,536-byte cap" in message
    assert message.startswith("Flow: ")
    # what it refuses, validate would refuse
    refused = Flow().say("x" * room).to_xml(pretty=True, xml_declaration=True)
    assert [d.code for d in validate(refused.replace("<Say>", "<Say>x"))] == ["EX006"]
    # two-byte characters are counted as bytes
    with pytest.raises(FlowError, match="65,537 bytes"):
        Flow().say("é" * ((room + 1) // 2) + "x" * ((room + 1) % 2))
    # whichever call crosses it
    near = Flow().say("x" * (room - 12))
    near = near.hangup()
    with pytest.raises(FlowError, match="over the 65,536-byte cap"):
        near.hangup()
    with pytest.raises(FlowError, match="over the 65,536-byte cap"):
        near.then(Hangup())
    with pytest.raises(FlowError, match="over the 65,536-byte cap"):
        Flow(Say("x" * room), Hangup())
    with pytest.raises(FlowError, match="over the 65,536-byte cap"):
        near + Flow().answer()
    with pytest.raises(FlowError, match="over the 65,536-byte cap"):
        Flow().gather(Say("x" * room))


def test_parse_refuses_a_document_whose_indented_form_would_be_over_the_cap() -> None:
    compact = "<Flow>" + "<Answer/>" * 7000 + "</Flow>"
    assert len(compact) < 65536
    assert not [d for d in validate(compact) if d.is_error]
    with pytest.raises(FlowError, match="over the 65,536-byte cap"):
        Flow.parse(compact)
    assert len(Flow.parse("<Flow>" + "<Answer/>" * 5000 + "</Flow>")) == 5000


# --- names a user sees (issue 13, item 15) ----------------------------------------------


def test_errors_name_public_classes() -> None:
    with pytest.raises(TypeError, match=r"^Flow\.say\(\) got an unexpected keyword"):
        Flow().say("x", lang="en")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"^Say\.__init__\(\) got an unexpected keyword"):
        Say("x", lang="en")  # type: ignore[call-arg]
    assert repr(Verb) == "<class 'exoml.Verb'>"
    assert repr(Flow) == "<class 'exoml.Flow'>"
    assert repr(Say) == "<class 'exoml.Say'>"
    assert "FlowVerbs" not in repr(Flow.__mro__)


def test_replace_keeps_what_is_not_given() -> None:
    say = Say("Hello", language="en", loop=2)
    assert say.replace(loop=None) == Say("Hello", language="en")
    assert Hold(StartPlay("https://x.io/m")).replace(music=None) == Hold()
    assert Hold(StartPlay("https://x.io/m")).replace() == Hold(StartPlay("https://x.io/m"))


def test_the_classic_builder_shares_the_checks() -> None:
    from exoml.classic import Dial, Number, Response
    from exoml.classic import Say as ClassicSay

    with pytest.raises(FlowError, match="must be one of 'man', 'woman'"):
        Response().say("Hi", voice=_AlwaysEqual("robot"))  # type: ignore[arg-type]
    with pytest.raises(FlowError, match=r"^Response: the document would be 70,0\d\d bytes"):
        Response().say("x" * 70_000)
    with pytest.raises(FlowError, match="must be a Number"):
        Response().dial(_FakeVerb())  # type: ignore[arg-type]
    assert Response().say(_MarkupStr("Hi")).to_xml() == "<Response><Say>Hi</Say></Response>"
    doc = Response().dial(Number("+911234")).dial("+915678")
    assert doc[0] == Dial(Number("+911234"))
    second = doc[1]
    assert isinstance(second, Dial)
    assert second.number == "+915678"
    assert doc != Flow().say("Hi")
    with pytest.raises(FlowError, match="must be a classic verb"):
        Response(Say("Hi"))
    with pytest.raises(FlowError, match="must be a verb such as Say or Answer"):
        Flow(ClassicSay("Hi"))
