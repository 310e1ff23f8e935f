"""Leg, Bridge and ExternalEvent read any answer: typed fields or None, never a crash.

Whatever JSON a server sends in a 2xx answer, building a record either works (every
field of its documented type, every timestamp timezone-aware, ``raw`` read-only) or
raises ValueError (which the clients turn into an ApiError), nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from exoml import Bridge, ExternalEvent, Leg
from exoml._legs import leg_events_from_answer, parse_timestamp

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
LEG_FIELDS = [
    "leg_sid",
    "account_sid",
    "contact_uri",
    "exophone",
    "state",
    "time_limit",
    "start_time",
    "end_time",
    "date_created",
    "created_at",
    "on_call_duration_ms",
    "additional_info",
]
timestamps = st.one_of(
    json_values,
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"),
)
leg_data = st.fixed_dictionaries(
    {},
    optional={
        name: (timestamps if name.endswith(("_time", "_at", "_created")) else json_values)
        for name in LEG_FIELDS
    },
)


def answer(data: Any) -> dict[str, Any]:
    return {"request_id": "r", "http_code": 200, "response": {"data": data}}


def typed(value: Any, *types: type) -> bool:
    return value is None or isinstance(value, types)


@settings(max_examples=300, deadline=None)
@given(leg_data | json_values)
def test_a_leg_is_read_from_any_answer(data: Any) -> None:
    try:
        leg = Leg.from_answer(answer(data))
    except ValueError:
        # Refused only when the answer names no leg: no leg_sid, or not a non-empty str.
        sid = data.get("leg_sid") if isinstance(data, dict) else None
        assert not (isinstance(sid, str) and sid)
        return
    assert isinstance(leg.leg_sid, str)
    assert leg.leg_sid
    for name in ("account_sid", "contact_uri", "exophone", "state", "terminal_status"):
        assert typed(getattr(leg, name), str)
    for name in ("time_limit", "on_call_duration_ms"):
        value = getattr(leg, name)
        assert typed(value, int)
        assert not isinstance(value, bool)
    for name in ("created_at", "date_created", "date_updated", "start_time", "end_time"):
        value = getattr(leg, name)
        assert typed(value, datetime)
        assert value is None or value.tzinfo is not None
    assert isinstance(leg.additional_info, Mapping)
    assert isinstance(leg.raw, Mapping)
    hash(leg)  # usable as a key, whatever it holds


@settings(max_examples=200, deadline=None)
@given(json_values, st.text(min_size=1, max_size=10))
def test_a_bridge_is_read_from_any_answer(data: Any, sid: str) -> None:
    bridge = Bridge.from_answer(answer(data), bridge_sid=sid)
    assert bridge.bridge_sid
    assert all(isinstance(s, str) and s for s in bridge.leg_sids)
    assert typed(bridge.absorb_dtmf, bool)
    assert bridge.created_at is None or bridge.created_at.tzinfo is not None


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_leg_events_are_read_or_refused(data: Any) -> None:
    try:
        events = leg_events_from_answer(answer(data))
    except ValueError:
        return
    assert all(isinstance(e, ExternalEvent) for e in events)
    assert all(e.delivered in (True, False, None) for e in events)


@given(st.text(max_size=40) | json_values)
def test_parse_timestamp_is_aware_or_none(value: Any) -> None:
    parsed = parse_timestamp(value)
    assert parsed is None or parsed.tzinfo is not None
