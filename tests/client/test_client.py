"""Both Leg Actions clients against FakeLegsAPI over real HTTP on 127.0.0.1."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from exoml import (
    ApiError,
    AuthenticationError,
    ExomlError,
    Flow,
    InvalidExomlError,
    LegNotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from exoml.testing import FakeLegsAPI

from .conftest import Kind, counting_transport, record_sleeps, send

HELLO = "<Flow><Say>Hello</Say></Flow>"
INVALID = '<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>'


def wait_for(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


# -- success ----------------------------------------------------------------------------


def test_send_string_is_accepted_and_recorded(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    accepted = send(kind, fake_legs_api, "LEG1", HELLO)
    [action] = fake_legs_api.actions
    assert accepted.http_code == 202
    assert accepted.leg_sid == "LEG1"
    assert accepted.request_id == action.request_id
    assert (action.leg_sid, action.exoml, action.custom_param) == ("LEG1", HELLO, None)


def test_send_flow_sends_its_xml(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    flow = Flow().answer().say("Hello")
    send(kind, fake_legs_api, "LEG1", flow)
    assert [a.exoml for a in fake_legs_api.actions] == [flow.to_xml()]


def test_custom_param_reaches_the_api(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    send(kind, fake_legs_api, "LEG1", HELLO, custom_param="greet-42 ✓")
    assert [a.custom_param for a in fake_legs_api.actions] == ["greet-42 ✓"]


def test_warnings_alone_do_not_stop_a_send(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    # Two actions in one flow is a warning (EX501), not an error.
    send(kind, fake_legs_api, "LEG1", "<Flow><Answer/><Say>Hi</Say></Flow>")
    assert len(fake_legs_api.actions) == 1


# -- validation before sending ------------------------------------------------------------


def test_invalid_string_is_refused_and_nothing_sent(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    with pytest.raises(ExomlError) as info:
        send(kind, fake_legs_api, "LEG1", INVALID)
    assert not isinstance(info.value, ApiError)
    assert [d.code for d in info.value.diagnostics] == ["EX301"]
    assert "EX301" in str(info.value)
    assert "nothing sent" in str(info.value)
    assert fake_legs_api.requests == []


def test_validate_false_lets_the_api_judge(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    with pytest.raises(InvalidExomlError) as info:
        send(kind, fake_legs_api, "LEG1", INVALID, validate=False)
    error = info.value
    assert error.status_code == 400
    assert error.code == "invalid_exoml"
    assert [d.code for d in error.diagnostics] == ["EX301"]
    assert error.diagnostics[0].line == 1
    assert isinstance(error.request_id, str)
    assert isinstance(error.body, dict)
    assert len(fake_legs_api.requests) == 1
    assert fake_legs_api.actions == []


def test_wrong_argument_types_raise_before_sending(fake_legs_api: FakeLegsAPI) -> None:
    with pytest.raises(TypeError, match="a Flow, a verb, or the document as a str or UTF-8"):
        send("sync", fake_legs_api, "LEG1", 42)
    with pytest.raises(TypeError):
        send("sync", fake_legs_api, "LEG1", HELLO, custom_param=42)
    with pytest.raises(ValueError, match="leg_sid"):
        send("sync", fake_legs_api, "", HELLO)
    assert fake_legs_api.requests == []


# -- status mapping -------------------------------------------------------------------


def test_401_wrong_token(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    options = {"api_token": "not-the-token"}
    with pytest.raises(AuthenticationError) as info:
        send(kind, fake_legs_api, "LEG1", HELLO, client_options=options)
    assert info.value.status_code == 401
    assert info.value.code == "authentication_failed"
    assert "authentication failed" in info.value.message
    assert len(fake_legs_api.requests) == 1


def test_403_other_account(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    options = {"account_sid": "ACsomeoneelse"}
    with pytest.raises(PermissionDeniedError) as info:
        send(kind, fake_legs_api, "LEG1", HELLO, client_options=options)
    assert info.value.status_code == 403
    assert len(fake_legs_api.requests) == 1


def test_404_unknown_leg(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.add_leg("KNOWN")
    with pytest.raises(LegNotFoundError) as info:
        send(kind, fake_legs_api, "UNKNOWN", HELLO)
    error = info.value
    assert error.status_code == 404
    assert error.message == "leg not found: 'UNKNOWN'"
    assert error.request_id is not None
    assert str(error) == (
        f"HTTP 404 not_found: leg not found: 'UNKNOWN' (request_id {error.request_id})"
    )
    send(kind, fake_legs_api, "KNOWN", HELLO)
    assert [a.leg_sid for a in fake_legs_api.actions] == ["KNOWN"]


def test_429_carries_retry_after(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.fail_next(1, status=429, retry_after=7)
    with pytest.raises(RateLimitError) as info:
        send(kind, fake_legs_api, "LEG1", HELLO, client_options={"max_retries": 0})
    assert info.value.retry_after == 7.0
    assert info.value.code == "rate_limit_exceeded"
    assert info.value.status_code == 429


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, InvalidExomlError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, LegNotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (599, ServerError),
        (418, ApiError),
        (302, ApiError),
    ],
)
def test_status_mapping(
    kind: Kind, fake_legs_api: FakeLegsAPI, status: int, expected: type[ApiError]
) -> None:
    fake_legs_api.fail_next(1, status=status)
    with pytest.raises(ApiError) as info:
        send(kind, fake_legs_api, "LEG1", HELLO, client_options={"max_retries": 0})
    assert type(info.value) is expected
    assert info.value.status_code == status
    assert isinstance(info.value.body, dict)
    assert info.value.request_id == info.value.body["request_id"]
    assert f"HTTP {status}" in str(info.value)


@pytest.mark.parametrize(("status", "expected"), [(502, ServerError), (400, InvalidExomlError)])
def test_body_that_is_not_json(
    kind: Kind, fake_legs_api: FakeLegsAPI, status: int, expected: type[ApiError]
) -> None:
    fake_legs_api.fail_next(1, status=status, body="<html>upstream broke</html>")
    with pytest.raises(expected) as info:
        send(kind, fake_legs_api, "LEG1", HELLO, client_options={"max_retries": 0})
    error = info.value
    assert error.body == "<html>upstream broke</html>"
    assert error.code is None
    assert error.request_id is None
    assert error.message in ("Bad Gateway", "Bad Request")
    assert str(error) == f"HTTP {status}: {error.message}"


def test_json_body_without_the_documented_shape(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.fail_next(1, status=500, body='["odd"]', content_type="application/json")
    with pytest.raises(ServerError) as info:
        send(kind, fake_legs_api, "LEG1", HELLO)
    assert info.value.body == ["odd"]
    assert info.value.message == "Internal Server Error"


# -- retries ----------------------------------------------------------------------------


def test_429_retried_after_retry_after_seconds(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.fail_next(2, status=429, retry_after=0)
    accepted = send(kind, fake_legs_api, "LEG1", HELLO, client_options={"max_retries": 2})
    assert [r.status for r in fake_legs_api.requests] == [429, 429, 202]
    assert accepted.request_id == fake_legs_api.actions[0].request_id


def test_429_gives_up_after_max_retries(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.fail_next(3, status=429, retry_after=0)
    with pytest.raises(RateLimitError):
        send(kind, fake_legs_api, "LEG1", HELLO, client_options={"max_retries": 2})
    assert len(fake_legs_api.requests) == 3
    assert fake_legs_api.actions == []


def test_429_waits_the_retry_after_seconds(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.fail_next(1, status=429, retry_after=0.3)
    sleeps: list[float] = []
    send(kind, fake_legs_api, "LEG1", HELLO, setup=lambda c: record_sleeps(c, sleeps))
    assert sleeps == [0.3]
    assert [r.status for r in fake_legs_api.requests] == [429, 202]


def test_429_with_an_http_date(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    # The client's wall clock is fixed, so the wait is exactly the distance to the date.
    now = datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=timezone.utc)
    when = now.replace(microsecond=0) + timedelta(seconds=5)
    fake_legs_api.fail_next(1, status=429, retry_after=format_datetime(when, usegmt=True))
    sleeps: list[float] = []

    def setup(client: Any) -> None:
        record_sleeps(client, sleeps)
        client._now = lambda: now

    send(kind, fake_legs_api, "LEG1", HELLO, setup=setup)
    assert sleeps == [4.75]
    assert [r.status for r in fake_legs_api.requests] == [429, 202]


def test_the_real_retry_wait_is_waited_out(fake_legs_api: FakeLegsAPI) -> None:
    """A smoke test in real time: the client does sleep (generous upper bound)."""
    fake_legs_api.fail_next(1, status=429, retry_after=0.2)
    started = time.monotonic()
    send("sync", fake_legs_api, "LEG1", HELLO)
    assert 0.2 <= time.monotonic() - started < 30


def test_429_with_an_http_date_in_the_past(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.fail_next(1, status=429, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    send(kind, fake_legs_api, "LEG1", HELLO)
    assert [r.status for r in fake_legs_api.requests] == [429, 202]


def test_429_without_retry_after_backs_off(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.fail_next(2, status=429)
    send(kind, fake_legs_api, "LEG1", HELLO)
    assert [r.status for r in fake_legs_api.requests] == [429, 429, 202]


def test_429_with_a_long_retry_after_is_raised_at_once(
    kind: Kind, fake_legs_api: FakeLegsAPI
) -> None:
    fake_legs_api.fail_next(1, status=429, retry_after=3600)
    sleeps: list[float] = []
    with pytest.raises(RateLimitError) as info:
        send(kind, fake_legs_api, "LEG1", HELLO, setup=lambda c: record_sleeps(c, sleeps))
    assert info.value.retry_after == 3600
    assert len(fake_legs_api.requests) == 1
    assert sleeps == []


def test_max_retry_wait_caps_the_waits_of_one_call(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.fail_next(5, status=429, retry_after=2)
    sleeps: list[float] = []
    options = {"max_retries": 5, "max_retry_wait": 5}
    with pytest.raises(RateLimitError) as info:
        send(
            kind,
            fake_legs_api,
            "LEG1",
            HELLO,
            client_options=options,
            setup=lambda c: record_sleeps(c, sleeps),
        )
    assert sleeps == [2, 2]  # a third wait would make 6 s
    assert info.value.retry_after == 2
    assert len(fake_legs_api.requests) == 3


def test_a_retry_after_past_max_retry_wait_is_raised_at_once(
    kind: Kind, fake_legs_api: FakeLegsAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_legs_api.fail_next(1, status=429, retry_after=60)
    sleeps: list[float] = []
    with (
        caplog.at_level(logging.INFO, logger="exoml.client"),
        pytest.raises(RateLimitError) as info,
    ):
        send(
            kind,
            fake_legs_api,
            "LEG1",
            HELLO,
            client_options={"max_retry_wait": 10},
            setup=lambda c: record_sleeps(c, sleeps),
        )
    assert info.value.retry_after == 60
    assert sleeps == []
    assert "not waiting 60.00 s for Retry-After: past max_retry_wait (10 s" in caplog.text


def test_max_retry_wait_zero_never_waits(kind: Kind, closed_port: int) -> None:
    transport = counting_transport(kind)
    api = _Unstarted(FakeLegsAPI(), f"http://127.0.0.1:{closed_port}")
    options: dict[str, Any] = {"max_retries": 3, "max_retry_wait": 0, "transport": transport}
    with pytest.raises(TransportError):
        send(kind, api, "LEG1", HELLO, client_options=options)
    assert transport.calls == 1


def test_each_retry_and_its_wait_is_logged_at_info(
    kind: Kind, fake_legs_api: FakeLegsAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_legs_api.fail_next(2, status=429, retry_after=1.5)
    sleeps: list[float] = []
    with caplog.at_level(logging.INFO, logger="exoml.client"):
        send(kind, fake_legs_api, "LEG1", HELLO, setup=lambda c: record_sleeps(c, sleeps))
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert [r.levelno for r in retries] == [logging.INFO, logging.INFO]
    assert [r.getMessage().rsplit("; ", 1)[1] for r in retries] == [
        "retrying in 1.50 s",
        "retrying in 1.50 s",
    ]
    assert "attempt 1 of 3 failed (HTTP 429 rate_limit_exceeded" in retries[0].getMessage()
    assert fake_legs_api.api_token not in caplog.text


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_not_retried_by_default(
    kind: Kind, fake_legs_api: FakeLegsAPI, status: int
) -> None:
    fake_legs_api.fail_next(1, status=status)
    with pytest.raises(ServerError):
        send(kind, fake_legs_api, "LEG1", HELLO, client_options={"max_retries": 5})
    assert len(fake_legs_api.requests) == 1


def test_server_errors_retried_when_asked(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.fail_next(2, status=500)
    options = {"retry_server_errors": True, "max_retries": 2}
    send(kind, fake_legs_api, "LEG1", HELLO, client_options=options)
    assert [r.status for r in fake_legs_api.requests] == [500, 500, 202]
    assert len(fake_legs_api.actions) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 418])
def test_client_errors_are_never_retried(
    kind: Kind, fake_legs_api: FakeLegsAPI, status: int
) -> None:
    fake_legs_api.fail_next(1, status=status)
    options = {"retry_server_errors": True, "max_retries": 3}
    with pytest.raises(ApiError):
        send(kind, fake_legs_api, "LEG1", HELLO, client_options=options)
    assert len(fake_legs_api.requests) == 1


def test_connect_errors_are_retried(kind: Kind, closed_port: int) -> None:
    transport = counting_transport(kind)
    api = FakeLegsAPI()  # never started: only its credentials are used
    options: dict[str, Any] = {"max_retries": 2, "transport": transport}
    api_url = f"http://127.0.0.1:{closed_port}"
    with pytest.raises(TransportError) as info:
        send(kind, _Unstarted(api, api_url), "LEG1", HELLO, client_options=options)
    assert transport.calls == 3
    assert "nothing was sent" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_connect_errors_without_retries(kind: Kind, closed_port: int) -> None:
    transport = counting_transport(kind)
    options: dict[str, Any] = {"max_retries": 0, "transport": transport}
    api = _Unstarted(FakeLegsAPI(), f"http://127.0.0.1:{closed_port}")
    with pytest.raises(TransportError):
        send(kind, api, "LEG1", HELLO, client_options=options)
    assert transport.calls == 1


def test_read_timeout_is_not_retried_by_default(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.stall_next(1, seconds=1.5)
    transport = counting_transport(kind)
    options: dict[str, Any] = {"timeout": 0.5, "max_retries": 3, "transport": transport}
    with pytest.raises(TransportError) as info:
        send(kind, fake_legs_api, "LEG1", HELLO, client_options=options)
    assert transport.calls == 1
    assert "may have run" in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    # The server ran the action after all: this is why a timeout is not retried blindly.
    wait_for(lambda: len(fake_legs_api.actions) == 1)


def test_read_timeout_retried_when_asked(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    # The second attempt has a whole second to be answered, the first stalls far longer.
    fake_legs_api.stall_next(1, seconds=2.5)
    transport = counting_transport(kind)
    options: dict[str, Any] = {
        "timeout": 1.0,
        "retry_server_errors": True,
        "transport": transport,
    }
    send(kind, fake_legs_api, "LEG1", HELLO, client_options=options)
    assert transport.calls == 2
    # The stalled first attempt also completes on the server: the action ran twice.
    wait_for(lambda: len(fake_legs_api.actions) == 2)


# -- addressing ---------------------------------------------------------------------------

AWKWARD_SIDS = [
    "a/b",
    "a?b c",
    "../../v2/accounts/other",
    "..",
    ".",
    "a#frag",
    "%2F",
    "नमस्ते-ñ-日本",
    "tab\tand\nnewline",
]


@pytest.mark.parametrize("leg_sid", AWKWARD_SIDS)
def test_awkward_leg_sids_stay_in_their_segment(
    kind: Kind, fake_legs_api: FakeLegsAPI, leg_sid: str
) -> None:
    fake_legs_api.add_leg(leg_sid)
    accepted = send(kind, fake_legs_api, leg_sid, HELLO)
    assert [a.leg_sid for a in fake_legs_api.actions] == [leg_sid]
    assert accepted.leg_sid == leg_sid


def test_awkward_account_sid(kind: Kind) -> None:
    with FakeLegsAPI(account_sid="AC/1?x y ñ", legs=["a/b"]) as api:
        send(kind, api, "a/b", HELLO)
        assert [(a.account_sid, a.leg_sid) for a in api.actions] == [("AC/1?x y ñ", "a/b")]
        # A sid that is a prefix of the real path cannot reach another leg.
        with pytest.raises(LegNotFoundError):
            send(kind, api, "a", HELLO)


# -- connections ------------------------------------------------------------------------


def test_connections_are_reused(fake_legs_api: FakeLegsAPI) -> None:
    from exoml import LegsClient

    from .conftest import credentials

    with LegsClient(**credentials(fake_legs_api), base_url=fake_legs_api.url) as client:
        for n in range(3):
            client.send(f"LEG{n}", HELLO)
    assert len({r.peer for r in fake_legs_api.requests}) == 1


class _Unstarted:
    """Credentials of a FakeLegsAPI with the URL of a port where nothing listens."""

    def __init__(self, api: FakeLegsAPI, url: str) -> None:
        self.account_sid = api.account_sid
        self.api_key = api.api_key
        self.api_token = api.api_token
        self.url = url
