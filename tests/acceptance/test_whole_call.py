"""Issue 12, "The whole call", as a user writes it: every pinned name called as the issue
writes it (keywords included), end to end over real HTTP: the fake plays the call and
delivers its events to an `EventReceiver` under a real uvicorn, behind basic auth."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

import httpx
import pytest

import exoml
from exoml import (
    ActionAccepted,
    AsyncLegsClient,
    Bridge,
    EventError,
    ExomlError,
    Flow,
    InvalidExomlError,
    Leg,
    LegsClient,
    Say,
)
from exoml.events import Event, EventReceiver, MemoryDedup, RedisDedup, parse_event
from exoml.testing import FakeLegsAPI

from ._support import PATIENCE, uvicorn_server, wait_for

Kind = Literal["sync", "async"]

BODY = {
    "event_sid": "EV1",
    "event_type": "leg_action_event",
    "event_name": "gather_success",
    "event_timestamp": "2024-05-01T10:00:00.123Z",
    "action_sid": "AC1",
    "action_custom_parameter": "menu",
    "event_data": {"data": {"digits": "1"}},
    "data": {"leg_sid": "LEG1"},
    "brand_new_field": [1, 2],
}
HEADERS = {"X-Exotel-Event-Sid": "EV1", "X-Exotel-Request-Id": "EV1-2"}


# -- exoml.events.parse_event(body, headers=None) -----------------------------------------


@pytest.mark.parametrize("form", ["bytes", "str", "mapping"])
def test_parse_event_takes_bytes_str_and_a_mapping(form: str) -> None:
    text = json.dumps(BODY)
    body: Any = {"bytes": text.encode(), "str": text, "mapping": BODY}[form]
    event = parse_event(body, headers=HEADERS)
    assert isinstance(event, Event)
    assert event.event_sid == "EV1"
    assert event.event_type == "leg_action_event"
    assert event.event_name == "gather_success"
    assert isinstance(event.event_timestamp, datetime)
    assert event.event_timestamp.utcoffset() is not None  # timezone-aware
    assert event.action_sid == "AC1"
    assert event.action_custom_parameter == "menu"
    assert event.event_data["data"]["digits"] == "1"
    assert event.leg_sid == "LEG1"
    assert event.attempt == 2  # from X-Exotel-Request-Id
    assert list(event.raw["brand_new_field"]) == [1, 2]  # an unknown field is kept
    assert parse_event(body).attempt is None  # headers=None: no attempt known
    with pytest.raises((dataclasses.FrozenInstanceError, AttributeError)):
        event.event_name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        event.event_data["x"] = 1  # type: ignore[index]


def test_unknown_event_names_and_fields_are_kept() -> None:
    event = parse_event({"event_sid": "E9", "event_name": "from_the_future", "new": {"a": 1}})
    assert event.event_name == "from_the_future"
    assert event.raw["new"]["a"] == 1
    assert event.leg_sid is None


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1]", "42", b'{"event_name": "x"}', {"event_sid": "E1"}, b"", b"\xff\xfe"],
)
def test_a_body_that_is_not_an_event_is_an_event_error(body: Any) -> None:
    assert issubclass(EventError, ExomlError)
    assert exoml.EventError is EventError
    with pytest.raises(EventError) as caught:
        parse_event(body)
    assert str(caught.value)  # a message that says what is wrong
    assert "Traceback" not in str(caught.value)


# -- the whole call -----------------------------------------------------------------------


class App:
    """The user's application: handlers that record what they saw."""

    def __init__(self) -> None:
        self.receiver = EventReceiver(username="exotel", password="s3cret", dedup=MemoryDedup())
        self.lock = threading.Lock()
        self.seen: list[Event] = []
        self.routed: list[tuple[str, str | None]] = []

        @self.receiver.on("leg_answered", "gather_success")
        def route(event: Event) -> None:
            with self.lock:
                self.routed.append((event.event_name, event.leg_sid))

        @self.receiver.on_any
        async def everything(event: Event) -> None:
            with self.lock:
                self.seen.append(event)

    def names(self, leg_sid: str | None = None) -> list[str]:
        with self.lock:
            return [e.event_name for e in self.seen if leg_sid is None or e.leg_sid == leg_sid]

    def wait(self, name: str, leg_sid: str | None = None) -> Event:
        def arrived() -> bool:
            return name in self.names(leg_sid)

        wait_for(arrived, f"{name} of {leg_sid}")
        with self.lock:
            return next(e for e in self.seen if e.event_name == name and e.leg_sid in (leg_sid,))


class Client:
    """One interface over LegsClient and AsyncLegsClient (a loop on its own thread)."""

    def __init__(self, kind: Kind, api: FakeLegsAPI) -> None:
        self.kind = kind
        settings: dict[str, Any] = {
            "account_sid": api.account_sid,
            "api_key": api.api_key,
            "api_token": api.api_token,
            "base_url": api.url,
        }
        if kind == "sync":
            self.sync = LegsClient(**settings)
        else:
            self.loop = asyncio.new_event_loop()
            self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
            self.thread.start()

            async def make() -> AsyncLegsClient:
                return AsyncLegsClient(**settings)

            self.aclient = self._run(make())

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(PATIENCE)

    def __getattr__(self, name: str) -> Any:
        if self.kind == "sync":
            return getattr(self.sync, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._run(getattr(self.aclient, name)(*args, **kwargs))

        return call

    def close(self) -> None:
        if self.kind == "sync":
            self.sync.close()
        else:
            self._run(self.aclient.aclose())
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(PATIENCE)
            self.loop.close()


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> Kind:
    value: Kind = request.param
    return value


@pytest.fixture
def call(kind: Kind) -> Iterator[tuple[App, FakeLegsAPI, Client, str]]:
    app = App()
    with (
        uvicorn_server(app.receiver) as url,
        FakeLegsAPI(auto_answer=False, event_auth=("exotel", "s3cret")) as api,
    ):
        client = Client(kind, api)
        try:
            yield app, api, client, url
        finally:
            client.close()


def test_a_whole_call_over_real_http(call: tuple[App, FakeLegsAPI, Client, str]) -> None:
    app, api, client, url = call
    customer = client.create_leg(
        contact_uri="+919876543210",
        exophone="08047112233",
        leg_event_endpoint=url,
        custom_param="customer",
        ring_timeout=30,
    )
    assert isinstance(customer, Leg)
    api.wait_for("leg_ringing", customer.leg_sid)
    api.answer(customer.leg_sid)
    answered = app.wait("leg_answered", customer.leg_sid)
    assert answered.action_custom_parameter == "customer"  # create_leg's custom_param
    fetched = client.get_leg(leg_sid=customer.leg_sid)
    assert isinstance(fetched, Leg)
    assert fetched.leg_sid == customer.leg_sid

    menu = Flow().gather(Say("Press 1 for sales"), num_digits=1)
    accepted = client.send(customer.leg_sid, menu, custom_param="menu")
    assert isinstance(accepted, ActionAccepted)
    api.wait_for("gather_started", customer.leg_sid)
    api.press(customer.leg_sid, "1")
    digits = app.wait("gather_success", customer.leg_sid)
    assert digits.action_custom_parameter == "menu"
    assert digits.attempt == 1
    assert digits.event_timestamp is not None
    assert digits.event_timestamp.utcoffset() is not None
    assert digits.digits == "1"
    delivered = client.leg_events(customer.leg_sid, event_name="gather_success")
    assert [e.event_name for e in delivered] == ["gather_success"]

    agent = client.create_leg(
        contact_uri="+919800000001",
        exophone="08047112233",
        leg_event_endpoint=url,
        custom_param="agent",
    )
    api.wait_for("leg_ringing", agent.leg_sid)
    api.answer(agent.leg_sid)
    app.wait("leg_answered", agent.leg_sid)

    bridge = client.create_bridge(
        leg_sids=[customer.leg_sid, agent.leg_sid],
        bridge_event_endpoint=url,
        absorb_dtmf=True,
    )
    assert isinstance(bridge, Bridge)
    api.wait_for("bridge_created", bridge_sid=bridge.bridge_sid)
    again = client.get_bridge(bridge_sid=bridge.bridge_sid)
    assert isinstance(again, Bridge)
    assert again.bridge_sid == bridge.bridge_sid
    assert set(again.leg_sids) == {customer.leg_sid, agent.leg_sid}

    play = "<Flow><StartPlay>https://example.com/hold.wav</StartPlay></Flow>"
    sent = client.send_to_bridge(
        bridge_sid=bridge.bridge_sid, exoml=play, custom_param="hold", validate=True
    )
    assert isinstance(sent, ActionAccepted)
    before = len(api.bridge_actions)
    with pytest.raises(ExomlError, match="nothing sent") as refused:
        # checked against the bridge dialect (Gather is a leg action), before sending
        client.send_to_bridge(bridge.bridge_sid, "<Flow><Gather/></Flow>", validate=True)
    assert not isinstance(refused.value, InvalidExomlError)  # not the API's 400
    assert len(api.bridge_actions) == before

    client.stop_bridge(bridge_sid=bridge.bridge_sid)
    api.hang_up(agent.leg_sid)
    api.hang_up(customer.leg_sid)
    app.wait("leg_terminated", customer.leg_sid)
    app.wait("leg_terminated", agent.leg_sid)
    api.wait_delivered(PATIENCE)
    assert app.receiver.drain(PATIENCE)

    # every delivery passed basic auth at the first attempt, every event reached us once
    assert api.deliveries
    assert all(d.status == 200 for d in api.deliveries)
    sids = [e.event_sid for e in app.seen]
    assert len(sids) == len(set(sids)) == len(api.events())
    # one leg's own events (those sent to the leg's endpoint) in the order they happened;
    # its bridge events go to the bridge's endpoint, another queue
    for leg in (customer.leg_sid, agent.leg_sid):
        with app.lock:
            got = [
                e.event_name
                for e in app.seen
                if e.leg_sid == leg and e.event_type != "bridge_lifecycle_event"
            ]
        happened = [
            e["event_name"]
            for e in api.events(leg)
            if e.get("event_type") != "bridge_lifecycle_event"
        ]
        assert got == happened
        assert got[:3] == ["leg_connecting", "leg_ringing", "leg_answered"]
        assert got[-1] == "leg_terminated"
    bridge_events = api.event_names(bridge_sid=bridge.bridge_sid)
    assert bridge_events[0] == "bridge_created"
    assert bridge_events[-1] in ("bridge_terminal", "bridge_terminated")
    assert ("gather_success", customer.leg_sid) in app.routed
    assert ("leg_answered", agent.leg_sid) in app.routed
    assert {n for n, _ in app.routed} == {"leg_answered", "gather_success"}


def test_a_wrong_password_is_401_and_the_fake_does_not_retry() -> None:
    app = App()
    with (
        uvicorn_server(app.receiver) as url,
        FakeLegsAPI(event_auth=("exotel", "wrong")) as api,
        LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as client,
    ):
        leg = client.create_leg("+919876543210", "08047112233", url)
        api.wait_for("leg_answered", leg.leg_sid)
        api.wait_delivered(PATIENCE)
    assert api.deliveries
    assert {d.status for d in api.deliveries} == {401}
    assert all(d.attempt == 1 for d in api.deliveries)  # a 4xx other than 408/429: no retry
    assert app.seen == []


def test_the_receiver_statuses_under_uvicorn() -> None:
    receiver = EventReceiver(username="exotel", password="s3cret", max_body_size=2048)
    good = json.dumps(BODY).encode()
    with uvicorn_server(receiver) as url, httpx.Client(timeout=PATIENCE) as http:
        assert http.post(url, content=good).status_code == 401
        assert http.post(url, content=good, auth=("exotel", "S3cret")).status_code == 401
        assert http.post(url, content=good, auth=("exotel", "s3cret")).status_code == 200
        big = json.dumps({**BODY, "pad": "x" * 4096}).encode()
        assert http.post(url, content=big, auth=("exotel", "s3cret")).status_code == 413
        assert http.post(url, content=b"{}", auth=("exotel", "s3cret")).status_code == 400
        assert http.get(url, auth=("exotel", "s3cret")).status_code == 405
    assert receiver.close(PATIENCE)


def test_the_wsgi_face_is_the_same_receiver() -> None:
    from tests.events._servers import wsgi_server

    receiver = EventReceiver()
    seen: list[str] = []
    receiver.on("gather_success")(lambda e: seen.append(e.event_sid))
    assert callable(receiver.wsgi)
    with wsgi_server(receiver.wsgi) as url, httpx.Client(timeout=PATIENCE) as http:
        body = json.dumps(BODY).encode()
        assert http.post(url, content=body, headers=HEADERS).status_code == 200
        assert http.post(url, content=body, headers=HEADERS).status_code == 200  # a retry
        assert http.post(url, content=b"nope").status_code == 400
        assert http.put(url, content=body).status_code == 405
        assert receiver.drain(PATIENCE)
    assert seen == ["EV1"]
    receiver.close(PATIENCE)


def test_two_receivers_sharing_redis_handle_a_duplicate_once(redis_url: str) -> None:
    seen: list[str] = []
    receivers = [
        EventReceiver(dedup=RedisDedup.from_url(redis_url, prefix="acceptance:")) for _ in "ab"
    ]
    for receiver in receivers:
        receiver.on_any(lambda e: seen.append(e.event_sid))
    body = json.dumps({**BODY, "event_sid": "EV-REDIS"}).encode()
    with (
        uvicorn_server(receivers[0]) as first,
        uvicorn_server(receivers[1]) as second,
        httpx.Client(timeout=PATIENCE) as http,
    ):
        assert http.post(first, content=body).status_code == 200
        assert http.post(second, content=body).status_code == 200
        for receiver in receivers:
            assert receiver.drain(PATIENCE)
    assert seen == ["EV-REDIS"]
    for receiver in receivers:
        receiver.close(PATIENCE)
