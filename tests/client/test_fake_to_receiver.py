"""The fake's deliveries meet the real receiver: EventReceiver under uvicorn and under a
WSGI server, behind basic auth, with Exotel's retries reaching the handlers once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from exoml import Flow, LegsClient
from exoml.events import Event, EventReceiver
from exoml.testing import FakeLegsAPI

from ..events._servers import uvicorn_server, wsgi_server
from .conftest import credentials

CALLER = "+919876543210"
EXOPHONE = "08047112233"

Serve = Callable[[EventReceiver], AbstractContextManager[str]]


@pytest.fixture(params=["asgi", "wsgi"])
def serve(request: pytest.FixtureRequest) -> Serve:
    if request.param == "asgi":
        return uvicorn_server

    def wsgi(receiver: EventReceiver) -> AbstractContextManager[str]:
        return wsgi_server(receiver.wsgi)

    return wsgi


class Handled:
    """What the handlers saw, per event sid."""

    def __init__(self, receiver: EventReceiver) -> None:
        self.counts: Counter[str] = Counter()
        self.names: list[str] = []
        self._lock = threading.Lock()
        receiver.on_any(self.handle)

    def handle(self, event: Event) -> None:
        with self._lock:
            self.counts[event.event_sid] += 1
            self.names.append(event.event_name)


@pytest.fixture
def receiver() -> Iterator[EventReceiver]:
    receiver = EventReceiver(username="exotel", password="s3cret:with colon")
    yield receiver
    receiver.close(10)


def test_events_reach_the_handlers_behind_basic_auth(serve: Serve, receiver: Any) -> None:
    handled = Handled(receiver)
    with serve(receiver) as url, FakeLegsAPI() as api:
        endpoint = url.replace("http://", "http://exotel:s3cret%3Awith%20colon@")
        with LegsClient(**credentials(api), base_url=api.url) as client:
            leg = client.create_leg(CALLER, EXOPHONE, endpoint + "events").leg_sid
            client.send(leg, Flow().say("Hello").hangup())
        api.wait_for("leg_terminated", leg)
        api.wait_delivered()
        assert receiver.drain(30)
        assert {d.status for d in api.deliveries} == {200}
        sent = api.event_names(leg)
    assert handled.names == sent
    assert set(handled.counts.values()) == {1}


def test_a_wrong_password_is_refused_and_not_retried(serve: Serve, receiver: Any) -> None:
    handled = Handled(receiver)
    with serve(receiver) as url, FakeLegsAPI(event_auth=("exotel", "wrong")) as api:
        with LegsClient(**credentials(api), base_url=api.url) as client:
            client.create_leg(CALLER, EXOPHONE, url + "events")
        api.wait_delivered()
        deliveries = api.deliveries
    assert [(d.status, d.attempt, d.final) for d in deliveries] == [(401, 1, True)] * 3
    assert handled.counts == Counter()
    assert receiver.stats.unauthorized == 3


class LoseFirstAnswers:
    """ASGI middleware: the receiver handles each first attempt, but its 200 is lost (503)."""

    def __init__(self, app: EventReceiver) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope.get("headers") or ())
        first = headers.get(b"x-exotel-request-id", b"").endswith(b"-1")
        if scope["type"] != "http" or not first:
            await self.app(scope, receive, send)
            return

        async def lose(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "status": 503}
            await send(message)

        await self.app(scope, receive, lose)


def test_retries_after_a_lost_answer_are_handled_once(receiver: Any) -> None:
    handled = Handled(receiver)
    with uvicorn_server(LoseFirstAnswers(receiver)) as url, FakeLegsAPI() as api:
        endpoint = url.replace("http://", "http://exotel:s3cret%3Awith%20colon@") + "events"
        with LegsClient(**credentials(api), base_url=api.url) as client:
            leg = client.create_leg(CALLER, EXOPHONE, endpoint).leg_sid
            client.send(leg, Flow().say("Hello"))
        api.wait_delivered()
        assert receiver.drain(30)
        sent = api.event_names(leg)
        deliveries = api.deliveries
    # Every event was delivered twice (the first answer lost), and handled once.
    assert [(d.attempt, d.status) for d in deliveries] == [(1, 503), (2, 200)] * len(sent)
    assert handled.names == sent
    assert set(handled.counts.values()) == {1}
    assert receiver.stats.duplicates == len(sent)
