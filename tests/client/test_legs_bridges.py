"""Legs and bridges on both clients, against the fake and against a second, independent
server written from the reference (``_exotel_server.py``): every endpoint, sync and async;
every documented error status and its exception; retries; argument checks; secrecy."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from exoml import (
    ActionAccepted,
    ApiError,
    AsyncLegsClient,
    AuthenticationError,
    Bridge,
    BridgeNotFoundError,
    ExomlError,
    ExternalEvent,
    Flow,
    InvalidExomlError,
    Leg,
    LegNotFoundError,
    LegsClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from exoml.testing import FakeLegsAPI

from ._exotel_server import ExotelServer
from .conftest import Kind, Server, credentials, fast_backoff

ENDPOINT = "https://events.example.com/exotel"
PLAY = "<Flow><StartPlay>https://example.com/a.wav</StartPlay></Flow>"


def call(kind: Kind, api: Server, method: str, *args: Any, **options: Any) -> Any:
    """Call one client method through a fresh client of the given kind, against ``api``."""
    client_options = options.pop("client_options", {})
    settings: dict[str, Any] = {**credentials(api), "base_url": api.url, **client_options}
    if kind == "sync":
        with LegsClient(**settings) as client:
            fast_backoff(client)
            return getattr(client, method)(*args, **options)

    async def run() -> Any:
        async with AsyncLegsClient(**settings) as client:
            fast_backoff(client)
            return await getattr(client, method)(*args, **options)

    return asyncio.run(run())


@pytest.fixture(params=["fake", "second"])
def server(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The fake, then the independent server: the same test passes against both."""
    if request.param == "fake":
        with FakeLegsAPI() as api:
            yield api
    else:
        with ExotelServer() as second:
            yield second


def new_leg(kind: Kind, api: Any) -> Leg:
    leg: Leg = call(kind, api, "create_leg", "+919876543210", "08047112233", ENDPOINT)
    return leg


# -- every endpoint works -----------------------------------------------------------------


def test_create_leg_returns_the_documented_record(kind: Kind, server: Any) -> None:
    leg = call(
        kind,
        server,
        "create_leg",
        "09876543210",
        "08047112233",
        ENDPOINT,
        network_type="voip",
        custom_param="order-7",
        time_limit=600,
        timeout=20,
        setup_timeout=15,
        ring_timeout=25,
        requested_dc_code="MUM",
        requested_nso_code="NSO1",
        reference_leg_sid="LEGREF",
        amd_enable=True,
        async_amd=False,
        priority="high",
    )
    assert isinstance(leg, Leg)
    assert leg.leg_sid
    assert leg.http_code == 202
    assert leg.request_id
    assert (leg.contact_uri, leg.exophone) == ("09876543210", "08047112233")
    assert leg.account_sid == server.account_sid
    assert leg.created_at is not None
    assert leg.created_at.utcoffset() is not None
    assert leg.raw["response"]["data"]["leg_sid"] == leg.leg_sid
    with pytest.raises(TypeError):
        leg.raw["x"] = 1  # type: ignore[index]
    if isinstance(server, ExotelServer):
        sent = server.legs[leg.leg_sid]["options"]
        assert sent == {
            "contact_uri": "09876543210",
            "exophone": "08047112233",
            "leg_event_endpoint": ENDPOINT,
            "network_type": "voip",
            "custom_param": "order-7",
            "time_limit": 600,
            "timeout": 20,
            "setup_timeout": 15,
            "ring_timeout": 25,
            "requested_dc_code": "MUM",
            "requested_nso_code": "NSO1",
            "reference_leg_sid": "LEGREF",
            "amd_enable": True,
            "async_amd": False,
            "priority": "high",
        }


def test_get_leg_reads_state_and_status_fields(kind: Kind, server: Any) -> None:
    sid = new_leg(kind, server).leg_sid
    leg = call(kind, server, "get_leg", sid, fields=["play_status", "hold_status"])
    assert leg.leg_sid == sid
    assert leg.state in ("in-progress", "connected")
    assert leg.http_code == 200
    assert set(leg.additional_info) == {"play_status", "hold_status"}
    assert leg.date_created is not None
    assert leg.date_created.tzinfo is not None
    assert isinstance(leg.on_call_duration_ms, int)
    # Frozen: a record cannot be edited by mistake.
    with pytest.raises(AttributeError):
        leg.state = "x"


def test_leg_events_are_typed_with_their_delivery(kind: Kind, server: Any) -> None:
    sid = new_leg(kind, server).leg_sid
    if isinstance(server, ExotelServer):
        server.legs[sid]["events"] = [
            {"event_sid": f"E{i}", "event_name": name, "event_type": "leg_lifecycle_event"}
            for i, name in enumerate(["leg_ringing", "leg_answered", "leg_terminated"])
        ]
    else:
        server.wait_for("leg_answered", sid)
        server.wait_delivered()
    events = call(kind, server, "leg_events", sid)
    assert isinstance(events, tuple)
    assert all(isinstance(e, ExternalEvent) for e in events)
    names = [e.event_name for e in events]
    assert "leg_answered" in names
    assert names.index("leg_ringing") < names.index("leg_answered")
    answered = call(kind, server, "leg_events", sid, event_name="leg_answered")
    assert [e.event_name for e in answered] == ["leg_answered"]
    if isinstance(server, ExotelServer):
        # "200 OK" and "503" as text, and an event_info given as a JSON string.
        assert [e.delivered for e in events] == [True, False, True]
        assert events[1].event.event_sid == "E1"
    else:
        # The fake's endpoint (example.com) is never reached from a test: not delivered.
        assert answered[0].delivered is False
        assert answered[0].event.leg_sid == sid


def test_bridges_create_read_act_and_stop(kind: Kind, server: Any) -> None:
    first, second = new_leg(kind, server).leg_sid, new_leg(kind, server).leg_sid
    bridge = call(kind, server, "create_bridge", [first, second], ENDPOINT, absorb_dtmf=True)
    assert isinstance(bridge, Bridge)
    assert bridge.leg_sids == (first, second)
    assert bridge.http_code == 202
    assert bridge.created_at is not None
    assert bridge.created_at.tzinfo is not None
    read = call(kind, server, "get_bridge", bridge.bridge_sid)
    assert read.bridge_sid == bridge.bridge_sid
    assert read.leg_sids == (first, second)
    assert read.absorb_dtmf is True
    assert read.state
    accepted = call(kind, server, "send_to_bridge", bridge.bridge_sid, PLAY, custom_param="p1")
    assert accepted == ActionAccepted(
        request_id=accepted.request_id, leg_sid=None, http_code=202, bridge_sid=bridge.bridge_sid
    )
    flow = call(kind, server, "send_to_bridge", bridge.bridge_sid, Flow().stop_play())
    assert flow.bridge_sid == bridge.bridge_sid
    # Checked against the bridge dialect: a Refer with a bridgeEventEndpoint is a bridge
    # action (a leg's Refer takes legEventEndpoint instead).
    refer = '<Flow><Refer bridgeEventEndpoint="https://events.example.com/b2"/></Flow>'
    assert call(kind, server, "send_to_bridge", bridge.bridge_sid, refer).http_code == 202
    stopped = call(kind, server, "stop_bridge", bridge.bridge_sid)
    assert (stopped.bridge_sid, stopped.http_code, stopped.leg_sid) == (
        bridge.bridge_sid,
        202,
        None,
    )
    if isinstance(server, ExotelServer):
        assert server.bridges[bridge.bridge_sid]["actions"] == [
            {"exoml": PLAY, "action_custom_param": "p1"},
            {"exoml": "<Flow><StopPlay/></Flow>"},
            {"exoml": refer},
        ]
        assert server.seen[-1].body == {"action": "stop"}
        assert server.seen[-1].method == "PUT"
    else:
        assert [a.exoml for a in server.bridge_actions] == [PLAY, "<Flow><StopPlay/></Flow>", refer]
        assert server.wait_for("bridge_terminal", bridge_sid=bridge.bridge_sid)
        assert call(kind, server, "get_bridge", bridge.bridge_sid).state == "terminal"


def test_send_still_works_on_a_created_leg(kind: Kind, server: Any) -> None:
    sid = new_leg(kind, server).leg_sid
    accepted = call(kind, server, "send", sid, Flow().say("Hello"))
    assert (accepted.leg_sid, accepted.bridge_sid, accepted.http_code) == (sid, None, 202)


# -- every documented error maps to its exception ------------------------------------------

STATUSES: list[tuple[int, type[ApiError]]] = [
    (400, InvalidExomlError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (429, RateLimitError),
    (500, ServerError),
    (503, ServerError),
    (418, ApiError),
]

# Each endpoint, how to call it, and what its 404 means.
ENDPOINTS: list[tuple[str, tuple[Any, ...], dict[str, Any], type[NotFoundError]]] = [
    ("create_leg", ("+919876543210", "08047112233", ENDPOINT), {}, NotFoundError),
    ("get_leg", ("LEG-X",), {}, LegNotFoundError),
    ("leg_events", ("LEG-X",), {"event_name": "leg_answered"}, LegNotFoundError),
    ("create_bridge", (["LEG-X", "LEG-Y"], ENDPOINT), {}, LegNotFoundError),
    ("get_bridge", ("BR-X",), {}, BridgeNotFoundError),
    ("stop_bridge", ("BR-X",), {}, BridgeNotFoundError),
    ("send_to_bridge", ("BR-X", PLAY), {}, BridgeNotFoundError),
    ("send", ("LEG-X", PLAY), {}, LegNotFoundError),
]


@pytest.mark.parametrize(("status", "error"), STATUSES, ids=[str(s) for s, _ in STATUSES])
@pytest.mark.parametrize(
    ("method", "args", "options", "not_found"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_every_status_maps_to_its_exception(
    kind: Kind,
    status: int,
    error: type[ApiError],
    method: str,
    args: tuple[Any, ...],
    options: dict[str, Any],
    not_found: type[NotFoundError],
) -> None:
    with ExotelServer() as second:
        second.answer_next(status, headers={"Retry-After": "0"}, times=5)
        with pytest.raises(error) as caught:
            call(kind, second, method, *args, client_options={"max_retries": 0}, **options)
    assert type(caught.value) is error
    assert caught.value.status_code == status
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("req-")
    assert "from the second server" in caught.value.message
    assert second.api_token not in str(caught.value)


# Creating a leg addresses the account, not a sid: its 404 is scripted below.
ADDRESSED = [e for e in ENDPOINTS if e[0] != "create_leg"]


@pytest.mark.parametrize(
    ("method", "args", "options", "not_found"), ADDRESSED, ids=[e[0] for e in ADDRESSED]
)
def test_404_names_what_was_not_found(
    kind: Kind,
    server: Any,
    method: str,
    args: tuple[Any, ...],
    options: dict[str, Any],
    not_found: type[NotFoundError],
) -> None:
    if method == "send" and isinstance(server, FakeLegsAPI):
        server.add_leg("SOME-OTHER-LEG")  # the fake accepts any leg until one is added
    with pytest.raises(not_found) as caught:
        call(kind, server, method, *args, **options)
    assert caught.value.status_code == 404
    assert isinstance(caught.value, NotFoundError)


def test_404_on_create_leg_is_a_plain_not_found(kind: Kind) -> None:
    with ExotelServer() as second:
        second.answer_next(404)
        with pytest.raises(NotFoundError) as caught:
            new_leg(kind, second)
    assert type(caught.value) is NotFoundError


def test_an_entry_that_is_not_an_event_is_an_api_error(kind: Kind) -> None:
    with ExotelServer() as second:
        second.add_leg("LEG1")
        second.legs["LEG1"]["events"] = [{"event_name": "leg_answered"}]  # no event_sid
        with pytest.raises(ApiError, match="unexpected answer") as caught:
            call(kind, second, "leg_events", "LEG1")
    assert "event_sid" in str(caught.value)


def test_a_2xx_that_names_nothing_is_an_api_error(kind: Kind) -> None:
    with ExotelServer() as second:
        second.answer_next(202, b'{"request_id": "r-odd", "response": {"data": {}}}')
        with pytest.raises(ApiError, match=r"no response\.data\.leg_sid") as caught:
            new_leg(kind, second)
        assert caught.value.request_id == "r-odd"
        second.answer_next(200, b"<html>maintenance</html>")
        with pytest.raises(ApiError, match=r"no response\.data object"):
            call(kind, second, "leg_events", "LEG1")


# -- retries ---------------------------------------------------------------------------------


def test_reads_are_retried_after_a_5xx_creates_are_not(kind: Kind) -> None:
    with ExotelServer() as second:
        second.add_leg("LEG1")
        second.answer_next(503, times=2)
        leg = call(kind, second, "get_leg", "LEG1", client_options={"max_retries": 2})
        assert leg.leg_sid == "LEG1"
        assert [s.status for s in second.seen] == [503, 503, 200]
        second.seen.clear()
        second.answer_next(500)
        with pytest.raises(ServerError):
            new_leg(kind, second)  # a second attempt could place a second call
        assert [s.status for s in second.seen] == [500]


def test_stopping_a_bridge_is_retried_acting_on_it_is_not(kind: Kind) -> None:
    with ExotelServer() as second:
        second.add_leg("L1")
        second.add_leg("L2")
        bridge = call(kind, second, "create_bridge", ["L1", "L2"], ENDPOINT).bridge_sid
        second.seen.clear()
        second.answer_next(502)
        assert call(kind, second, "stop_bridge", bridge).bridge_sid == bridge
        assert [(s.method, s.status) for s in second.seen] == [("PUT", 502), ("PUT", 202)]
        second.seen.clear()
        second.answer_next(500)
        with pytest.raises(ServerError):
            call(kind, second, "send_to_bridge", bridge, PLAY)  # it may have played
        assert [s.status for s in second.seen] == [500]


def test_429_is_retried_on_every_endpoint(kind: Kind) -> None:
    with ExotelServer() as second:
        second.answer_next(429, headers={"Retry-After": "0"})
        leg = new_leg(kind, second)
        second.answer_next(429, headers={"Retry-After": "0"}, times=2)
        other = new_leg(kind, second)
        bridge = call(kind, second, "create_bridge", [leg.leg_sid, other.leg_sid], ENDPOINT)
        assert bridge.leg_sids == (leg.leg_sid, other.leg_sid)
        assert [s.status for s in second.seen] == [429, 202, 429, 429, 202, 202]


def test_an_unreachable_server_is_a_transport_error(kind: Kind, closed_port: int) -> None:
    api = ExotelServer()
    api._port = closed_port
    with pytest.raises(TransportError, match="nothing was sent"):
        call(kind, api, "get_bridge", "BR1", client_options={"max_retries": 0})


# -- arguments are checked at the call ---------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "options", "error", "message"),
    [
        (("", "0804", ENDPOINT), {}, ValueError, "contact_uri must not be empty"),
        (("98 76", "08047112233", ENDPOINT), {}, ValueError, "contact_uri must be a phone"),
        (("sip:alice@example.com", "call me", ENDPOINT), {}, ValueError, "exophone"),
        ((919876543210, "08047112233", ENDPOINT), {}, TypeError, "contact_uri must be a str"),
        (("+919876543210", "0804", "ftp://x"), {}, ValueError, "leg_event_endpoint must be"),
        (("+919876543210", "0804", "http://example.com/e"), {}, ValueError, "loopback"),
        (("+919876543210", "0804", ENDPOINT), {"network_type": "gsm"}, ValueError, "'pstn'"),
        (("+919876543210", "0804", ENDPOINT), {"priority": "urgent"}, ValueError, "'high'"),
        (("+919876543210", "0804", ENDPOINT), {"time_limit": 0}, ValueError, "at least 1"),
        (("+919876543210", "0804", ENDPOINT), {"timeout": 2.5}, TypeError, "whole number"),
        (("+919876543210", "0804", ENDPOINT), {"ring_timeout": True}, TypeError, "whole"),
        (("+919876543210", "0804", ENDPOINT), {"amd_enable": "yes"}, TypeError, "True or False"),
        (("+919876543210", "0804", ENDPOINT), {"custom_param": ""}, ValueError, "custom_param"),
        (
            ("+919876543210", "0804", ENDPOINT),
            {"reference_leg_sid": " L1"},
            ValueError,
            "spaces",
        ),
    ],
)
def test_create_leg_checks_its_arguments(
    args: tuple[Any, ...], options: dict[str, Any], error: type[Exception], message: str
) -> None:
    with FakeLegsAPI() as api, LegsClient(**credentials(api), base_url=api.url) as client:
        with pytest.raises(error, match=message):
            client.create_leg(*args, **options)
        assert api.requests == []


def test_other_arguments_are_checked_at_the_call() -> None:
    with FakeLegsAPI() as api, LegsClient(**credentials(api), base_url=api.url) as client:
        with pytest.raises(ValueError, match="unknown leg status field 'volume'"):
            client.get_leg("L1", fields=["volume"])  # type: ignore[list-item]
        with pytest.raises(TypeError, match="not a str"):
            client.get_leg("L1", fields="play_status")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="at least two legs"):
            client.create_bridge(["L1"], ENDPOINT)
        with pytest.raises(ValueError, match="lists a leg twice"):
            client.create_bridge(["L1", "L1"], ENDPOINT)
        with pytest.raises(TypeError, match="not a str"):
            client.create_bridge("L1", ENDPOINT)
        with pytest.raises(TypeError, match="True or False"):
            client.create_bridge(["L1", "L2"], ENDPOINT, absorb_dtmf=1)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="bridge_sid must not be empty"):
            client.stop_bridge("")
        with pytest.raises(ValueError, match="event_name must not be empty"):
            client.leg_events("L1", event_name="")
        with pytest.raises(ExomlError, match="nothing sent") as caught:
            client.send_to_bridge("B1", "<Flow><StartPlay>not a url</StartPlay></Flow>")
        assert caught.value.diagnostics
        # A bridge takes fewer verbs than a leg: a leg's Say is refused, even from a Flow.
        with pytest.raises(ExomlError, match="nothing sent"):
            client.send_to_bridge("B1", Flow().say("Hello"))
        with pytest.raises(ExomlError, match="nothing sent"):
            client.send_to_bridge("B1", "<Flow><Gather numDigits='1'/></Flow>")
        assert api.requests == []


def test_endpoint_passwords_stay_out_of_errors() -> None:
    with FakeLegsAPI() as api, LegsClient(**credentials(api), base_url=api.url) as client:
        with pytest.raises(ValueError, match="loopback") as caught:
            client.create_leg("+919876543210", "0804", "http://user:s3cret@example.com/e")
        assert "s3cret" not in str(caught.value)
        assert "***" in str(caught.value)


def test_sids_cannot_change_the_path(kind: Kind) -> None:
    with ExotelServer() as second:
        with pytest.raises(BridgeNotFoundError):
            call(kind, second, "get_bridge", "../legs/LEG1")
        with pytest.raises(LegNotFoundError):
            call(kind, second, "get_leg", "..")
        assert [s.path.rsplit("/", 1)[-1] for s in second.seen] == ["..%2Flegs%2FLEG1", "%2E%2E"]


def test_the_token_never_reaches_the_logs(kind: Kind, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with ExotelServer() as second:
        second.answer_next(429, headers={"Retry-After": "0"})
        second.add_leg("LEG1")
        call(kind, second, "get_leg", "LEG1")
        second.answer_next(401)
        with pytest.raises(AuthenticationError):
            call(kind, second, "stop_bridge", "B1")
    assert "retrying" in caplog.text
    assert second.api_token not in caplog.text


def test_timestamps_are_aware_and_unreadable_ones_are_none() -> None:
    leg = Leg.from_answer(
        {
            "response": {
                "data": {
                    "leg_sid": "L1",
                    "start_time": "2026-03-01 10:00:00",
                    "end_time": "soon",
                    "time_limit": "14400",
                    "on_call_duration_ms": True,
                }
            }
        }
    )
    assert leg.start_time == datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
    assert leg.end_time is None
    assert leg.raw["response"]["data"]["end_time"] == "soon"
    assert leg.time_limit == 14400
    assert leg.on_call_duration_ms is None
    assert json.loads(json.dumps(dict(leg.raw["response"]["data"])))["leg_sid"] == "L1"
    with pytest.raises(ValueError, match="names no leg"):
        Leg.from_answer({"response": {"data": []}})
    with pytest.raises(ValueError, match="names no bridge"):
        Bridge.from_answer(None)
