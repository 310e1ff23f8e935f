"""EventReceiver's arguments, registration and lifecycle, without a server."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import pytest

from exoml.events import Event, EventReceiver, MemoryDedup, WSGIEventReceiver

from ._servers import PATIENCE, event_body


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "u"}, "both username and password"),
        ({"password": "p"}, "both username and password"),
        ({"username": "a:b", "password": "p"}, "cannot contain ':'"),
        ({"max_body_size": 0}, "max_body_size"),
        ({"max_pending": -1}, "max_pending"),
        ({"handler_threads": True}, "handler_threads"),
        ({"realm": 'say "hi"'}, "realm"),
    ],
)
def test_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EventReceiver(**kwargs)


def test_registration() -> None:
    receiver = EventReceiver()
    with pytest.raises(ValueError, match="at least one event name"):
        receiver.on()
    with pytest.raises(ValueError, match="non-empty string"):
        receiver.on("")
    with pytest.raises(TypeError, match="must be callable"):
        receiver.on_any(42)  # type: ignore[call-overload]
    with pytest.warns(UserWarning, match="did you mean 'gather_success'"):
        receiver.on("gather_sucess")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        receiver.on("gather_success", "bridge_terminal", "bridge_terminated")

    @receiver.on_any()
    def with_parentheses(event: Event) -> None: ...

    assert "handlers=1" in repr(receiver)
    assert isinstance(receiver.wsgi, WSGIEventReceiver)
    assert receiver.wsgi.receiver is receiver
    assert isinstance(receiver.dedup, MemoryDedup)


async def _asgi(app: Any, scope: dict[str, Any], messages: list[dict[str, Any]]) -> list[Any]:
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def test_lifespan_and_websocket() -> None:
    receiver = EventReceiver()
    lifespan = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent = asyncio.run(_asgi(receiver, {"type": "lifespan"}, lifespan))
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert receiver.closed
    again = asyncio.run(_asgi(receiver, {"type": "lifespan"}, [{"type": "lifespan.startup"}]))
    assert again[0]["type"] == "lifespan.startup.failed"
    ws = asyncio.run(_asgi(EventReceiver(), {"type": "websocket"}, []))
    assert ws == [{"type": "websocket.close", "code": 1008}]


def test_a_client_that_goes_away_is_counted() -> None:
    receiver = EventReceiver()
    scope: dict[str, Any] = {"type": "http", "method": "POST", "headers": [], "client": None}
    sent = asyncio.run(_asgi(receiver, scope, [{"type": "http.disconnect"}]))
    assert sent == []
    assert receiver.stats.received == 1
    assert receiver.stats.accepted == 0


def test_drain_on_the_loop_is_refused() -> None:
    receiver = EventReceiver()
    scope: dict[str, Any] = {"type": "http", "method": "POST", "headers": [], "client": None}

    async def main() -> None:
        body = [{"type": "http.request", "body": event_body("E1")}]
        await _asgi(receiver, scope, body)
        with pytest.raises(RuntimeError, match="adrain"):
            receiver.drain()
        assert await receiver.adrain(PATIENCE)

    asyncio.run(main())


def test_streamed_body_over_the_cap_in_its_first_chunk() -> None:
    receiver = EventReceiver(max_body_size=10)
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "headers": [],
        "client": ("127.0.0.1", 9),
    }
    chunks = [
        {"type": "http.request", "body": b"x" * 20, "more_body": True},
        {"type": "http.request", "body": b"", "more_body": False},
    ]
    sent = asyncio.run(_asgi(receiver, scope, chunks))
    assert sent[0]["status"] == 413
    assert receiver.stats.too_large == 1


def test_stats_add_up() -> None:
    receiver = EventReceiver()
    scope: dict[str, Any] = {"type": "http", "method": "POST", "headers": [], "client": None}

    async def main() -> None:
        for body in (event_body("E1"), event_body("E1"), b"nope"):
            await _asgi(receiver, scope, [{"type": "http.request", "body": body}])
        await _asgi(receiver, {**scope, "method": "GET"}, [])

    asyncio.run(main())
    stats = receiver.stats
    assert (stats.received, stats.accepted, stats.duplicates) == (4, 1, 1)
    assert (stats.invalid, stats.not_allowed, stats.handled, stats.pending) == (1, 1, 1, 0)


def test_shutdown_gives_up_after_its_timeout(caplog: pytest.LogCaptureFixture) -> None:
    receiver = EventReceiver(shutdown_timeout=0)
    scope: dict[str, Any] = {"type": "http", "method": "POST", "headers": [], "client": None}

    async def main() -> None:
        gate = asyncio.Event()

        @receiver.on_any
        async def stuck(event: Event) -> None:
            await gate.wait()

        body = [{"type": "http.request", "body": event_body("E1")}]
        request = asyncio.create_task(_asgi(receiver, scope, body))
        while receiver.stats.accepted == 0:
            await asyncio.sleep(0)
        sent = await _asgi(receiver, {"type": "lifespan"}, [{"type": "lifespan.shutdown"}])
        assert sent == [{"type": "lifespan.shutdown.complete"}]
        gate.set()
        answer = await request
        assert answer[0]["status"] == 200

    asyncio.run(main())
    assert "closed with 1 events still being handled" in caplog.text
    with pytest.raises(ValueError, match="shutdown_timeout"):
        EventReceiver(shutdown_timeout=-1)


def _content_length_status(receiver: EventReceiver, length: bytes, sid: str) -> int:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "headers": [(b"content-length", length)],
        "client": None,
    }
    body = [{"type": "http.request", "body": event_body(sid)}]
    sent = asyncio.run(_asgi(receiver, scope, body))
    status: int = sent[0]["status"]
    return status


@pytest.mark.parametrize(
    ("length", "status"),
    [
        (b"0", 200),
        (b"999", 200),
        (b"1000", 200),  # as many digits as the limit: read as a number
        (b"1001", 413),
        (b"9999", 413),
        (b"0001000", 200),  # leading zeros
        (b"0001001", 413),
        (b"0" * 18 + b"1", 413),  # too long to read
        (b" 999 ", 200),
        (b"", 400),
        (b"12a", 400),
        (b"-1", 400),
        (b"\xd9\xa1", 400),  # a digit, but not an ASCII one
    ],
)
def test_content_length_against_the_limit(length: bytes, status: int) -> None:
    receiver = EventReceiver(max_body_size=1000)
    assert _content_length_status(receiver, length, "E1") == status


def test_content_length_follows_a_new_limit() -> None:
    receiver = EventReceiver(max_body_size=1000)
    assert _content_length_status(receiver, b"5000", "E1") == 413
    receiver.max_body_size = 10_000
    assert receiver.max_body_size == 10_000
    assert _content_length_status(receiver, b"5000", "E2") == 200
    assert _content_length_status(receiver, b"10001", "E3") == 413
    receiver.max_body_size = 10
    assert _content_length_status(receiver, b"5", "E4") == 413  # the body is larger
    assert _content_length_status(receiver, b"50", "E5") == 413
    assert receiver.stats.too_large == 4
