"""A hostile HTTP client against `EventReceiver` under a real uvicorn on 127.0.0.1, and
hostile JSON against the fake's call endpoints: no hang, no crash, the right statuses."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from exoml import ApiError, LegsClient
from exoml.events import Event, EventReceiver
from exoml.testing import FakeLegsAPI

from ._support import PATIENCE, uvicorn_server


def event(sid: str, leg: str = "LEG1") -> bytes:
    return json.dumps(
        {
            "event_sid": sid,
            "event_type": "leg_action_event",
            "event_name": "play_completed",
            "event_timestamp": "2024-05-01T10:00:00Z",
            "data": {"leg_sid": leg},
        }
    ).encode()


def address(url: str) -> tuple[str, int]:
    parts = httpx.URL(url)
    assert parts.host == "127.0.0.1"
    assert parts.port is not None
    return parts.host, parts.port


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP/1.1 answer."""
    assert answer.startswith(b"HTTP/1.1 "), answer[:80]
    return int(answer.split(b" ", 2)[1])


def read_answer(sock: socket.socket) -> bytes:
    sock.settimeout(PATIENCE)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.fixture
def served() -> Iterator[tuple[EventReceiver, list[Event], str]]:
    receiver = EventReceiver(max_body_size=4096)
    seen: list[Event] = []
    lock = threading.Lock()

    @receiver.on_any
    def record(e: Event) -> None:
        with lock:
            seen.append(e)

    with uvicorn_server(receiver) as url:
        yield receiver, seen, url
    receiver.close(PATIENCE)


def test_a_trickled_body_holds_only_its_own_connection(
    served: tuple[EventReceiver, list[Event], str],
) -> None:
    """Slowloris: a body sent a few bytes at a time does not stop other events, and is
    handled when it is complete. (Bounded: 40 pieces; no timing is asserted.)"""
    receiver, seen, url = served
    body = event("E-SLOW")
    with socket.create_connection(address(url), timeout=PATIENCE) as slow:
        slow.sendall(
            b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        pieces = [body[i : i + 4] for i in range(0, len(body), 4)][:40]
        rest = body[sum(len(p) for p in pieces) :]
        with httpx.Client(timeout=PATIENCE) as http:
            for i, piece in enumerate(pieces):
                slow.sendall(piece)
                if i % 10 == 0:  # meanwhile, others are served
                    assert http.post(url, content=event(f"E-FAST-{i}", leg="L2")).status_code == 200
        slow.sendall(rest)
        assert status_of(read_answer(slow)) == 200
    assert receiver.drain(PATIENCE)
    assert "E-SLOW" in {e.event_sid for e in seen}
    assert len(seen) == 5


def test_a_chunked_body_past_the_cap_is_413_and_not_read_to_the_end(
    served: tuple[EventReceiver, list[Event], str],
) -> None:
    receiver, seen, url = served
    with socket.create_connection(address(url), timeout=PATIENCE) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        answer = b""
        sock.settimeout(PATIENCE)
        # Up to 1 MiB in 1 KiB chunks: the receiver answers once 4 KiB are past.
        for _ in range(1024):
            try:
                sock.sendall(b"400\r\n" + b"x" * 1024 + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sock.setblocking(False)
            try:
                answer += sock.recv(65536)
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
                sock.settimeout(PATIENCE)
            if b"\r\n\r\n" in answer:
                break
        if b"\r\n\r\n" not in answer:
            answer += read_answer(sock)
    assert status_of(answer) == 413
    assert receiver.stats.too_large == 1
    assert seen == []
    with httpx.Client(timeout=PATIENCE) as http:  # the server still serves
        assert http.post(url, content=event("E-AFTER")).status_code == 200


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "", "garbage;;=="],
)
def test_a_valid_event_under_any_content_type_is_taken_once(
    content_type: str, served: tuple[EventReceiver, list[Event], str]
) -> None:
    """Exotel sends application/json; a proxy that rewrites the type must not make the
    receiver drop the event (the body decides), and a non-event stays a 400."""
    receiver, seen, url = served
    with httpx.Client(timeout=PATIENCE) as http:
        headers = {"Content-Type": content_type}
        assert http.post(url, content=event("E-CT"), headers=headers).status_code == 200
        assert http.post(url, content=b"a=1&b=2", headers=headers).status_code == 400
    assert receiver.drain(PATIENCE)
    assert [e.event_sid for e in seen] == ["E-CT"]


@pytest.mark.parametrize(
    "headers",
    [
        [(b"X-Big", b"a" * 200_000)],
        [(b"X-H%d" % i, b"v" * 100) for i in range(3000)],
    ],
    ids=["one-200k-header", "3000-headers"],
)
def test_huge_headers_are_refused_and_the_server_lives(
    headers: list[tuple[bytes, bytes]], served: tuple[EventReceiver, list[Event], str]
) -> None:
    receiver, seen, url = served
    head = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
    head += b"".join(k + b": " + v + b"\r\n" for k, v in headers) + b"\r\n{}"
    with socket.create_connection(address(url), timeout=PATIENCE) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head)
        try:
            answer = read_answer(sock)
        except ConnectionResetError:
            answer = b""
    if answer:  # an answer, when there is one, is a refusal, never a 2xx or a 5xx
        assert 400 <= status_of(answer) < 500
    assert seen == []
    with httpx.Client(timeout=PATIENCE) as http:
        assert http.post(url, content=event("E-ALIVE")).status_code == 200
    assert receiver.drain(PATIENCE)
    assert [e.event_sid for e in seen] == ["E-ALIVE"]


def test_concurrent_duplicates_reach_the_handler_once(
    served: tuple[EventReceiver, list[Event], str],
) -> None:
    """20 threads post the same 10 events at once (Exotel's retries racing): all are
    acknowledged, each event is handled exactly once."""
    receiver, seen, url = served
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def blast() -> None:
        with httpx.Client(timeout=PATIENCE) as http:
            barrier.wait(PATIENCE)
            for n in range(10):
                sid = f"E-DUP-{n}"
                response = http.post(
                    url,
                    content=event(sid, leg=f"L{n % 3}"),
                    headers={"X-Exotel-Request-Id": f"{sid}-2"},
                )
                with lock:
                    statuses.append(response.status_code)

    threads = [threading.Thread(target=blast) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(PATIENCE * 2)
    assert not any(t.is_alive() for t in threads)
    assert statuses == [200] * 200
    assert receiver.drain(PATIENCE)
    assert sorted(e.event_sid for e in seen) == sorted(f"E-DUP-{n}" for n in range(10))
    assert receiver.stats.duplicates == 190


# -- the fake's call endpoints against hostile JSON ---------------------------------------


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


HOSTILE_BODIES = [
    pytest.param(nested(100_000), id="nested-100k"),
    pytest.param(b"[" * 50_000 + b"]" * 50_000, id="array-50k"),
    pytest.param(b'{"contact_uri": NaN}', id="nan"),
    pytest.param(b'{"contact_uri": 1e999}', id="overflow"),
    pytest.param(
        b'{"contact_uri": "\\ud800", "exophone": "1", "leg_event_endpoint": "x"}', id="surrogate"
    ),
    pytest.param(b'{"leg_sids": "not-a-list", "bridge_event_endpoint": 5}', id="wrong-types"),
    pytest.param(
        b'{"contact_uri": ["a"], "exophone": {}, "leg_event_endpoint": null}', id="structures"
    ),
    pytest.param(b"\xff\xfe\x00{", id="not-utf8"),
    pytest.param(b"", id="empty"),
    pytest.param(b'{"a": 1, "a": 2}', id="duplicate-keys"),
    pytest.param(b"1" * 5000, id="huge-number"),
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
@pytest.mark.parametrize("path", ["legs", "bridges", "legs/LEG1/actions", "bridges/B1/actions"])
def test_the_fake_answers_hostile_json_with_a_4xx_and_a_record(body: bytes, path: str) -> None:
    with FakeLegsAPI() as api, httpx.Client(timeout=PATIENCE) as http:
        url = f"{api.url}/v2/accounts/{api.account_sid}/{path}"
        response = http.post(
            url,
            content=body,
            headers={"Content-Type": "application/json"},
            auth=(api.api_key, api.api_token),
        )
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
        assert isinstance(response.json(), dict)  # an answer in the API's JSON
        assert api.requests
        assert api.requests[-1].status == response.status_code
        # the fake still serves
        with LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as c:
            assert c.create_leg("+919876543210", "08047112233", "http://127.0.0.1:9/").leg_sid


def test_the_client_refuses_a_hostile_fake_answer_cleanly() -> None:
    """A 404 with a hostile body from the fake's bridges endpoint is an ApiError."""
    with (
        FakeLegsAPI() as api,
        LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as client,
    ):
        with pytest.raises(ApiError):
            client.get_bridge("no-such-bridge")
        with pytest.raises(ApiError):
            client.stop_bridge("no-such-bridge")


def test_a_request_that_stops_half_way_does_not_hold_the_fake() -> None:
    with FakeLegsAPI() as api:
        host, port = address(api.url)
        with socket.create_connection((host, port), timeout=PATIENCE) as sock:
            sock.sendall(
                b"POST /v2/accounts/%s/legs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"
                % api.account_sid.encode()
            )
            with LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as c:
                leg = c.create_leg("+919876543210", "08047112233", "http://127.0.0.1:9/")
            assert leg.leg_sid
    # leaving the block closed the fake although a request was still half sent
