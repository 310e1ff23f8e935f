"""parse_event: typed fields, leniency where it loses nothing, EventError and nothing else."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import exoml
from exoml import EventError, ExomlError
from exoml._catalogue import EVENTS
from exoml.events import Event, parse_event

from ._servers import event_body

FULL = {
    "event_sid": "ev_1",
    "event_type": "leg_action_event",
    "event_name": "gather_success",
    "event_timestamp": "2024-05-01T10:00:00.123Z",
    "action_sid": "act_1",
    "action_custom_parameter": "call-7/menu",
    "event_data": {"data": {"digits": "0012", "unknown_field": [1, {"x": None}]}},
    "data": {"leg_sid": "leg_1", "account_sid": "acme", "state": "in-progress"},
    "something_new": {"nested": True},
}


def test_every_documented_field() -> None:
    event = parse_event(json.dumps(FULL).encode(), {"X-Exotel-Request-Id": "ev_1-2"})
    assert event.event_sid == "ev_1"
    assert event.event_type == "leg_action_event"
    assert event.event_name == "gather_success"
    assert event.event_timestamp == datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=timezone.utc)
    assert event.action_sid == "act_1"
    assert event.action_custom_parameter == "call-7/menu"
    assert event.leg_sid == "leg_1"
    assert event.digits == "0012"
    assert event.attempt == 2
    assert event.request_id == "ev_1-2"
    assert event.data["state"] == "in-progress"
    assert event.event_data["data"]["unknown_field"] == (1, {"x": None})
    assert event.raw["something_new"] == {"nested": True}
    assert event.as_dict() == FULL
    assert event.known is not None
    assert event.known.evidence == ("third-party",)


@pytest.mark.parametrize("form", ["bytes", "str", "mapping", "bytearray", "memoryview"])
def test_bytes_text_and_mappings_give_the_same_event(form: str) -> None:
    text = json.dumps(FULL)
    body: Any = {
        "bytes": text.encode(),
        "str": text,
        "mapping": FULL,
        "bytearray": bytearray(text.encode()),
        "memoryview": memoryview(text.encode()),
    }[form]
    assert parse_event(body) == parse_event(text)


def test_the_event_is_read_only() -> None:
    event = parse_event(FULL)
    with pytest.raises(AttributeError):
        event.event_sid = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        event.raw["event_sid"] = "other"  # type: ignore[index]
    with pytest.raises(TypeError):
        event.event_data["data"]["digits"] = "9"
    assert isinstance(event.raw["event_data"]["data"]["unknown_field"], tuple)
    assert not hasattr(event, "__dict__")  # slotted
    assert hash(event) == hash(parse_event(FULL))


def test_a_mapping_handed_in_is_copied() -> None:
    body = json.loads(json.dumps(FULL))
    event = parse_event(body)
    body["event_data"]["data"]["digits"] = "changed"
    assert event.digits == "0012"


def test_minimal_event_and_unknown_names_are_kept() -> None:
    event = parse_event(b'{"event_sid": "e", "event_name": "brand_new_event"}')
    assert (event.event_type, event.event_timestamp, event.action_sid) == (None, None, None)
    assert event.leg_sid is None
    assert event.attempt is None
    assert event.known is None
    assert event.event_data == {}
    assert event.data == {}
    assert event.digits is None
    assert event.bridge_sid is None


@pytest.mark.parametrize("event_type", ["leg_lifecycle_event", "leg_action_event"])
def test_leg_answered_under_both_types(event_type: str) -> None:
    event = parse_event({"event_sid": "e", "event_name": "leg_answered", "event_type": event_type})
    assert event.known is not None
    assert event_type in event.known.types


@pytest.mark.parametrize("name", ["bridge_terminal", "bridge_terminated"])
def test_both_names_of_a_bridge_end(name: str) -> None:
    event = parse_event(
        {
            "event_sid": "e",
            "event_name": name,
            "event_type": "bridge_lifecycle_event",
            "event_data": {"bridge_sid": "br_1", "data": {"leg_sid": "leg_9"}},
        }
    )
    assert event.known is not None
    assert event.known.documented
    assert event.bridge_sid == "br_1"
    assert event.leg_sid == "leg_9"


def test_leg_sid_of_a_bridge_event_from_event_data() -> None:
    event = parse_event(
        {"event_sid": "e", "event_name": "leg_left_bridge", "event_data": {"leg_sid": "L2"}}
    )
    assert event.leg_sid == "L2"


def test_the_catalogue_is_the_table_of_known_events() -> None:
    names = {e.name for e in EVENTS}
    assert {"gather_success", "leg_answered", "bridge_terminal", "bridge_terminated"} <= names
    for spec in EVENTS:
        event = parse_event({"event_sid": "e", "event_name": spec.name})
        assert event.known == spec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00.123Z", datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=timezone.utc)),
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=timezone.utc)),
        ("2024-05-01t10:00:00.5z", datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=timezone.utc)),
        (
            "2024-05-01T15:30:00.123456789+05:30",
            datetime(2024, 5, 1, 15, 30, 0, 123456, tzinfo=timezone(timedelta(hours=5.5))),
        ),
        (
            "2024-05-01 10:00:00-0100",
            datetime(2024, 5, 1, 10, tzinfo=timezone(-timedelta(hours=1))),
        ),
        ("2024-05-01T10:00:00", None),  # no offset: the zone is not guessed
        ("2024-02-30T10:00:00Z", None),
        ("2024-05-01T24:00:00Z", None),
        ("yesterday", None),
        ("", None),
        (1714557600, None),
        (None, None),
        ({"t": 1}, None),
    ],
)
def test_timestamps(text: object, expected: datetime | None) -> None:
    event = parse_event({"event_sid": "e", "event_name": "x", "event_timestamp": text})
    assert event.event_timestamp == expected
    if expected is not None:
        assert event.event_timestamp is not None
        assert event.event_timestamp.tzinfo is not None
    assert event.raw["event_timestamp"] == text  # kept as sent, whatever it was


@pytest.mark.parametrize(
    ("headers", "attempt"),
    [
        ({"X-Exotel-Request-Id": "e-1"}, 1),
        ({"x-exotel-request-id": "e-3"}, 3),
        ([(b"x-exotel-request-id", b"e-2")], 2),
        ([("X-EXOTEL-REQUEST-ID", "e-2")], 2),
        ({"X-Exotel-Request-Id": "other-2"}, None),
        ({"X-Exotel-Request-Id": "e-0"}, None),
        ({"X-Exotel-Request-Id": "e-x"}, None),
        ({"X-Exotel-Request-Id": "e"}, None),
        ({"X-Exotel-Request-Id": "e-٣"}, None),
        ({"X-Exotel-Request-Id": "e-12"}, 12),
        ({"X-Exotel-Request-Id": "e--1"}, None),
        ({"X-Exotel-Request-Id": "e-1 "}, 1),
        ({"X-Exotel-Request-Id": "e-b-1"}, None),
        ({}, None),
    ],
)
def test_attempt_from_the_request_id(headers: Any, attempt: int | None) -> None:
    assert parse_event({"event_sid": "e", "event_name": "x"}, headers).attempt == attempt


def test_a_sid_with_dashes() -> None:
    event = parse_event(
        {"event_sid": "a-b-c", "event_name": "x"}, {"X-Exotel-Request-Id": "a-b-c-3"}
    )
    assert event.attempt == 3


def test_an_event_is_an_event_and_read_only() -> None:
    event = parse_event(b'{"event_sid": "e", "event_name": "x"}', {"X-Exotel-Request-Id": "e-1"})
    assert type(event) is Event
    raw = {"event_sid": "e", "event_name": "x"}
    assert event == Event("e", "x", None, None, None, None, {}, None, 1, raw, "e-1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.event_sid = "f"  # type: ignore[misc]


def test_a_key_given_twice_keeps_the_last_value() -> None:
    event = parse_event(b'{"event_sid": "e", "event_sid": "f", "event_name": "x"}')
    assert event.event_sid == "f"


def test_custom_parameter_under_its_short_name() -> None:
    event = parse_event({"event_sid": "e", "event_name": "x", "action_custom_param": "p"})
    assert event.action_custom_parameter == "p"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"", "not JSON"),
        (b"not json", "not JSON"),
        (b"[]", "a JSON array, not an object"),
        (b'"text"', "a JSON string, not an object"),
        (b"null", "a JSON null, not an object"),
        (b"{}", "no event_sid"),
        (b'{"event_sid": "e"}', "no event_name"),
        (b'{"event_name": "x"}', "no event_sid"),
        (b'{"event_sid": null, "event_name": "x"}', "no event_sid"),
        (b'{"event_sid": 12, "event_name": "x"}', "event_sid is a JSON number"),
        (b'{"event_sid": "e", "event_name": ["x"]}', "event_name is a JSON array"),
        (b'{"event_sid": "  ", "event_name": "x"}', "event_sid is empty"),
        (b'{"event_sid": "e\\n", "event_name": "x"}', "control"),
        (b'{"event_sid": "\\ud800", "event_name": "x"}', "surrogate"),
        (b'{"event_sid": "e", "event_name": "x", "event_type": 1}', "event_type is a JSON number"),
        (b'{"event_sid": "e", "event_name": "x", "action_sid": {}}', "action_sid is a JSON object"),
        (b'{"event_sid": "e", "event_name": "x", "event_data": []}', "event_data is a JSON array"),
        (b'{"event_sid": "e", "event_name": "x", "data": "L1"}', "data is a JSON string"),
        (b'{"event_sid": "e", "event_name": "x", "n": NaN}', "NaN"),
        (b'{"event_sid": "e", "event_name": "x", "n": -Infinity}', "-Infinity"),
        (b'{"event_sid": "e", "event_name": "x", "n": 1e999}', "out of range"),
        (b'{"event_sid": "e", "event_name": "x", "n": ' + b"9" * 5000 + b"}", "4300 digits"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"event_sid": "\xc3\x28", "event_name": "x"}', "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested"),
        (b'{"event_sid": "e", "event_name": "x", "d": ' + b"[" * 70 + b"]" * 70 + b"}", "deeper"),
        (json.dumps({"event_sid": "e" * 300, "event_name": "x"}).encode(), "at most 256"),
    ],
)
def test_not_an_event(body: bytes, says: str) -> None:
    with pytest.raises(EventError) as failure:
        parse_event(body)
    assert says in str(failure.value)
    assert str(failure.value).startswith("not an event: ")
    assert isinstance(failure.value, ExomlError)
    assert isinstance(failure.value, ValueError)


@pytest.mark.parametrize(
    "body",
    [
        {"event_sid": "e", "event_name": "x", "n": float("nan")},
        {"event_sid": "e", "event_name": "x", "n": math.inf},
        {"event_sid": "e", "event_name": "x", 3: "int key"},
        {"event_sid": "e", "event_name": "x", "when": datetime.now(timezone.utc)},
        {"event_sid": "e", "event_name": "x", "s": {1, 2}},
        42,
        None,
        ["event_sid"],
    ],
)
def test_mappings_and_objects_that_are_not_events(body: Any) -> None:
    with pytest.raises(EventError):
        parse_event(body)


def test_a_cyclic_mapping() -> None:
    body: dict[str, Any] = {"event_sid": "e", "event_name": "x"}
    body["self"] = body
    with pytest.raises(EventError, match="deeper than 64"):
        parse_event(body)


def test_event_error_is_exported() -> None:
    assert exoml.EventError is EventError
    assert "EventError" in exoml.__all__
    assert exoml.__all__ == sorted(exoml.__all__)


# --- properties ------------------------------------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
NAMES = st.text(min_size=1, max_size=40).filter(
    lambda s: bool(s.strip()) and s.isprintable() and not any(0xD800 <= ord(c) < 0xE000 for c in s)
)
OPTIONAL_TEXT = st.none() | st.text(max_size=20)
OBJECTS = st.none() | st.dictionaries(st.text(max_size=8), JSON, max_size=4)


@st.composite
def event_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = draw(st.dictionaries(st.text(max_size=12), JSON, max_size=5))
    body["event_sid"] = draw(NAMES)
    body["event_name"] = draw(st.sampled_from([e.name for e in EVENTS]) | NAMES)
    for key in ("event_type", "action_sid", "action_custom_parameter", "event_timestamp"):
        if draw(st.booleans()):
            body[key] = draw(OPTIONAL_TEXT)
        else:
            body.pop(key, None)
    for key in ("event_data", "data"):
        if draw(st.booleans()):
            body[key] = draw(OBJECTS)
        else:
            body.pop(key, None)
    body.pop("action_custom_param", None)
    return body


@given(event_bodies(), st.integers(min_value=1, max_value=3))
def test_any_object_with_the_required_fields_parses(body: dict[str, Any], attempt: int) -> None:
    text = json.dumps(body)
    headers = {"X-Exotel-Request-Id": f"{body['event_sid']}-{attempt}"}
    event = parse_event(text.encode(), headers)
    assert event.event_sid == body["event_sid"]
    assert event.event_name == body["event_name"]
    assert event.event_type == body.get("event_type")
    assert event.attempt == attempt
    assert event.as_dict() == json.loads(text)
    assert parse_event(body, headers) == event
    ts = event.event_timestamp
    assert ts is None or ts.tzinfo is not None


def _never_anything_but_event_error(body: Any) -> None:
    try:
        event = parse_event(body)
    except EventError as exc:
        message = str(exc)
    else:
        assert isinstance(event, Event)
        assert isinstance(event.raw, Mapping)
        return
    assert message.startswith("not an event: ")


@given(st.binary(max_size=200))
def test_any_bytes(body: bytes) -> None:
    _never_anything_but_event_error(body)


@given(st.text(max_size=200))
def test_any_text(body: str) -> None:
    _never_anything_but_event_error(body)


@given(JSON)
def test_any_json_value(value: Any) -> None:
    _never_anything_but_event_error(json.dumps(value))
    _never_anything_but_event_error(value)


@given(event_bodies(), st.data())
def test_damaged_events(body: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(body)))
    body[key] = data.draw(JSON)
    text = json.dumps(body)
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    _never_anything_but_event_error(text)
    _never_anything_but_event_error(text[:cut])
    _never_anything_but_event_error(text.encode()[:cut])


def test_event_body_helper_is_an_event() -> None:
    assert parse_event(event_body("E1")).leg_sid == "LEG1"


# --- the one-pass reading of the usual event -------------------------------------------


def _reference(body: bytes, request_id: str | None) -> Event | str:
    """What the general path makes of ``body``: the event, or the error's message."""
    from exoml.events._event import _build, _check, _decode

    try:
        raw = _decode(body)
        return _build(raw, *_check(raw), request_id)
    except EventError as exc:
        return str(exc)


def _one_pass(body: bytes, request_id: str | None) -> Event | str:
    from exoml.events._event import _parse

    try:
        return _parse(body, request_id)
    except EventError as exc:
        return str(exc)


REQUEST_IDS = st.none() | st.sampled_from(["", "-1", "x-1", " -1", "-", "--1", "-0", "-10"])
TIMESTAMPS = st.sampled_from(
    [
        "2024-05-01T10:00:00.123Z",
        "2024-05-01 10:00:00.123Z",
        "2024-05-01X10:00:00.123Z",
        "2024-02-30T10:00:00.123Z",
        "2024-05-01T10:00:00.123+05:30",
        "2024-05-01T10:00:00Z",
    ]
)


@given(event_bodies(), REQUEST_IDS, st.none() | TIMESTAMPS, st.data())
def test_the_one_pass_reads_as_the_general_path(
    body: dict[str, Any], request_id: str | None, timestamp: str | None, data: st.DataObject
) -> None:
    if timestamp is not None:
        body["event_timestamp"] = timestamp
    if data.draw(st.booleans()):  # damaged: any field, any JSON value
        body[data.draw(st.sampled_from(sorted(body)))] = data.draw(JSON)
    sid = body.get("event_sid")
    if request_id is not None and isinstance(sid, str) and data.draw(st.booleans()):
        request_id = sid + request_id  # "<sid>-1" and its near misses
    encoded = json.dumps(body).encode()
    one_pass, reference = _one_pass(encoded, request_id), _reference(encoded, request_id)
    assert one_pass == reference
    if isinstance(one_pass, Event):
        assert isinstance(reference, Event)
        for field in dataclasses.fields(Event):  # every slot set, and to the same thing
            assert getattr(one_pass, field.name) == getattr(reference, field.name)
        assert type(one_pass.event_data) is type(reference.event_data)


def test_the_usual_event_in_one_pass_is_every_field() -> None:
    body = json.dumps(FULL).encode()
    one_pass = _one_pass(body, "ev_1-2")
    assert isinstance(one_pass, Event)
    assert one_pass == _reference(body, "ev_1-2")
    assert one_pass.attempt == 2
    assert one_pass.leg_sid == "leg_1"
    assert one_pass.event_timestamp == datetime(2024, 5, 1, 10, 0, 0, 123000, tzinfo=timezone.utc)
    assert (_one_pass(body, "ev_1--2"), _one_pass(body, "ev_2-2")) == (
        _reference(body, "ev_1--2"),
        _reference(body, "ev_2-2"),
    )


# --- the one pass on bodies the usual event's shortcuts must not misread -----------------

HOSTILE = (
    [
        b"",
        b" ",
        b"{",
        b"}",
        b"{}",
        b"[]",
        b'"event"',
        b"123",
        b"-0",
        b"1e999",
        b"9" * 5000,
        b"NaN",
        b"null",
        b"true",
        b'{"event_sid": "e", "event_name": "x"} ',
        b'{"event_sid": "e", "event_name": "x"} {}',
        b'{"event_sid": "e", "event_name": "x"}x',
        b' {"event_sid": "e", "event_name": "x"}',
        b'\xef\xbb\xbf{"event_sid": "e", "event_name": "x"}',
        b'{"event_sid": "e", "event_name": "x", "n": NaN}',
        b'{"event_sid": "e", "event_name": "x", "n": 1e999}',
        b'{"event_sid": "e", "event_name": "x", "n": ' + b"9" * 5000 + b"}",
        b'{"event_sid": "e", "event_name": "x", "t": "\xff"}',
        b'{"event_sid": "e\\ud800", "event_name": "x"}',
        b'{"event_sid": "e", "event_name": "x", "a": [' + b"[" * 70 + b"]" * 70 + b"]}",
        b'{"event_sid": "e", "event_name": "x", "a": "' + b"{" * 70 + b'"}',
    ]
    + [
        # Objects nested 63 to 66 deep, and as deep with an array inside.
        b'{"event_sid": "e", "event_name": "x", "d": ' + b'{"k": ' * n + b"1" + b"}" * n + b"}"
        for n in range(62, 67)
    ]
    + [
        b'{"event_sid": "e", "event_name": "x", "d": ' + b'{"k": ' * n + b"[1]" + b"}" * n + b"}"
        for n in range(62, 66)
    ]
)


@pytest.mark.parametrize("body", HOSTILE, ids=range(len(HOSTILE)))
def test_the_one_pass_reads_hostile_bodies_as_the_general_path(body: bytes) -> None:
    assert _one_pass(body, "e-1") == _reference(body, "e-1")


@given(st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_the_one_pass_reads_any_bytes_as_the_general_path(body: bytes) -> None:
    assert _one_pass(body, None) == _reference(body, None)


@pytest.mark.parametrize(
    "text",
    [
        "x", "!", "~", "é", "e1", " x", "x ", " ", "  ", "", "\t", "\x00x", "\x1fx", "\x7fx",
        "\x85x", "\xa0x", "\u2028x", "\u3000x", "x\u3000", "\ufeffx", "e" * 256, "e" * 257,
    ],
)  # fmt: skip
@pytest.mark.parametrize("key", ["event_sid", "event_name"])
def test_sids_and_names_with_unusual_first_characters(key: str, text: str) -> None:
    body = {"event_sid": "e1", "event_name": "play_completed", key: text}
    encoded = json.dumps(body).encode()
    assert _one_pass(encoded, "e1-1") == _reference(encoded, "e1-1")


CUSTOM_VALUES = [None, "call-7", "", 7, ["x"], {"x": 1}]


@pytest.mark.parametrize("long", [*CUSTOM_VALUES, "absent"])
@pytest.mark.parametrize("short", [*CUSTOM_VALUES, "absent"])
def test_the_short_custom_parameter_name(long: Any, short: Any) -> None:
    """With or without every field the one pass reads at once, the long name or the short
    one, as the general path reads them."""
    for body in (dict(FULL), {"event_sid": "e1", "event_name": "x"}):
        body.pop("action_custom_parameter", None)
        if long != "absent":
            body["action_custom_parameter"] = long
        if short != "absent":
            body["action_custom_param"] = short
        encoded = json.dumps(body).encode()
        assert _one_pass(encoded, None) == _reference(encoded, None)


@pytest.mark.parametrize("missing", [None, *sorted(FULL)])
def test_each_field_missing(missing: str | None) -> None:
    body = {k: v for k, v in FULL.items() if k != missing}
    encoded = json.dumps(body).encode()
    for request_id in (None, "", "ev_1-1", "ev_1-3", "ev_1-01", "ev_2-1"):
        one_pass = _one_pass(encoded, request_id)
        assert one_pass == _reference(encoded, request_id)
        if isinstance(one_pass, Event):
            reference = _reference(encoded, request_id)
            assert isinstance(reference, Event)
            for field in dataclasses.fields(Event):
                assert getattr(one_pass, field.name) == getattr(reference, field.name)
