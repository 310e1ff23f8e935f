"""schema/exoml.xsd: loads everywhere, encodes the rules, agrees with the engine."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from exoml import Flow, Say, StartPlay, schema_path, validate
from exoml._catalogue import VERBS
from exoml._schema import compiled_schema
from exoml._xsd import generate_xsd

from .test_flow import SEED_EXAMPLES

XMLLINT = shutil.which("xmllint")
needs_xmllint = pytest.mark.skipif(
    XMLLINT is None and not os.environ.get("CI"), reason="xmllint is not installed"
)


def test_schema_path_points_at_the_committed_file() -> None:
    path = schema_path()
    assert path.name == "exoml.xsd"
    assert path.is_file()
    assert path.read_text(encoding="utf-8") == generate_xsd()


def test_schema_is_xsd_1_0_and_loads_in_lxml_and_xmlschema() -> None:
    import xmlschema

    etree.XMLSchema(etree.parse(str(schema_path())))
    xmlschema.XMLSchema10(str(schema_path()))


def _all_verbs_flow() -> Flow:
    return (
        Flow()
        .answer()
        .hangup()
        .start_play("https://x.io/a.wav", loop=10)
        .stop_play()
        .say("नमस्ते & <hello>", preferred_tts_engine="googletts", language="hi-IN", loop=0)
        .stop_say()
        .start_recording(direction="out", format="wav", storage_type="s3")
        .stop_recording()
        .gather(Say("PIN"), StartPlay("https://x.io/p.wav"), num_digits=6, finish_on_key="0")
        .hold(StartPlay("https://x.io/moh.wav", loop=3))
        .unhold()
        .mute(direction="in")
        .unmute()
        .join_bridge("BR 1", absorb_dtmf=True)
        .leave_bridge()
        .start_stream("wss://bot.example.com/s?x=1&y=2", stream_type="bidirectional")
        .stop_stream()
        .start_monitoring("L1", rx_audio="muted")
        .stop_monitoring()
        .refer("grpcs://events.example.com:443")
    )


def _documents() -> list[str]:
    docs = [flow.to_xml() for _, flow in SEED_EXAMPLES]
    flow = _all_verbs_flow()
    docs += [flow.to_xml(), flow.to_xml(pretty=True, xml_declaration=True)]
    return docs


@pytest.mark.parametrize("xml", _documents())
def test_dsl_output_is_valid_under_lxml_xsd_and_xmlschema(xml: str) -> None:
    import xmlschema

    assert compiled_schema().validate(etree.fromstring(xml.encode()))
    assert xmlschema.XMLSchema10(str(schema_path())).is_valid(xml)
    assert not any(d.is_error for d in validate(xml))


@needs_xmllint
def test_dsl_output_is_valid_under_xmllint(tmp_path: Path) -> None:
    assert XMLLINT is not None, "xmllint is required in CI"
    files = []
    for i, xml in enumerate(_documents()):
        path = tmp_path / f"doc{i}.xml"
        path.write_text(xml, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [XMLLINT, "--noout", "--schema", str(schema_path()), *files],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("validates") == len(files)


@needs_xmllint
def test_xmllint_rejects_what_the_engine_rejects(tmp_path: Path) -> None:
    assert XMLLINT is not None
    bad = tmp_path / "bad.xml"
    bad.write_text('<Flow><StartPlay loop="11">https://x.io/a</StartPlay></Flow>')
    result = subprocess.run(
        [XMLLINT, "--noout", "--schema", str(schema_path()), str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert [d.code for d in validate(bad.read_bytes())] == ["EX301"]


# Both sides of every limit: each invalid document must fail the XSD and the engine,
# each valid one must pass both.
BOUNDARIES: list[tuple[str, bool]] = [
    ('<StartPlay loop="0">https://x.io/a</StartPlay>', True),
    ('<StartPlay loop="10">https://x.io/a</StartPlay>', True),
    ('<StartPlay loop="11">https://x.io/a</StartPlay>', False),
    ('<StartPlay loop="-1">https://x.io/a</StartPlay>', False),
    ('<StartPlay loop="+1">https://x.io/a</StartPlay>', False),
    ('<StartPlay loop=" 1">https://x.io/a</StartPlay>', False),
    ('<StartPlay loop="1.0">https://x.io/a</StartPlay>', False),
    ('<StartPlay loop="١">https://x.io/a</StartPlay>', False),
    ('<StartPlay loop="">https://x.io/a</StartPlay>', False),
    ('<Say loop="10">x</Say>', True),
    ('<Say loop="11">x</Say>', False),
    ('<Gather numDigits="1"/>', True),
    ('<Gather numDigits="0"/>', False),
    ('<Gather numDigits="999999999999999999"/>', True),
    ('<Gather numDigits="1000000000000000000"/>', False),  # open ranges end at 18 digits
    ('<Gather numDigits="0000000000000000000000000001"/>', True),
    ('<Gather timeoutInSec="1"/>', True),
    ('<Gather timeoutInSec="0"/>', False),
    ('<Gather finishOnKey="#"/>', True),
    ('<Gather finishOnKey="*"/>', True),
    ('<Gather finishOnKey="9"/>', True),
    ('<Gather finishOnKey="A"/>', False),
    ('<Gather finishOnKey="##"/>', False),
    ('<Mute direction="both"/>', True),
    ('<Mute direction="Both"/>', False),
    ('<Mute direction="both "/>', False),
    ('<UnMute direction="sideways"/>', False),
    ('<StartRecording format="mp3" storageType="https"/>', True),
    ('<StartRecording format="ogg"/>', False),
    ('<StartRecording storageType="gcs"/>', False),
    ('<Say preferredTTSEngine="googletts">x</Say>', True),
    ('<Say preferredTTSEngine="Polly">x</Say>', False),
    ('<Say language="hi-IN">x</Say>', True),
    ('<Say language="e">x</Say>', False),
    ('<Say language="en_US">x</Say>', False),
    ('<Say pollyVoiceId="Aditi">x</Say>', True),
    ('<Say pollyVoiceId=" Aditi">x</Say>', False),
    ('<Say pollyVoiceId="">x</Say>', False),
    ("<Say> </Say>", False),
    ("<Say/>", False),
    ("<StartPlay>http://x.io/a</StartPlay>", True),
    # Exotel's examples put the URL on its own indented line: checked after trimming.
    ("<StartPlay> https://x.io/a</StartPlay>", True),
    ("<StartPlay>\n    https://x.io/a\n  </StartPlay>", True),
    ("<StartPlay>https://x.io/a b</StartPlay>", False),
    ("<StartPlay>https://x.io/a\tb</StartPlay>", False),
    ("<StartPlay> </StartPlay>", False),
    ("<StartPlay>x.io/a</StartPlay>", False),
    ("<StartPlay>sound:beep</StartPlay>", True),
    ("<StartPlay>sound://https://x.io/a.wav</StartPlay>", True),
    ("<StartPlay>sound:</StartPlay>", False),
    ('<StartPlay username="u" password="p">https://x.io/a</StartPlay>', True),
    ('<StartPlay password=" p">https://x.io/a</StartPlay>', False),
    ("<StartSay>x</StartSay>", True),
    ('<StartSay language="en_US">x</StartSay>', False),
    ("<StopSay/>", True),
    ('<Dial contactUri="+919876543210" exophone="08047091234"/>', True),
    ('<Dial contactUri="sip:a@b.c" exophone="08047091234" networkType="voip"/>', True),
    ('<Dial contactUri="+919876543210" exophone="08047091234" networkType="gsm"/>', False),
    ('<Dial contactUri="+919876543210"/>', False),
    ('<Dial exophone="08047091234" absorbDtmf="yes" contactUri="1234"/>', False),
    ("<SendDigits>12#*</SendDigits>", True),
    ("<SendDigits>\n  12#\n</SendDigits>", True),
    ("<SendDigits>12a</SendDigits>", False),
    ("<SendDigits/>", False),
    ('<SendDigits duration="100" between="50">1</SendDigits>', True),
    (
        "<PlaySequence><StartPlay>sound:a</StartPlay><Say>x</Say><StartSay>y</StartSay></PlaySequence>",
        True,
    ),
    ("<PlaySequence/>", True),
    ("<PlaySequence><Hangup/></PlaySequence>", False),
    ('<StartRecording bitrate="32000"><Say>Leave a message</Say></StartRecording>', True),
    ("<StartRecording><Say>a</Say><Say>b</Say></StartRecording>", False),
    ('<StartStream url="wss://x.io/s" contentType="audio/x-mulaw;rate=8000"/>', True),
    ('<StartStream url="wss://x.io/s" contentType="audio/l16; rate=16000"/>', True),
    ('<StartStream url="wss://x.io/s" contentType="audio"/>', False),
    ('<StopStream streamSid="S1"/>', True),
    ('<JoinBridge bridgeSid="b" absorbDtmf="false"/>', True),
    ('<JoinBridge bridgeSid="b" absorbDtmf="1"/>', False),
    ('<JoinBridge bridgeSid="b" absorbDtmf="True"/>', False),
    ('<JoinBridge absorbDtmf="true"/>', False),
    ('<StartStream streamUrl="ws://x.io/s"/>', True),
    ('<StartStream streamUrl="https://x.io/s"/>', False),
    ('<StartStream streamUrl="wss://x.io/s" streamType="duplex"/>', False),
    ('<StartMonitoring monitoringLegSid="L" rxAudio="enabled"/>', True),
    ('<StartMonitoring monitoringLegSid="L" rxAudio="on"/>', False),
    ('<Refer legEventEndpoint="grpc://h:1"/>', True),
    ('<Refer legEventEndpoint="grpc://h"/>', True),
    ('<Refer legEventEndpoint="grpc://h:"/>', False),
    ('<Refer legEventEndpoint="http://h/x"/>', False),
    ('<Refer legEventEndpoint="https://h/x"/>', True),
    ("<Hold/>", True),
    ("<Hold><StartPlay>https://a/b</StartPlay></Hold>", True),
    ("<Hold><StartPlay>https://a/b</StartPlay><StartPlay>https://a/b</StartPlay></Hold>", False),
    ("<Hold><Say>x</Say></Hold>", False),
    ("<Gather><Say>x</Say><StartPlay>https://a/b</StartPlay><Say>y</Say></Gather>", True),
    ("<Gather><Gather/></Gather>", False),
    ("<Gather>text</Gather>", False),
    ("<Gather>\n  <Say>x</Say>\n</Gather>", True),
    ("<Answer> </Answer>", False),
    ("<Answer>x</Answer>", False),
    ("<Answer><!-- fine --></Answer>", True),
    ("<Answer/>\n<Hangup/>", True),
    ("<answer/>", False),
    ("<Speak>x</Speak>", False),
    ('<Hangup reason="x"/>', False),
]


@pytest.mark.parametrize(("body", "valid"), BOUNDARIES)
def test_xsd_and_engine_agree_on_both_sides_of_every_limit(body: str, valid: bool) -> None:
    import xmlschema

    xml = f"<Flow>{body}</Flow>"
    xsd_ok = bool(compiled_schema().validate(etree.fromstring(xml.encode())))
    xmlschema_ok = xmlschema.XMLSchema10(str(schema_path())).is_valid(xml)
    engine_ok = not any(d.is_error for d in validate(xml))
    assert (xsd_ok, xmlschema_ok, engine_ok) == (valid, valid, valid)


def test_every_catalogue_rule_is_in_the_schema() -> None:
    text = schema_path().read_text(encoding="utf-8")
    for spec in VERBS:
        assert f'<xs:element name="{spec.element}" type="{spec.element}Type"/>' in text
        for attr in spec.attrs:
            assert f'<xs:attribute name="{attr.name}"' in text
    assert text.count('use="required"') == sum(a.required for s in VERBS for a in s.attrs)


def test_only_flow_is_a_root() -> None:
    assert not compiled_schema().validate(etree.fromstring(b"<Say>Hello</Say>"))


_THREADS_SCRIPT = """
import threading
from exoml import validate

DOCS = {
    "legs": '<Flow><Say language="en">Hello</Say></Flow>',
    "bridge": "<Flow><StopPlay/></Flow>",
    "classic": "<Response><Hangup/></Response>",
}
errors = []


def work(dialect):
    # Validating while other threads compile is what broke: keep validating.
    for _ in range(100):
        try:
            if validate(DOCS[dialect], dialect=dialect):
                errors.append(dialect + ": not clean")
        except Exception as exc:
            errors.append(repr(exc))


for _ in range(15):
    threads = [threading.Thread(target=work, args=(d,)) for d in list(DOCS) * 6]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
print(len(errors), errors[:3])
raise SystemExit(1 if errors else 0)
"""


def test_threads_compiling_their_schemas_at_once_do_not_corrupt_them() -> None:
    # Each thread compiles its own copy of a schema on first use; libxml2 sets up its
    # built-in types without a lock, so unserialised compilations failed at random and
    # could corrupt the heap. A separate process: a corrupted heap must not take pytest.
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _THREADS_SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
