"""FakeLegsAPI itself: the endpoint's answers, fault injection, the standalone server."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from exoml.testing import FakeLegsAPI, RecordedAction

HELLO = "<Flow><Say>Hello</Say></Flow>"


def post(
    api: FakeLegsAPI,
    body: object = None,
    *,
    leg: str = "L1",
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> httpx.Response:
    url = f"{api.url}/v2/accounts/{api.account_sid}/legs/{leg}/actions"
    if headers is None or "Authorization" not in headers:
        auth = auth or (api.api_key, api.api_token)
    return httpx.post(
        url, json=body if content is None else None, content=content, headers=headers, auth=auth
    )


def error_of(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert body["http_code"] == response.status_code
    assert isinstance(body["request_id"], str)
    error: dict[str, object] = body["response"]["error"]
    return error


def test_accepted_body_is_the_documented_one(fake_legs_api: FakeLegsAPI) -> None:
    response = post(fake_legs_api, {"exoml": HELLO, "action_custom_param": "c1"})
    assert response.status_code == 202
    body = response.json()
    assert body == {
        "request_id": body["request_id"],
        "http_code": 202,
        "response": {"data": {"leg_sid": "L1"}},
    }
    [action] = fake_legs_api.actions
    assert isinstance(action, RecordedAction)
    assert (action.exoml, action.custom_param, action.request_id) == (
        HELLO,
        "c1",
        body["request_id"],
    )
    assert action.received_at.tzinfo is not None


def test_request_ids_are_fresh(fake_legs_api: FakeLegsAPI) -> None:
    ids = {post(fake_legs_api, {"exoml": HELLO}).json()["request_id"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b"{", "application/json", "not valid JSON"),
        (b"[1]", "application/json", "JSON object"),
        (b"{}", "application/json", "'exoml' is required"),
        (b'{"exoml": 1}', "application/json", "'exoml' is required"),
        (b'{"exoml": "<Flow/>", "action_custom_param": 5}', "application/json", "custom_param"),
        (b'{"exoml": "<Flow><Answer/></Flow>"}', "text/plain", "Content-Type"),
        (b"\xff", "application/json", "not valid JSON"),
    ],
)
def test_bad_bodies_get_400(
    fake_legs_api: FakeLegsAPI, content: bytes, content_type: str, message: str
) -> None:
    response = post(fake_legs_api, content=content, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert message in str(error_of(response)["message"])
    assert fake_legs_api.actions == []


def test_invalid_exoml_gets_400_with_diagnostics(fake_legs_api: FakeLegsAPI) -> None:
    response = post(fake_legs_api, {"exoml": "<Response><Say>Hi</Say></Response>"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_exoml"
    diagnostics = error["diagnostics"]
    assert isinstance(diagnostics, list)
    assert diagnostics
    assert set(diagnostics[0]) == {"code", "severity", "message", "line", "column", "hint"}


def test_credentials_account_and_legs(fake_legs_api: FakeLegsAPI) -> None:
    api = fake_legs_api
    assert post(api, {"exoml": HELLO}, auth=(api.api_key, "wrong")).status_code == 401
    assert post(api, {"exoml": HELLO}, auth=("wrong", api.api_token)).status_code == 401
    no_auth = httpx.post(f"{api.url}/v2/accounts/{api.account_sid}/legs/L/actions", json={})
    assert no_auth.status_code == 401
    garbage = {"Authorization": "Basic !!!"}
    assert post(api, {"exoml": HELLO}, headers=garbage).status_code == 401
    bearer = {"Authorization": f"Bearer {api.api_token}"}
    assert post(api, {"exoml": HELLO}, headers=bearer).status_code == 401
    other = httpx.post(
        f"{api.url}/v2/accounts/ACother/legs/L1/actions",
        json={"exoml": HELLO},
        auth=(api.api_key, api.api_token),
    )
    assert other.status_code == 403
    api.add_leg("L1")
    assert post(api, {"exoml": HELLO}, leg="L2").status_code == 404
    assert post(api, {"exoml": HELLO}, leg="L1").status_code == 202
    api.remove_leg("L1")
    assert post(api, {"exoml": HELLO}, leg="L1").status_code == 404
    assert len(api.actions) == 1


def test_other_paths_and_methods(fake_legs_api: FakeLegsAPI) -> None:
    api = fake_legs_api
    auth = (api.api_key, api.api_token)
    assert httpx.post(f"{api.url}/v2/accounts/x/legs/y/z", auth=auth).status_code == 404
    assert httpx.post(f"{api.url}/v2/accounts/x/calls", auth=auth).status_code == 404
    assert httpx.post(f"{api.url}/", auth=auth).status_code == 404
    # A leg is read, not posted to.
    assert httpx.post(f"{api.url}/v2/accounts/x/legs/y", auth=auth).status_code == 405
    url = f"{api.url}/v2/accounts/{api.account_sid}/legs/L1/actions"
    assert httpx.get(url, auth=auth).status_code == 405


def test_fail_next_then_recovers(fake_legs_api: FakeLegsAPI) -> None:
    api = fake_legs_api
    api.fail_next(2, status=429, retry_after=3)
    api.fail_next(1, status=500)
    first = post(api, {"exoml": HELLO})
    assert (first.status_code, first.headers["Retry-After"]) == (429, "3")
    assert error_of(first)["code"] == "rate_limit_exceeded"
    assert post(api, {"exoml": HELLO}).status_code == 429
    assert post(api, {"exoml": HELLO}).status_code == 500
    assert post(api, {"exoml": HELLO}).status_code == 202
    assert [r.status for r in api.requests] == [429, 429, 500, 202]


def test_stall_next_delays_then_handles(fake_legs_api: FakeLegsAPI) -> None:
    fake_legs_api.stall_next(1, seconds=0.2)
    started = time.monotonic()
    assert post(fake_legs_api, {"exoml": HELLO}).status_code == 202
    assert time.monotonic() - started >= 0.2


def test_close_ends_a_stall_promptly() -> None:
    api = FakeLegsAPI().start()
    api.stall_next(1, seconds=30)
    with httpx.Client(timeout=1.0) as client, pytest.raises(httpx.ReadTimeout):
        client.post(
            f"{api.url}/v2/accounts/{api.account_sid}/legs/L/actions",
            json={"exoml": HELLO},
            auth=(api.api_key, api.api_token),
        )
    started = time.monotonic()
    api.close()
    # Far less than the 30 s stall (the bound is generous for a loaded machine).
    assert time.monotonic() - started < 10


def test_rate_limit_window(fake_legs_api: FakeLegsAPI) -> None:
    with FakeLegsAPI(rate_limit=2, rate_window=30) as api:
        assert [post(api, {"exoml": HELLO}).status_code for _ in range(3)] == [202, 202, 429]
        assert api.requests[-1].status == 429


def test_reset_and_repr() -> None:
    with FakeLegsAPI(account_sid="AC9") as api:
        post(api, {"exoml": HELLO})
        api.fail_next(1)
        api.reset()
        assert api.actions == []
        assert api.requests == []
        assert post(api, {"exoml": HELLO}).status_code == 202
        assert api.api_token not in repr(api)
        assert "AC9" in repr(api)
    assert "stopped" in repr(api)
    with pytest.raises(RuntimeError):
        api.url  # noqa: B018


def test_tokens_differ_between_servers() -> None:
    assert FakeLegsAPI().api_token != FakeLegsAPI().api_token


def test_basic_auth_with_colon_in_token() -> None:
    with FakeLegsAPI(api_token="a:b") as api:
        header = "Basic " + base64.b64encode(f"{api.api_key}:a:b".encode()).decode()
        response = post(api, {"exoml": HELLO}, headers={"Authorization": header})
        assert response.status_code == 202
        truncated = "Basic " + base64.b64encode(f"{api.api_key}:a".encode()).decode()
        response = post(api, {"exoml": HELLO}, headers={"Authorization": truncated})
        assert response.status_code == 401


def test_standalone_server_prints_credentials_and_serves() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "exoml.testing.fake_api",
            "--port",
            "0",
            "--quiet",
            "--no-auto-answer",
            "--ring-seconds",
            "0.5",
            "--event-auth",
            "hermix:pw",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        exports = dict(
            line.removeprefix("export ").strip().split("=", 1)
            for line in lines
            if line.startswith("export ")
        )
        assert lines[0].startswith("Fake Legs API on http://127.0.0.1:")
        url = exports["EXOTEL_BASE_URL"]
        response = httpx.post(
            f"{url}/v2/accounts/{exports['EXOTEL_ACCOUNT_SID']}/legs/L1/actions",
            json={"exoml": HELLO},
            auth=(exports["EXOTEL_API_KEY"], exports["EXOTEL_API_TOKEN"]),
        )
        assert response.status_code == 202
        legs = f"{url}/v2/accounts/{exports['EXOTEL_ACCOUNT_SID']}/legs"
        auth = (exports["EXOTEL_API_KEY"], exports["EXOTEL_API_TOKEN"])
        body = {
            "contact_uri": "+919876543210",
            "exophone": "0804",
            "leg_event_endpoint": "grpc://e",
        }
        created = httpx.post(legs, json=body, auth=auth)
        assert created.status_code == 202
        sid = created.json()["response"]["data"]["leg_sid"]
        leg = httpx.get(f"{legs}/{sid}", auth=auth).json()["response"]["data"]
        assert leg["state"] == "ringing"  # --no-auto-answer: nobody picks up
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--event-auth", "nocolon"], "--event-auth: takes USER:PASSWORD"),
        (["--ring-seconds", "-1"], "must be 0 or more seconds"),
        (["--media-seconds", "soon"], "not a number of seconds"),
    ],
)
def test_standalone_server_refuses_bad_options(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "exoml.testing.fake_api", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
