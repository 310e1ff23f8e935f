"""FakeLegsAPI against hostile requests, written on raw sockets: every request gets an
HTTP answer and a record, and the fake keeps serving afterwards."""

from __future__ import annotations

import json
import socket
from http.client import HTTPResponse

import httpx
import pytest

from exoml.testing import FakeLegsAPI

HELLO = "<Flow><Say>Hello</Say></Flow>"


def exchange(api: FakeLegsAPI, data: bytes, *, end_body: bool = False) -> tuple[int, bytes]:
    """Send raw bytes to the fake; return the status and body of its answer."""
    with socket.create_connection(("127.0.0.1", api.port), timeout=30) as sock:
        sock.sendall(data)
        if end_body:
            sock.shutdown(socket.SHUT_WR)
        response = HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


def request(
    api: FakeLegsAPI,
    *,
    method: str = "POST",
    path: str | None = None,
    body: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
    length: bool = True,
) -> bytes:
    """A request in raw bytes, authenticated, with ``headers`` appended as given."""
    target = path or f"/v2/accounts/{api.account_sid}/legs/L1/actions"
    auth = httpx.BasicAuth(api.api_key, api.api_token)
    authorization = next(auth.auth_flow(httpx.Request("GET", "http://x"))).headers
    lines = [
        f"{method} {target} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: {authorization['Authorization']}",
        "Content-Type: application/json",
    ]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in headers or []]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def still_serves(api: FakeLegsAPI) -> None:
    status, _ = exchange(api, request(api, body=json.dumps({"exoml": HELLO}).encode()))
    assert status == 202


def error_message(body: bytes) -> str:
    message: str = json.loads(body)["response"]["error"]["message"]
    return message


BAD_PATHS = [
    "/v2/accounts/{account}/legs/%ff%fe/actions",
    "/v2/accounts/%ff/legs/L1/actions",
    "/v2/accounts/{account}/legs/%c0%af/actions",  # overlong "/"
    "/v2/accounts/{account}/legs/%ed%a0%80/actions",  # an encoded surrogate
    "/v2/accounts/{account}/legs/%f4%90%80%80/actions",  # past U+10FFFF
    "/v2/accounts/{account}/legs/a%e2%82/actions",  # truncated
]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_a_path_that_is_not_utf8_gets_400_and_a_record(
    fake_legs_api: FakeLegsAPI, path: str
) -> None:
    api = fake_legs_api
    target = path.format(account=api.account_sid)
    status, body = exchange(api, request(api, path=target, body=b"{}"))
    assert status == 400
    assert error_message(body) == "the path is not valid percent-encoded UTF-8"
    [record] = api.requests
    assert (record.method, record.path, record.status) == ("POST", target, 400)
    still_serves(api)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nests JSON deeper than 64 levels"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nests JSON deeper than 64 levels"),
        (b"[" * 65 + b"]" * 65, "nests JSON deeper than 64 levels"),
        (b'{"exoml": "<Flow/>", "x": NaN}', "not valid JSON"),
        (b'{"exoml": "<Flow/>", "x": -Infinity}', "not valid JSON"),
        (b'{"exoml": "\xff"}', "not valid JSON: not UTF-8"),
    ],
    ids=["nested-lists", "nested-objects", "depth-65", "nan", "infinity", "not-utf8"],
)
def test_a_hostile_json_body_gets_400_and_a_record(
    fake_legs_api: FakeLegsAPI, body: bytes, message: str
) -> None:
    status, answer = exchange(fake_legs_api, request(fake_legs_api, body=body))
    assert status == 400
    assert message in error_message(answer)
    assert [r.status for r in fake_legs_api.requests] == [400]
    assert fake_legs_api.actions == []
    still_serves(fake_legs_api)


def test_json_at_the_depth_limit_is_parsed(fake_legs_api: FakeLegsAPI) -> None:
    nested = b'{"exoml": "' + HELLO.encode() + b'", "x": ' + b"[" * 63 + b"]" * 63 + b"}"
    status, _ = exchange(fake_legs_api, request(fake_legs_api, body=nested))
    assert status == 202


BAD_LENGTHS = {
    "conflicting": [("Content-Length", "3")],
    "duplicated": [("Content-Length", "2")],
    "plus-sign": None,
    "inner-space": None,
    "underscore": None,
    "hex": None,
    "negative": None,
    "arabic-digit": None,
    "with-transfer-encoding": [("Transfer-Encoding", "chunked")],
}
LENGTH_VALUES = {
    "plus-sign": "+2",
    "inner-space": "1 1",
    "underscore": "1_0",
    "hex": "0x2",
    "negative": "-2",
    "arabic-digit": "\xd9\xa1",
}


@pytest.mark.parametrize("case", BAD_LENGTHS, ids=BAD_LENGTHS.keys())
def test_a_malformed_or_conflicting_content_length_gets_400(
    fake_legs_api: FakeLegsAPI, case: str
) -> None:
    api = fake_legs_api
    if case in LENGTH_VALUES:
        raw = request(
            api, body=b"{}", length=False, headers=[("Content-Length", LENGTH_VALUES[case])]
        )
    else:
        raw = request(api, body=b"{}", headers=BAD_LENGTHS[case])
    status, body = exchange(api, raw)
    assert status == 400
    assert "Content-Length" in error_message(body)
    assert [r.status for r in api.requests] == [400]
    assert api.actions == []
    still_serves(api)


def test_transfer_encoding_alone_gets_411(fake_legs_api: FakeLegsAPI) -> None:
    raw = request(
        fake_legs_api,
        body=b"2\r\n{}\r\n0\r\n\r\n",
        length=False,
        headers=[("Transfer-Encoding", "chunked")],
    )
    status, _ = exchange(fake_legs_api, raw)
    assert status == 411
    assert [r.status for r in fake_legs_api.requests] == [411]


def test_a_huge_content_length_gets_413(fake_legs_api: FakeLegsAPI) -> None:
    raw = request(fake_legs_api, length=False, headers=[("Content-Length", "9" * 40)])
    status, _ = exchange(fake_legs_api, raw)
    assert status == 413
    assert [r.status for r in fake_legs_api.requests] == [413]


def test_a_body_shorter_than_its_length_gets_400(fake_legs_api: FakeLegsAPI) -> None:
    raw = request(fake_legs_api, length=False, headers=[("Content-Length", "100")]) + b"{}"
    status, body = exchange(fake_legs_api, raw, end_body=True)
    assert status == 400
    assert "shorter than its Content-Length" in error_message(body)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"POST /x HTTP/9.9\r\n\r\n", 505),
        (b"POST /x HTTP/1.1 extra\r\n\r\n", 400),
        (b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (b"POST /x HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (b"POST /x HTTP/1.1\r\n" + b"X: 1\r\n" * 200 + b"\r\n", 431),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    ],
    ids=[
        "no-version",
        "version",
        "extra-word",
        "method",
        "long-header",
        "many-headers",
        "long-uri",
    ],
)
def test_a_request_the_http_layer_refuses_is_answered_and_recorded(
    fake_legs_api: FakeLegsAPI, raw: bytes, status: int
) -> None:
    answered, body = exchange(fake_legs_api, raw)
    assert answered == status
    assert json.loads(body)["http_code"] == status
    assert [r.status for r in fake_legs_api.requests] == [status]
    still_serves(fake_legs_api)


def test_a_failure_of_the_fake_itself_is_a_500_with_a_record(
    fake_legs_api: FakeLegsAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(fake_legs_api, "_authenticated", broken)
    status, body = exchange(fake_legs_api, request(fake_legs_api, body=b"{}"))
    assert status == 500
    assert "a bug in FakeLegsAPI" in error_message(body)
    assert [r.status for r in fake_legs_api.requests] == [500]
