"""Hostile servers and hostile arguments: a 2xx is accepted whatever its body, any other
status is its ApiError, and nothing but exoml's exceptions, TypeError and ValueError
ever reaches the caller. The servers are real, on 127.0.0.1 (see ``_servers``)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import logging
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from exoml import (
    ActionAccepted,
    ApiError,
    AsyncLegsClient,
    ClientClosedError,
    ExomlError,
    Flow,
    InvalidExomlError,
    LegsClient,
    RateLimitError,
    ResponseTooLargeError,
    Say,
    ServerError,
    TransportError,
)
from exoml._wire import keep_deadlines
from exoml.testing import FakeLegsAPI

from . import _servers
from ._servers import ScriptedServer, answer, endless, gzip_bomb, nested_json, raw, trickle
from .conftest import Kind, credentials, send

HELLO = "<Flow><Say>Hello</Say></Flow>"
#: How long any one test may take before it counts as a hang (the deadlines are far less).
HANG = 60.0


def finishes(function: Callable[[], Any]) -> Any:
    """Run ``function`` and return its result, failing (not hanging) if it never ends."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function).result(timeout=HANG)


def outcome(
    kind: Kind, script: _servers.Script, exoml: Any = HELLO, **options: Any
) -> ActionAccepted | BaseException:
    """What a send against a server running ``script`` gives: a result or an exception."""
    options.setdefault("max_retries", 0)
    with ScriptedServer(script) as server:

        def run() -> ActionAccepted | BaseException:
            try:
                return send(kind, server, "LEG1", exoml, client_options=options)
            except BaseException as exc:  # the test judges what came out
                return exc

        result: ActionAccepted | BaseException = finishes(run)
        return result


def doc(request_id: str = "r-1", **extra: Any) -> dict[str, Any]:
    return {"request_id": request_id, "http_code": 202, **extra}


# -- item 8: a 2xx is accepted whatever its body -------------------------------------------

HOSTILE_BODIES = {
    "nested-100": nested_json(100),
    "nested-100000": nested_json(100_000),
    "nested-objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "nan": b'{"request_id": NaN}',
    "infinity": b'{"request_id": "r", "x": -Infinity}',
    "1e999": b"1e999",
    "1e999-inside": b'{"request_id": "r", "n": 1e999}',
    "huge-int": b'{"n": ' + b"9" * 10_000 + b"}",
    "not-utf8": b'{"request_id": "\xff\xfe"}',
    "garbage": bytes(range(256)),
    "empty": b"",
    "null": b"null",
    "wrong-types": b'{"request_id": ["x"], "response": {"data": {"leg_sid": 5}}}',
    "truncated": b'{"request_id": "r',
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
@pytest.mark.parametrize("status", [200, 202])
def test_a_2xx_is_accepted_whatever_its_body(kind: Kind, status: int, body: bytes) -> None:
    result = outcome(kind, answer(status, body))
    assert isinstance(result, ActionAccepted), result
    assert result.http_code == status
    assert result.leg_sid == "LEG1"
    # Nothing unreadable, nested or non-finite is passed on as a request id.
    assert result.request_id is None or isinstance(result.request_id, str)


def test_a_2xx_reads_what_it_can(kind: Kind) -> None:
    body = json.dumps(doc("r-42", response={"data": {"leg_sid": "LEG9"}})).encode()
    result = outcome(kind, answer(202, body))
    assert result == ActionAccepted(request_id="r-42", leg_sid="LEG9", http_code=202)


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
@pytest.mark.parametrize(
    ("status", "expected"),
    [(400, InvalidExomlError), (429, RateLimitError), (500, ServerError), (418, ApiError)],
)
def test_any_other_status_is_its_api_error_whatever_its_body(
    kind: Kind, status: int, expected: type[ApiError], body: bytes
) -> None:
    result = outcome(kind, answer(status, body))
    assert type(result) is expected, result
    assert isinstance(result, ApiError)
    assert result.status_code == status
    str(result), repr(result), repr(result.body)  # printable, whatever the body


NON_FINITE_DIAGNOSTICS = [
    b'{"response": {"error": {"code": "invalid_exoml", "message": "bad", "diagnostics": '
    b'[{"code": "EX301", "message": "m", "line": ' + value + b', "column": 1}]}}}'
    for value in (b"Infinity", b"-Infinity", b"NaN", b"1e999", b"1e308", b"9" * 5000, b"true")
]


@pytest.mark.parametrize("body", NON_FINITE_DIAGNOSTICS)
def test_non_finite_numbers_in_an_error_body(kind: Kind, body: bytes) -> None:
    result = outcome(kind, answer(400, body))
    assert isinstance(result, InvalidExomlError), result
    for diagnostic in result.diagnostics:
        assert isinstance(diagnostic.line, int)
        assert 1 <= diagnostic.line < 2**31


def test_a_reasonable_error_body_is_still_read(kind: Kind) -> None:
    body = {
        "request_id": "r-7",
        "response": {
            "error": {
                "code": "invalid_exoml",
                "message": "no",
                "diagnostics": [{"code": "EX301", "message": "m", "line": 3, "column": 9}],
            }
        },
    }
    result = outcome(kind, answer(400, json.dumps(body).encode()))
    assert isinstance(result, InvalidExomlError)
    assert (result.request_id, result.code, result.message) == ("r-7", "invalid_exoml", "no")
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("EX301", 3, 9)]


def test_a_huge_error_message_is_clipped_in_str_but_kept_in_the_body(kind: Kind) -> None:
    message = "x" * 100_000
    body = json.dumps({"response": {"error": {"code": "c", "message": message}}}).encode()
    result = outcome(kind, answer(500, body))
    assert isinstance(result, ServerError)
    assert len(str(result)) < 2000
    assert result.body["response"]["error"]["message"] == message


# -- item 9: the deadline ------------------------------------------------------------------

TRICKLES = {
    "status-line": trickle(b""),
    "headers": trickle(b"HTTP/1.1 202 Accepted\r\nX-Slow: "),
}


@pytest.mark.parametrize("script", TRICKLES.values(), ids=TRICKLES.keys())
def test_a_trickled_answer_ends_at_the_deadline(kind: Kind, script: _servers.Script) -> None:
    # Each byte comes well within `timeout`; only the deadline can end this.
    result = outcome(kind, script, timeout=1.0, deadline=0.5)
    assert isinstance(result, TransportError), result
    assert "deadline of 0.5 s" in str(result)
    assert "may have run" in str(result)


def test_the_default_deadline_is_three_timeouts() -> None:
    with LegsClient("AC", "k", "t", timeout=2) as client:
        assert client._deadline == 6.0


def test_a_trickled_body_after_a_2xx_is_accepted(
    kind: Kind, caplog: pytest.LogCaptureFixture
) -> None:
    # The deadline leaves the status line time to arrive on a loaded machine; the body
    # never ends, so only the deadline ends the attempt.
    script = trickle(b"HTTP/1.1 202 Accepted\r\nContent-Length: 100000\r\n\r\n{", byte=b" ")
    with caplog.at_level(logging.WARNING, logger="exoml.client"):
        result = outcome(kind, script, timeout=2.0, deadline=2.0)
    assert result == ActionAccepted(request_id=None, leg_sid="LEG1", http_code=202)
    assert "accepted (HTTP 202) but the answer could not be read" in caplog.text
    assert "deadline" in caplog.text


def test_a_trickled_body_after_an_error_is_the_error(kind: Kind) -> None:
    script = trickle(b"HTTP/1.1 503 Unavailable\r\nContent-Length: 100000\r\n\r\n", byte=b" ")
    result = outcome(kind, script, timeout=2.0, deadline=2.0)
    assert isinstance(result, ServerError)
    assert result.status_code == 503
    assert result.body is None


def test_the_deadline_guard_reaches_httpx_transports() -> None:
    # The sync client bounds each socket operation through httpx's connection pool; if
    # an httpx upgrade moved it, the trickle tests above would hang: say so here first.
    with LegsClient("AC", "k", "t") as client:
        assert keep_deadlines(client._http) >= 1
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as mock:
        assert keep_deadlines(mock) == 0  # nothing to guard, nothing broken


# -- item 9: the size cap ------------------------------------------------------------------

BIG = {
    "1-GiB-announced": endless(202),
    "no-length": endless(202, content_length=None),
    "gzip-endless": endless(202, content_length=None, gzip_zeros=True),
}


@pytest.mark.parametrize("script", BIG.values(), ids=BIG.keys())
def test_a_huge_2xx_body_is_not_read_and_the_action_is_accepted(
    kind: Kind, script: _servers.Script
) -> None:
    result = outcome(kind, script, max_response_bytes=64 * 1024)
    assert result == ActionAccepted(request_id=None, leg_sid="LEG1", http_code=202)


@pytest.mark.parametrize("length", [1024**3, None])
def test_a_huge_error_body_is_not_read(kind: Kind, length: int | None) -> None:
    result = outcome(kind, endless(500, content_length=length), max_response_bytes=64 * 1024)
    assert isinstance(result, ServerError)
    assert result.body is None
    assert str(result).startswith("HTTP 500: Internal Server Error; the answer's body was not read")
    assert "larger than max_response_bytes (65536 bytes)" in str(result)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb(200 * 1024 * 1024)


@pytest.mark.parametrize("status", [202, 400])
def test_a_gzip_bomb_is_not_decompressed_past_the_cap(kind: Kind, bomb: bytes, status: int) -> None:
    assert len(bomb) < 1024 * 1024  # small on the wire: only the decoded size is caught
    script = answer(status, bomb, headers={"Content-Encoding": "gzip"})
    result = outcome(kind, script)
    if status == 202:
        assert result == ActionAccepted(request_id=None, leg_sid="LEG1", http_code=202)
    else:
        assert isinstance(result, InvalidExomlError)
        assert result.body is None


def test_a_double_gzip_bomb(kind: Kind) -> None:
    body = gzip_bomb(50 * 1024 * 1024, layers=2)
    script = answer(400, body, headers={"Content-Encoding": "gzip, gzip"})
    result = outcome(kind, script)
    assert isinstance(result, InvalidExomlError)
    assert result.body is None


def _padded(size: int) -> bytes:
    """A JSON document of exactly ``size`` bytes with request_id "r-pad"."""
    base = json.dumps({"request_id": "r-pad", "pad": ""}).encode()
    return base[:-2] + b" " * (size - len(base)) + base[-2:]


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "identity": lambda data: data,
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "deflate-raw": _raw_deflate,
}


@pytest.mark.parametrize("encoding", ENCODINGS, ids=ENCODINGS.keys())
def test_the_cap_is_exact(kind: Kind, encoding: str) -> None:
    limit = 4096
    header = {"Content-Encoding": encoding.removesuffix("-raw")}
    encode = ENCODINGS[encoding]
    at_limit = answer(202, encode(_padded(limit)), headers=header)
    result = outcome(kind, at_limit, max_response_bytes=limit)
    assert isinstance(result, ActionAccepted)
    assert result.request_id == "r-pad"
    over = answer(202, encode(_padded(limit + 1)), headers=header)
    result = outcome(kind, over, max_response_bytes=limit)
    assert result == ActionAccepted(request_id=None, leg_sid="LEG1", http_code=202)


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Encoding": "br"},
        {"Content-Encoding": "gzip, gzip, gzip"},
        {"Content-Encoding": "gzip"},
    ],
    ids=["unknown-coding", "three-codings", "corrupt-gzip"],
)
def test_a_body_in_an_unreadable_coding(kind: Kind, headers: dict[str, str]) -> None:
    body = json.dumps(doc()).encode()
    result = outcome(kind, answer(202, body, headers=headers))
    assert result == ActionAccepted(request_id=None, leg_sid="LEG1", http_code=202)
    error = outcome(kind, answer(404, body, headers=headers))
    assert isinstance(error, ApiError)
    assert error.status_code == 404


def test_an_endpoint_that_needs_the_body_raises_the_too_large_error(kind: Kind) -> None:
    """The request core hands endpoints the problem; reading the data raises it."""
    with ScriptedServer(endless(200)) as server:
        url = httpx.URL(f"{server.url}/v2/accounts/AC/legs/L1")
        options: dict[str, Any] = {
            **credentials(server),
            "base_url": server.url,
            "max_response_bytes": 2048,
        }

        def run() -> Any:
            if kind == "sync":
                with LegsClient(**options) as client:
                    return client._request("GET", url, subject="leg 'L1'")

            async def main() -> Any:
                async with AsyncLegsClient(**options) as client:
                    return await client._request("GET", url, subject="leg 'L1'")

            return asyncio.run(main())

        reply = finishes(run)
    assert reply.status == 200
    with pytest.raises(ResponseTooLargeError) as info:
        reply.data()
    assert isinstance(info.value, TransportError)
    assert info.value.limit == 2048
    assert "larger than max_response_bytes (2048 bytes)" in str(info.value)


# -- item 10: arguments ----------------------------------------------------------------------

SECRET = "pa55-W0RD-xyz"

CREDENTIAL_URLS = [
    f"https://user:{SECRET}@cpaas-api.exotel.com",
    f"http://user:{SECRET}@example.com",
    f"ftp://user:{SECRET}@example.com",
    f"https://user:{SECRET}@[::1",
    f"https://user:{SECRET}@host:99999",
    f"https://{SECRET}@host",
    f"//user:{SECRET}@host",
    f"https://user:{SECRET}@host/a b",
    f"user:{SECRET}@host",
    f"https:\\\\user:{SECRET}@host",
]


@pytest.mark.parametrize("url", CREDENTIAL_URLS)
def test_credentials_in_the_base_url_are_never_shown(url: str) -> None:
    with pytest.raises(ValueError, match=r"credentials|URL") as info:
        LegsClient("AC", "k", "t", base_url=url)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    "url", ["https://host:70000", "https://host:0", "https://host:65536", "http://127.0.0.1:99999"]
)
def test_a_port_out_of_range_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="port must be between 1 and 65535"):
        LegsClient("AC", "k", "t", base_url=url)


def test_ports_in_range_are_accepted() -> None:
    for port in (1, 443, 65535):
        LegsClient("AC", "k", "t", base_url=f"https://host:{port}").close()


@pytest.mark.parametrize("where", ["leg_sid", "custom_param", "exoml"])
@pytest.mark.parametrize("validate", [True, False])
def test_lone_surrogates_are_refused_naming_the_argument(
    kind: Kind, fake_legs_api: FakeLegsAPI, where: str, validate: bool
) -> None:
    arguments: dict[str, Any] = {
        "leg_sid": "LEG1",
        "exoml": HELLO,
        "custom_param": "c",
        "validate": validate,
    }
    arguments[where] = {"exoml": "<Flow><Say>\ud800</Say></Flow>"}.get(where, "a\udcffb")
    leg = arguments.pop("leg_sid")
    document = arguments.pop("exoml")
    with pytest.raises(ValueError, match=f"{where} contains a lone surrogate") as info:
        send(kind, fake_legs_api, leg, document, **arguments)
    assert not isinstance(info.value, UnicodeError)
    assert fake_legs_api.requests == []


@pytest.mark.parametrize("name", ["account_sid", "api_key", "api_token", "base_url"])
def test_lone_surrogates_in_the_configuration(name: str) -> None:
    options: dict[str, Any] = {"account_sid": "AC", "api_key": "k", "api_token": "t"}
    options[name] = "https://h\udcff" if name == "base_url" else "x\udcff"
    with pytest.raises(ValueError, match=f"{name} contains a lone surrogate"):
        LegsClient(**options)


def test_an_api_key_with_a_colon_is_refused() -> None:
    with pytest.raises(ValueError, match="api_key must not contain ':'"):
        LegsClient("AC", "key:part", "t")


NUMBERS: list[tuple[str, Any, type[Exception]]] = [
    ("rate_limit", 1e-300, ValueError),
    ("rate_limit", 0, ValueError),
    ("rate_limit", -5, ValueError),
    ("rate_limit", float("nan"), ValueError),
    ("rate_limit", float("inf"), ValueError),
    ("rate_limit", 1e300, ValueError),
    ("rate_limit", 10**400, ValueError),
    ("rate_limit", True, TypeError),
    ("rate_limit", "60", TypeError),
    ("timeout", 1e300, ValueError),
    ("timeout", float("nan"), ValueError),
    ("timeout", 10**400, ValueError),
    ("timeout", 0, ValueError),
    ("timeout", "1", TypeError),
    ("deadline", 0, ValueError),
    ("deadline", float("inf"), ValueError),
    ("deadline", 1e-400, ValueError),
    ("max_retry_wait", -1, ValueError),
    ("max_retry_wait", float("nan"), ValueError),
    ("max_retry_wait", 1e10, ValueError),
    ("max_retries", 10**9, ValueError),
    ("max_retries", -1, ValueError),
    ("max_retries", 1.5, TypeError),
    ("max_response_bytes", 0, ValueError),
    ("max_response_bytes", 10**12, ValueError),
    ("max_response_bytes", 10**400, ValueError),
    ("max_response_bytes", 1e6, TypeError),
]


@pytest.mark.parametrize(("name", "value", "error"), NUMBERS)
def test_numeric_options_are_bounded_at_construction(
    kind: Kind, name: str, value: Any, error: type[Exception]
) -> None:
    client_class = LegsClient if kind == "sync" else AsyncLegsClient
    with pytest.raises(error, match=name):
        client_class("AC", "k", "t", **{name: value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("rate_limit", 0.01),
        ("rate_limit", 60_000),
        ("timeout", 86_400),
        ("max_retry_wait", 0),
        ("max_retries", 100),
        ("max_response_bytes", 1024),
        ("deadline", 0.001),
    ],
)
def test_the_bounds_themselves_are_accepted(name: str, value: Any) -> None:
    LegsClient("AC", "k", "t", **{name: value}).close()


def test_a_closed_client_raises_client_closed_error(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    options: dict[str, Any] = {**credentials(fake_legs_api), "base_url": fake_legs_api.url}
    if kind == "sync":
        client = LegsClient(**options)
        client.close()
        assert client.closed
        with pytest.raises(ClientClosedError) as info:
            client.send("LEG1", HELLO)
    else:

        async def main() -> ClientClosedError:
            client = AsyncLegsClient(**options)
            await client.aclose()
            with pytest.raises(ClientClosedError) as caught:
                await client.send("LEG1", HELLO)
            return caught.value

        info_value = asyncio.run(main())
        with pytest.raises(ClientClosedError) as info:
            raise info_value
    assert isinstance(info.value, ExomlError)
    assert isinstance(info.value, RuntimeError)
    assert "is closed; make a new client" in str(info.value)
    assert fake_legs_api.requests == []


def test_a_single_verb_is_sent_as_a_flow_of_one(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    send(kind, fake_legs_api, "LEG1", Say("Hi"))
    assert [a.exoml for a in fake_legs_api.actions] == [Flow(Say("Hi")).to_xml()]


@pytest.mark.parametrize("as_type", [bytes, bytearray])
def test_utf8_bytes_are_sent_as_text(
    kind: Kind, fake_legs_api: FakeLegsAPI, as_type: type[bytes]
) -> None:
    document = "<Flow><Say>Olá ✓</Say></Flow>"
    send(kind, fake_legs_api, "LEG1", as_type(document.encode("utf-8")))
    assert [a.exoml for a in fake_legs_api.actions] == [document]


def test_bytes_are_validated_like_text(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    invalid = b'<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>'
    with pytest.raises(ExomlError, match="EX301"):
        send(kind, fake_legs_api, "LEG1", invalid)
    assert fake_legs_api.requests == []


@pytest.mark.parametrize("data", [b"<Flow><Say>Ol\xe1</Say></Flow>", b"\xff\xfe<\x00F\x00"])
def test_bytes_that_are_not_utf8_are_refused(
    kind: Kind, fake_legs_api: FakeLegsAPI, data: bytes
) -> None:
    with pytest.raises(ValueError, match="exoml bytes are not UTF-8") as info:
        send(kind, fake_legs_api, "LEG1", data)
    assert not isinstance(info.value, UnicodeError)
    assert "pass UTF-8 bytes, a str or a Flow" in str(info.value)
    assert fake_legs_api.requests == []


def test_a_lying_str_subclass_cannot_change_what_is_sent(fake_legs_api: FakeLegsAPI) -> None:
    class Lying(str):
        def __str__(self) -> str:
            return "<Flow><Hangup/></Flow>"

        def encode(self, *args: Any, **kwargs: Any) -> bytes:
            return b"<Flow><Hangup/></Flow>"

    send("sync", fake_legs_api, Lying("LEG1"), Lying(HELLO), custom_param=Lying("c"))
    [action] = fake_legs_api.actions
    assert (action.leg_sid, action.exoml, action.custom_param) == ("LEG1", HELLO, "c")


# -- "no lower-level exception leaks" --------------------------------------------------------

LEAK_SERVERS: dict[str, _servers.Script] = {
    "garbage-status": raw(b"HTTP/1.1 abc\r\n\r\n"),
    "not-http": raw(bytes(range(256)) * 4),
    "hang-up": raw(b""),
    "half-headers": raw(b"HTTP/1.1 202 Accepted\r\nContent-Le"),
    "short-body": raw(b"HTTP/1.1 202 Accepted\r\nContent-Length: 100\r\n\r\n{}"),
    "short-error-body": raw(b"HTTP/1.1 500 No\r\nContent-Length: 100\r\n\r\n{}"),
    "bad-length": raw(b"HTTP/1.1 202 Accepted\r\nContent-Length: -1\r\n\r\n"),
    "two-lengths": raw(b"HTTP/1.1 202 A\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
    "bad-chunks": raw(b"HTTP/1.1 202 A\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n"),
    "huge-headers": raw(b"HTTP/1.1 202 A\r\n" + b"X: " + b"a" * 200_000 + b"\r\n\r\n"),
    "status-999": answer(999, b"{}"),
    "status-101": raw(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"),
    "redirect": answer(302, b"", headers={"Location": "http://127.0.0.1:1/"}),
    "latin1-header": raw(b"HTTP/1.1 429 A\r\nRetry-After: \xff\xfe\r\nContent-Length: 0\r\n\r\n"),
    "retry-after-1e999": answer(429, b"", headers={"Retry-After": "1e999"}),
    "retry-after-digits": answer(429, b"", headers={"Retry-After": "9" * 5000}),
    "retry-after-year": answer(429, b"", headers={"Retry-After": "Wed, 21 Oct 99999 07:28:00 GMT"}),
    "nested-202": answer(202, nested_json(200_000)),
    "nested-400": answer(400, nested_json(200_000)),
    "nan-400": answer(400, NON_FINITE_DIAGNOSTICS[0]),
    "corrupt-gzip": answer(202, b"\x1f\x8b\x08\x00garbage", headers={"Content-Encoding": "gzip"}),
    "trickle": trickle(b""),
    "endless": endless(202, content_length=None),
}

HOSTILE_INPUTS: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "surrogate-leg": ("\ud800", HELLO, {}),
    "surrogate-exoml": ("L", "<Flow><Say>\udfff</Say></Flow>", {"validate": False}),
    "surrogate-param": ("L", HELLO, {"custom_param": "\ud800"}),
    "int-exoml": ("L", 5, {}),
    "none-exoml": ("L", None, {}),
    "list-exoml": ("L", [Say("x")], {}),
    "bad-bytes": ("L", b"\xff", {}),
    "int-leg": (5, HELLO, {}),
    "empty-leg": ("", HELLO, {}),
    "dict-param": ("L", HELLO, {"custom_param": {}}),
    "nul-in-exoml": ("L", "<Flow>\x00</Flow>", {}),
    "huge-exoml": ("L", "<Flow>" + "<Say>x</Say>" * 100_000 + "</Flow>", {}),
}

ALLOWED = (ExomlError, TypeError, ValueError)


@pytest.mark.parametrize("script", LEAK_SERVERS.values(), ids=LEAK_SERVERS.keys())
def test_no_lower_level_exception_leaks_from_a_hostile_server(
    kind: Kind, script: _servers.Script
) -> None:
    result = outcome(kind, script, timeout=1.0, deadline=1.0, max_retries=1, max_retry_wait=0.1)
    assert isinstance(result, (ActionAccepted, *ALLOWED)), repr(result)


@pytest.mark.parametrize("case", HOSTILE_INPUTS.values(), ids=HOSTILE_INPUTS.keys())
def test_no_lower_level_exception_leaks_from_hostile_arguments(
    kind: Kind, fake_legs_api: FakeLegsAPI, case: tuple[Any, Any, dict[str, Any]]
) -> None:
    leg, exoml, options = case
    with contextlib.suppress(*ALLOWED):
        send(kind, fake_legs_api, leg, exoml, **options)


@pytest.mark.parametrize(
    "options",
    [
        {"base_url": "https://"},
        {"base_url": "https://host/\x00"},
        {"base_url": 5},
        {"base_url": "ftp://h"},
        {"base_url": "https://host?q=1"},
        {"region": "mars"},
        {"account_sid": b"AC"},
        {"api_token": ""},
        {"timeout": None},
        {"deadline": "soon"},
        {"retry_server_errors": True, "max_retries": 10**100},
    ],
)
def test_no_lower_level_exception_leaks_from_hostile_configuration(
    kind: Kind, options: dict[str, Any]
) -> None:
    client_class = LegsClient if kind == "sync" else AsyncLegsClient
    arguments: dict[str, Any] = {"account_sid": "AC", "api_key": "k", "api_token": "t", **options}
    with pytest.raises(ALLOWED):
        client_class(**arguments)


def test_an_async_client_used_from_a_second_event_loop(fake_legs_api: FakeLegsAPI) -> None:
    client = AsyncLegsClient(**credentials(fake_legs_api), base_url=fake_legs_api.url)
    asyncio.run(client.send("LEG1", HELLO))
    with pytest.raises(ExomlError, match="make one client per event loop"):
        asyncio.run(client.send("LEG1", HELLO))
    asyncio.run(client.aclose())
    assert client.closed
    assert len(fake_legs_api.actions) == 1


def test_a_flow_that_renders_a_lone_surrogate_is_refused(fake_legs_api: FakeLegsAPI) -> None:
    class Lying(Flow):
        def to_xml(self, *args: Any, **kwargs: Any) -> str:
            return "<Flow><Say>\ud800</Say></Flow>"

    with pytest.raises(ValueError, match="exoml contains a lone surrogate"):
        send("sync", fake_legs_api, "LEG1", Lying(Say("x")))
    assert fake_legs_api.requests == []


def test_server_strings_with_lone_surrogates_are_made_sound(kind: Kind) -> None:
    # JSON can escape a lone surrogate; such a request id could not be printed or encoded.
    accepted = outcome(kind, answer(202, b'{"request_id": "r\\ud800\\u001b[31m"}'))
    assert isinstance(accepted, ActionAccepted)
    assert accepted.request_id == "r\ufffd\x1b[31m"
    body = (
        b'{"request_id": "\\udfff", "response": {"error": {"code": "c\\ud800", '
        b'"message": "m\\udc00", "diagnostics": [{"code": "E\\ud800", "message": "x\\udfff", '
        b'"hint": "h\\ud800"}]}}}'
    )
    error = outcome(kind, answer(400, body))
    assert isinstance(error, InvalidExomlError)
    str(error).encode("utf-8")
    [diagnostic] = error.diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.hint) == (
        "E\ufffd",
        "x\ufffd",
        "h\ufffd",
    )
