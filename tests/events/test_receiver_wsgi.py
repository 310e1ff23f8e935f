"""EventReceiver.wsgi under a real WSGI server (wsgiref, a thread per request)."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from exoml.events import Event, EventReceiver

from ._servers import PATIENCE, event_body, exotel_headers, wait_for, wsgi_server


def post(client: httpx.Client, url: str, sid: str, attempt: int = 1, **kw: Any) -> httpx.Response:
    return client.post(url, content=event_body(sid, **kw), headers=exotel_headers(sid, attempt))


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=PATIENCE) as c:
        yield c


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_acknowledged_before_the_handler_finishes(kind: str, client: httpx.Client) -> None:
    receiver = EventReceiver()
    answered = threading.Event()
    seen: list[Event] = []
    if kind == "sync":

        @receiver.on("play_completed")
        def handler(event: Event) -> None:
            seen.append(event)
            assert answered.wait(PATIENCE)

    else:

        @receiver.on("play_completed")
        async def async_handler(event: Event) -> None:
            seen.append(event)
            assert await asyncio.to_thread(answered.wait, PATIENCE)

    with wsgi_server(receiver.wsgi) as url:
        assert post(client, url, "E1").status_code == 200
        assert receiver.stats.handled == 0
        answered.set()
        assert receiver.drain(PATIENCE)
    assert [e.event_sid for e in seen] == ["E1"]
    assert receiver.close(PATIENCE)


def test_the_event_is_queued_when_the_server_closes_the_response() -> None:
    receiver = EventReceiver()
    seen: list[str] = []
    receiver.on_any(lambda e: seen.append(e.event_sid))
    started: list[str] = []
    body = event_body("E1")
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    result = receiver.wsgi(environ, lambda status, headers: started.append(status))
    assert started == ["200 OK"]
    # Nothing is handed over before the server is done with the response.
    assert receiver.stats.pending == 1
    assert seen == []
    result.close()  # type: ignore[attr-defined]
    assert receiver.drain(PATIENCE)
    assert seen == ["E1"]
    assert b"".join(result) == b""  # a closed response hands nothing over twice
    assert receiver.drain(PATIENCE)
    assert seen == ["E1"]
    receiver.close()


def test_one_leg_in_order_and_legs_at_once(client: httpx.Client) -> None:
    receiver = EventReceiver(handler_threads=2)
    gate = threading.Event()
    leg_b = threading.Event()
    order: list[str] = []

    @receiver.on_any
    def route(event: Event) -> None:
        if event.leg_sid == "B":
            leg_b.set()
            return
        order.append(event.event_sid)
        if event.event_sid == "A0":
            assert gate.wait(PATIENCE)

    with wsgi_server(receiver.wsgi) as url:
        assert post(client, url, "A0", leg="A").status_code == 200
        wait_for(lambda: order == ["A0"], "leg A's first handler to start")
        for i in range(1, 20):
            assert post(client, url, f"A{i}", leg="A").status_code == 200
        assert post(client, url, "B0", leg="B").status_code == 200
        assert leg_b.wait(PATIENCE)
        assert order == ["A0"]
        gate.set()
        assert receiver.drain(PATIENCE)
    assert order == [f"A{i}" for i in range(20)]
    receiver.close()


def test_retries_reach_handlers_once(client: httpx.Client) -> None:
    receiver = EventReceiver()
    seen: list[tuple[str, int | None]] = []
    receiver.on_any(lambda e: seen.append((e.event_sid, e.attempt)))
    with wsgi_server(receiver.wsgi) as url:
        for attempt in (1, 2, 3):
            assert post(client, url, "E1", attempt).status_code == 200
        assert receiver.drain(PATIENCE)
    assert seen == [("E1", 1)]
    assert receiver.stats.duplicates == 2
    receiver.close()


def test_refusals(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    receiver = EventReceiver(username="exotel", password="t0p-secret", max_body_size=512)
    seen: list[str] = []
    receiver.on_any(lambda e: seen.append(e.event_sid))
    caplog.set_level(logging.DEBUG)
    good = {"Authorization": "Basic " + base64.b64encode(b"exotel:t0p-secret").decode()}
    wrong = {"Authorization": "Basic " + base64.b64encode(b"exotel:t0p-secreT").decode()}
    with wsgi_server(receiver.wsgi) as url:
        unauth = client.post(url, content=event_body("E1"))
        bad_password = client.post(url, content=event_body("E1"), headers=wrong)
        too_big = client.post(url, content=event_body("E1", pad="x" * 600), headers=good)
        not_event = client.post(url, content=b'{"event_sid": 5}', headers=good)
        get = client.get(url, headers=good)
        ok = client.post(url, content=event_body("E1"), headers=good)
        assert receiver.drain(PATIENCE)
    assert unauth.status_code == 401
    assert "Basic" in unauth.headers["www-authenticate"]
    assert bad_password.status_code == 401
    assert too_big.status_code == 413
    assert not_event.status_code == 400
    assert "event_sid is a JSON number" in not_event.text
    assert get.status_code == 405
    assert get.headers["allow"] == "POST"
    assert ok.status_code == 200
    assert seen == ["E1"]
    assert "t0p-secret" not in caplog.text
    assert good["Authorization"].split()[1] not in caplog.text
    assert wrong["Authorization"].split()[1] not in caplog.text
    receiver.close()


def test_a_chunked_body_without_length_is_refused_by_wsgiref(client: httpx.Client) -> None:
    receiver = EventReceiver()

    def chunks() -> Iterator[bytes]:
        yield event_body("E1")

    with wsgi_server(receiver.wsgi) as url:
        response = client.post(url, content=chunks())
    assert response.status_code == 411  # wsgiref cannot read a chunked body
    receiver.close()


def test_a_body_of_unknown_length_when_the_server_says_it_ends() -> None:
    receiver = EventReceiver(max_body_size=100)
    seen: list[str] = []
    receiver.on_any(lambda e: seen.append(e.event_sid))
    statuses: list[str] = []

    def call(body: bytes) -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,
        }
        result = receiver.wsgi(environ, lambda status, headers: statuses.append(status))
        list(result)

    call(b'{"event_sid": "E1", "event_name": "x"}')
    call(b'{"event_sid": "E2", "event_name": "x", "pad": "' + b"x" * 100 + b'"}')
    assert receiver.close(PATIENCE)
    assert statuses == ["200 OK", "413 Content Too Large"]
    assert seen == ["E1"]


def test_a_failing_handler_under_wsgi(
    client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = EventReceiver()

    @receiver.on_any
    async def broken(event: Event) -> None:
        raise ValueError("bad state")

    with wsgi_server(receiver.wsgi) as url:
        assert post(client, url, "E1").status_code == 200
        assert receiver.drain(PATIENCE)
    receiver.close()
    (record,) = [r for r in caplog.records if r.name == "exoml.events"]
    assert "E1" in record.getMessage()
    assert record.exc_info is not None


def test_mounted_in_flask(client: httpx.Client) -> None:
    import flask
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    receiver = EventReceiver()
    seen: list[str] = []
    receiver.on_any(lambda e: seen.append(e.event_sid))
    app = flask.Flask("events-test")

    @app.get("/health")
    def health() -> str:
        return "ok"

    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/exotel/events": receiver.wsgi})  # type: ignore[method-assign]
    with wsgi_server(app) as url:
        assert client.get(url + "health").text == "ok"
        assert post(client, url + "exotel/events", "E1").status_code == 200
        assert receiver.drain(PATIENCE)
    assert seen == ["E1"]
    receiver.close()
