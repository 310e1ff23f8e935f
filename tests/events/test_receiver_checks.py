"""What the receiver decides before it answers, and the event its handlers get after.

The receiver answers as soon as it knows the answer: the body is decoded and its typed
fields checked (400 if they are wrong, and the sid is not claimed), the sid is claimed,
and only after the answer is the typed :class:`Event` built. These tests pin that the
split changes nothing a handler or Exotel can see, under ASGI and WSGI alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from exoml.events import Event, EventReceiver, parse_event

from ._servers import PATIENCE, event_body, exotel_headers, uvicorn_server, wsgi_server

Serve = Callable[[EventReceiver], AbstractContextManager[str]]


def _asgi(receiver: EventReceiver) -> AbstractContextManager[str]:
    return uvicorn_server(receiver)


def _wsgi(receiver: EventReceiver) -> AbstractContextManager[str]:
    return wsgi_server(receiver.wsgi)


@pytest.fixture(params=["asgi", "wsgi"])
def serve(request: pytest.FixtureRequest) -> Serve:
    return _asgi if request.param == "asgi" else _wsgi


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=PATIENCE) as c:
        yield c


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("event_type", 7, "event_type is a JSON number, not a string"),
        ("action_sid", ["A1"], "action_sid is a JSON array, not a string"),
        ("action_custom_parameter", {"k": 1}, "action_custom_parameter is a JSON object"),
        ("event_data", "done", "event_data is a JSON string, not an object"),
        ("data", True, "data is a JSON boolean, not an object"),
        ("event_sid", "   ", "event_sid is empty"),
        ("event_name", "a\nb", "event_name holds control or unprintable characters"),
    ],
)
def test_a_wrongly_typed_field_is_400_and_the_sid_stays_free(
    field: str, value: Any, says: str, serve: Serve, client: httpx.Client
) -> None:
    receiver = EventReceiver()
    seen: list[Event] = []
    receiver.on_any(seen.append)
    with serve(receiver) as url:
        bad = client.post(url, content=event_body("E1", **{field: value}))
        assert bad.status_code == 400
        assert says in bad.text
        # Refused before the dedup claim: the same sid, well formed, is a first delivery.
        good = client.post(url, content=event_body("E1"), headers=exotel_headers("E1", 2))
        assert good.status_code == 200
        assert receiver.drain(PATIENCE)
    assert [e.event_sid for e in seen] == ["E1"]
    assert receiver.stats.invalid == 1
    assert receiver.stats.accepted == 1


def test_a_timestamp_that_cannot_be_read_is_kept(serve: Serve, client: httpx.Client) -> None:
    receiver = EventReceiver()
    seen: list[Event] = []
    receiver.on_any(seen.append)
    body = event_body("E2", event_timestamp="yesterday")
    with serve(receiver) as url:
        assert client.post(url, content=body).status_code == 200
        assert receiver.drain(PATIENCE)
    assert [e.event_timestamp for e in seen] == [None]
    assert seen[0].raw["event_timestamp"] == "yesterday"


@pytest.mark.parametrize(
    "body",
    [
        event_body("E3", "gather_success", event_data={"data": {"digits": "42"}}),
        event_body("E3", "bridge_terminated", leg=None, event_data={"leg_sid": "L9"}),
        # The short name of the custom parameter, an array, a nested list: general paths.
        json.dumps(
            {"event_sid": "E3", "event_name": "x", "action_custom_param": "p", "list": [1, [2]]}
        ).encode(),
        b"\xef\xbb\xbf" + event_body("E3"),  # a byte order mark
        b"  " + event_body("E3") + b"\n",  # white space around the object
    ],
)
def test_handlers_get_the_event_parse_event_makes(
    body: bytes, serve: Serve, client: httpx.Client
) -> None:
    receiver = EventReceiver()
    seen: list[Event] = []
    receiver.on_any(seen.append)
    headers = exotel_headers("E3", 3)
    with serve(receiver) as url:
        assert client.post(url, content=body, headers=headers).status_code == 200
        assert receiver.drain(PATIENCE)
    assert seen == [parse_event(body, headers)]
    assert seen[0].attempt == 3


def test_wsgi_keeps_a_legs_order_when_answers_finish_out_of_order() -> None:
    # A threaded WSGI server may finish the second answer of a leg before the first:
    # the events still reach the handler in the order they came.
    import io

    receiver = EventReceiver()
    seen: list[str] = []
    receiver.on_any(lambda event: seen.append(event.event_sid))

    def call(sid: str) -> Any:
        body = event_body(sid, leg="L1")
        environ = {
            "REQUEST_METHOD": "POST",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        statuses: list[str] = []
        result = receiver.wsgi(environ, lambda status, headers: statuses.append(status))
        assert statuses == ["200 OK"]
        return result

    first, second, third = call("E1"), call("E2"), call("E3")
    for answered in (third, second, first):  # answers written last to first
        answered.close()
    assert receiver.drain(PATIENCE)
    assert seen == ["E1", "E2", "E3"]
    receiver.close()
