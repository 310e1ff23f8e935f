"""EventReceiver as an ASGI app under a real uvicorn server, with httpx as Exotel."""

from __future__ import annotations

import asyncio
import base64
import logging
import threading
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest

from exoml.events import Event, EventReceiver, MemoryDedup, RedisDedup

from ._servers import PATIENCE, event_body, exotel_headers, uvicorn_server, wait_for

Kind = Literal["sync", "async"]


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> Kind:
    value: Kind = request.param
    return value


def gated(kind: Kind, gate: threading.Event, record: Any) -> Any:
    """A handler of the given kind that records the event, then waits for ``gate``."""
    if kind == "sync":

        def handler(event: Event) -> None:
            record(event)
            assert gate.wait(PATIENCE)

        return handler

    async def async_handler(event: Event) -> None:
        record(event)
        assert await asyncio.to_thread(gate.wait, PATIENCE)

    return async_handler


def post(client: httpx.Client, url: str, sid: str, attempt: int = 1, **kw: Any) -> httpx.Response:
    return client.post(url, content=event_body(sid, **kw), headers=exotel_headers(sid, attempt))


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=PATIENCE) as c:
        yield c


def test_acknowledged_before_the_handler_finishes(kind: Kind, client: httpx.Client) -> None:
    """The handler waits for the client to have its 200: a receiver that ran handlers
    before answering would never answer."""
    receiver = EventReceiver()
    answered = threading.Event()
    seen: list[Event] = []
    receiver.on("play_completed")(gated(kind, answered, seen.append))
    with uvicorn_server(receiver) as url:
        response = post(client, url, "E1")
        assert response.status_code == 200
        assert receiver.stats.handled == 0
        answered.set()
        assert receiver.drain(PATIENCE)
    assert [e.event_sid for e in seen] == ["E1"]
    assert seen[0].attempt == 1
    stats = receiver.stats
    assert (stats.accepted, stats.handled, stats.failed, stats.pending) == (1, 1, 0, 0)


def test_the_response_is_sent_before_any_handler_runs() -> None:
    """At the ASGI level: the order of the response messages and the handler call."""
    asyncio.run(_response_then_handlers())


async def _response_then_handlers() -> None:
    receiver = EventReceiver()
    order: list[str] = []

    @receiver.on_any
    async def handler(event: Event) -> None:
        order.append("handler")

    @receiver.on_any
    def sync_handler(event: Event) -> None:
        order.append("sync handler")

    messages = [{"type": "http.request", "body": event_body("E1"), "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: Any) -> None:
        order.append(message["type"])

    scope = {"type": "http", "method": "POST", "headers": [], "client": ("127.0.0.1", 1)}
    await receiver(scope, receive, send)
    await receiver.aclose(PATIENCE)
    assert order == ["http.response.start", "http.response.body", "handler", "sync handler"]


def test_one_leg_in_order_and_legs_at_once(kind: Kind, client: httpx.Client) -> None:
    receiver = EventReceiver()
    gate = threading.Event()
    leg_b_done = threading.Event()
    order: list[str] = []

    def record(event: Event) -> None:
        order.append(event.event_sid)

    first = gated(kind, gate, record)

    @receiver.on_any
    async def route(event: Event) -> None:
        if event.leg_sid == "B":
            leg_b_done.set()
        elif event.event_sid == "A0":
            await first(event) if kind == "async" else await asyncio.to_thread(first, event)
        else:
            record(event)

    with uvicorn_server(receiver) as url:
        assert post(client, url, "A0", leg="A").status_code == 200
        wait_for(lambda: order == ["A0"], "the first handler of leg A to start")
        for i in range(1, 20):
            assert post(client, url, f"A{i}", leg="A").status_code == 200
        # Leg A's handler is still blocked: leg B's event is handled all the same.
        assert post(client, url, "B0", leg="B").status_code == 200
        assert leg_b_done.wait(PATIENCE)
        assert order == ["A0"]
        gate.set()
        assert receiver.drain(PATIENCE)
    assert order == [f"A{i}" for i in range(20)]


def test_sync_handlers_of_two_legs_run_at_once(client: httpx.Client) -> None:
    receiver = EventReceiver(handler_threads=2)
    both = threading.Barrier(2, timeout=PATIENCE)

    @receiver.on("play_completed")
    def meet(event: Event) -> None:
        both.wait()  # returns only when the other leg's handler is running too

    with uvicorn_server(receiver) as url:
        assert post(client, url, "E1", leg="L1").status_code == 200
        assert post(client, url, "E2", leg="L2").status_code == 200
        assert receiver.drain(PATIENCE)
    assert receiver.stats.failed == 0


def test_retries_reach_handlers_once(client: httpx.Client) -> None:
    receiver = EventReceiver()
    seen: list[tuple[str, int | None]] = []
    receiver.on_any(lambda event: seen.append((event.event_sid, event.attempt)))
    with uvicorn_server(receiver) as url:
        for attempt in (1, 2, 3):
            assert post(client, url, "E1", attempt).status_code == 200
        assert post(client, url, "E2", 2).status_code == 200  # first seen at attempt 2
        assert receiver.drain(PATIENCE)
    assert seen == [("E1", 1), ("E2", 2)]
    assert receiver.stats.duplicates == 2


def test_sync_and_async_handlers_and_names(client: httpx.Client) -> None:
    receiver = EventReceiver()
    calls: list[str] = []

    @receiver.on("gather_success", "play_completed")
    def sync_one(event: Event) -> None:
        calls.append(f"sync:{event.event_name}:{event.digits}")

    @receiver.on("gather_success")
    async def async_one(event: Event) -> None:
        calls.append(f"async:{event.event_name}:{event.digits}")

    @receiver.on_any
    def every(event: Event) -> None:
        calls.append(f"any:{event.event_name}")

    with uvicorn_server(receiver) as url:
        post(client, url, "E1", name="gather_success", event_data={"data": {"digits": "1"}})
        post(client, url, "E2", name="play_completed")
        post(client, url, "E3", name="leg_terminated")
        assert receiver.drain(PATIENCE)
    assert calls == [
        "sync:gather_success:1",
        "async:gather_success:1",
        "any:gather_success",
        "sync:play_completed:None",
        "any:play_completed",
        "any:leg_terminated",
    ]


def test_a_failing_handler_is_logged_and_not_retried(
    kind: Kind, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = EventReceiver()
    after: list[str] = []

    if kind == "sync":

        @receiver.on("play_completed")
        def broken(event: Event) -> None:
            raise RuntimeError("the database is down")

    else:

        @receiver.on("play_completed")
        async def broken_async(event: Event) -> None:
            raise RuntimeError("the database is down")

    receiver.on_any(lambda event: after.append(event.event_sid))
    caplog.set_level(logging.ERROR, logger="exoml.events")
    with uvicorn_server(receiver) as url:
        assert post(client, url, "E_FAIL").status_code == 200
        assert post(client, url, "E_NEXT", name="leg_terminated").status_code == 200
        assert receiver.drain(PATIENCE)
        assert post(client, url, "E_FAIL", 2).status_code == 200  # a retry: still once
        assert receiver.drain(PATIENCE)
    assert after == ["E_FAIL", "E_NEXT"]  # the other handler and the next event still ran
    (record,) = [r for r in caplog.records if r.name == "exoml.events"]
    assert "E_FAIL" in record.getMessage()
    assert "broken" in record.getMessage()
    assert record.exc_info is not None
    assert "database is down" in str(record.exc_info[1])
    assert record.event_sid == "E_FAIL"  # type: ignore[attr-defined]
    assert receiver.stats.failed == 1


AUTH = ("exotel", "pa55:word-ü")


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        (_basic("exotel", "wrong"), 401),
        (_basic("other", AUTH[1]), 401),
        (_basic("exotel", AUTH[1] + "x"), 401),
        ("Bearer " + base64.b64encode(AUTH[1].encode()).decode(), 401),
        ("Basic !!!notbase64", 401),
        ("Basic " + base64.b64encode(b"no-colon").decode(), 401),
        (_basic(*AUTH), 200),
        (_basic(*AUTH).replace("Basic", "basic"), 200),
    ],
)
def test_basic_auth(
    authorization: str | None, status: int, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = EventReceiver(username=AUTH[0], password=AUTH[1])
    seen: list[str] = []
    receiver.on_any(lambda event: seen.append(event.event_sid))
    caplog.set_level(logging.DEBUG)
    headers = exotel_headers("E1")
    if authorization is not None:
        headers["Authorization"] = authorization
    with uvicorn_server(receiver) as url:
        response = client.post(url, content=event_body("E1"), headers=headers)
        assert receiver.drain(PATIENCE)
    assert response.status_code == status
    if status == 401:
        assert response.headers["www-authenticate"].startswith('Basic realm="exoml events"')
        assert seen == []
        assert receiver.stats.unauthorized == 1
    else:
        assert seen == ["E1"]
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert AUTH[1] not in logged
    assert "pa55" not in logged
    assert base64.b64encode(f"exotel:{AUTH[1]}".encode()).decode() not in logged
    if authorization:
        assert authorization.split(" ", 1)[1] not in logged
    assert AUTH[1] not in repr(receiver)


def test_httpx_auth_against_the_receiver(client: httpx.Client) -> None:
    receiver = EventReceiver(username="u", password="p")
    with uvicorn_server(receiver) as url:
        ok = client.post(url, content=event_body("E1"), auth=("u", "p"))
        bad = client.post(url, content=event_body("E2"), auth=("u", "P"))
    assert (ok.status_code, bad.status_code) == (200, 401)


def test_body_size_cap(client: httpx.Client) -> None:
    receiver = EventReceiver(max_body_size=1024)
    seen: list[str] = []
    receiver.on_any(lambda event: seen.append(event.event_sid))
    big = event_body("E_BIG", padding="x" * 2000)
    fits = event_body("E_FITS", padding="x" * 700)

    def chunks(body: bytes) -> Iterator[bytes]:
        for i in range(0, len(body), 100):
            yield body[i : i + 100]

    with uvicorn_server(receiver) as url:
        assert client.post(url, content=big).status_code == 413  # by Content-Length
        streamed = client.post(url, content=chunks(big))  # chunked: no Content-Length
        assert streamed.status_code == 413
        assert client.post(url, content=chunks(fits)).status_code == 200
        assert client.post(url, content=fits).status_code == 200
        assert receiver.drain(PATIENCE)
    assert seen == ["E_FITS"]  # the second post of it was a duplicate
    assert receiver.stats.too_large == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "array"),
        (b'{"event_name": "play_completed"}', "no event_sid"),
        (b'{"event_sid": "E1"}', "no event_name"),
        (b"", "not JSON"),
    ],
)
def test_not_an_event_is_400(
    body: bytes, reason: str, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    receiver = EventReceiver()
    seen: list[Event] = []
    receiver.on_any(seen.append)
    with uvicorn_server(receiver) as url:
        response = client.post(url, content=body)
    assert response.status_code == 400
    assert reason in response.text
    assert seen == []
    assert receiver.stats.invalid == 1
    assert any(reason in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
def test_other_methods_are_405(method: str, client: httpx.Client) -> None:
    receiver = EventReceiver()
    with uvicorn_server(receiver) as url:
        response = client.request(method, url)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_closing_answers_503_and_lifespan_closes(client: httpx.Client) -> None:
    receiver = EventReceiver()
    gate = threading.Event()
    seen: list[str] = []
    receiver.on_any(gated("sync", gate, lambda e: seen.append(e.event_sid)))
    with uvicorn_server(receiver) as url:
        assert post(client, url, "E1").status_code == 200
        closer = threading.Thread(target=receiver.close)
        closer.start()
        wait_for(lambda: receiver.closed, "the receiver to start closing")
        refused = post(client, url, "E2")
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert closer.is_alive()  # waiting for the pending handler
        gate.set()
        closer.join(PATIENCE)
    assert seen == ["E1"]
    assert receiver.stats.unavailable == 1


def test_lifespan_shutdown_waits_for_handlers(client: httpx.Client) -> None:
    receiver = EventReceiver()
    done: list[str] = []
    gate = threading.Event()

    @receiver.on_any
    async def slow(event: Event) -> None:
        await asyncio.to_thread(gate.wait, PATIENCE)
        done.append(event.event_sid)

    with uvicorn_server(receiver) as url:
        assert post(client, url, "E1").status_code == 200
        gate.set()
    # Leaving the block stopped uvicorn: its lifespan shutdown closed the receiver.
    assert receiver.closed
    assert done == ["E1"]


def test_too_many_pending_is_503(client: httpx.Client) -> None:
    receiver = EventReceiver(max_pending=2)
    gate = threading.Event()
    receiver.on_any(gated("sync", gate, lambda e: None))
    with uvicorn_server(receiver) as url:
        statuses = [post(client, url, f"E{i}", leg=f"L{i}").status_code for i in range(3)]
        gate.set()
        assert receiver.drain(PATIENCE)
        assert post(client, url, "E2", 2, leg="L2").status_code == 200  # the retry gets in
        assert receiver.drain(PATIENCE)
    assert statuses == [200, 200, 503]
    assert receiver.stats.handled == 3


def test_redis_that_is_down_is_503(client: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    redis = pytest.importorskip("redis")
    from ._servers import listening_socket

    probe = listening_socket()
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    dead = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=2)
    receiver = EventReceiver(dedup=RedisDedup(dead))
    seen: list[Event] = []
    receiver.on_any(seen.append)
    with uvicorn_server(receiver) as url:
        assert post(client, url, "E1").status_code == 503
    assert seen == []
    assert any("dedup store failed on event E1" in r.getMessage() for r in caplog.records)


def test_shared_dedup_between_two_receivers(client: httpx.Client) -> None:
    shared = MemoryDedup()
    first, second = EventReceiver(dedup=shared), EventReceiver(dedup=shared)
    seen: list[str] = []
    first.on_any(lambda e: seen.append("first"))
    second.on_any(lambda e: seen.append("second"))
    with uvicorn_server(first) as url1, uvicorn_server(second) as url2:
        assert post(client, url1, "E1", 1).status_code == 200
        assert post(client, url2, "E1", 2).status_code == 200
        assert first.drain(PATIENCE)
        assert second.drain(PATIENCE)
    assert seen == ["first"]


def test_mounted_in_fastapi(client: httpx.Client) -> None:
    import fastapi

    receiver = EventReceiver()
    seen: list[str] = []
    receiver.on_any(lambda e: seen.append(e.event_sid))
    app = fastapi.FastAPI()
    # The exact path (a mount would redirect it to a trailing slash); Starlette runs any
    # ASGI app given as a route endpoint, though its annotation only names functions.
    app.add_route("/exotel/events", receiver)  # type: ignore[arg-type]
    app.mount("/mounted", receiver)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    with uvicorn_server(app) as url:
        assert client.get(url + "health").json() == {"status": "ok"}
        assert post(client, url + "exotel/events", "E1").status_code == 200
        assert client.get(url + "exotel/events").status_code == 405
        assert post(client, url + "mounted/", "E2").status_code == 200
        assert receiver.drain(PATIENCE)
    assert seen == ["E1", "E2"]
    # A mounted app gets no lifespan events: close it as the guide says (its threads end).
    assert receiver.close(PATIENCE)
