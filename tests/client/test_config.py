"""Client configuration, the request on the wire, and keeping the token secret."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

import httpx
import pytest

from exoml import (
    ActionAccepted,
    AsyncLegsClient,
    AuthenticationError,
    ExomlError,
    LegsClient,
    TransportError,
)
from exoml._client import REGIONS
from exoml.testing import FakeLegsAPI

from .conftest import Kind, credentials, send

HELLO = "<Flow><Say>Hello</Say></Flow>"
TOKEN = "tok-SECRET-7f1c2e9a"
CREDS: dict[str, Any] = {"account_sid": "AC1", "api_key": "key-12345678", "api_token": TOKEN}
ENV = {
    "EXOTEL_ACCOUNT_SID": "AC1",
    "EXOTEL_API_KEY": "key-12345678",
    "EXOTEL_API_TOKEN": TOKEN,
}

# -- from_env ---------------------------------------------------------------------------


@pytest.mark.parametrize("client_class", [LegsClient, AsyncLegsClient])
def test_from_env_reads_the_three_variables(client_class: type[LegsClient]) -> None:
    client = client_class.from_env(environ=ENV)
    assert type(client) is client_class
    assert client.account_sid == "AC1"
    assert client.base_url == "https://cpaas-api.in.exotel.com"


@pytest.mark.parametrize("missing", sorted(ENV))
def test_from_env_names_the_missing_variable(missing: str) -> None:
    environ = {name: value for name, value in ENV.items() if name != missing}
    with pytest.raises(ExomlError, match=f"^environment variable {missing} is not set$"):
        LegsClient.from_env(environ=environ)
    with pytest.raises(ExomlError, match=missing):
        AsyncLegsClient.from_env(environ={**environ, missing: ""})


def test_from_env_names_every_missing_variable() -> None:
    with pytest.raises(ExomlError) as info:
        LegsClient.from_env(environ={"EXOTEL_API_KEY": "k"})
    assert str(info.value) == (
        "environment variables EXOTEL_ACCOUNT_SID and EXOTEL_API_TOKEN are not set"
    )


def test_from_env_reads_the_os_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("EXOTEL_BASE_URL", "http://127.0.0.1:9/")
    with LegsClient.from_env() as client:
        assert client.base_url == "http://127.0.0.1:9"


def test_from_env_base_url_and_overrides() -> None:
    environ = {**ENV, "EXOTEL_BASE_URL": "https://proxy.example.com/exotel"}
    assert LegsClient.from_env(environ=environ).base_url == "https://proxy.example.com/exotel"
    explicit = LegsClient.from_env(environ=environ, base_url="https://other.example.com")
    assert explicit.base_url == "https://other.example.com"
    regional = LegsClient.from_env(environ=environ, region="singapore", max_retries=0)
    assert regional.base_url == "https://cpaas-api.exotel.com"


# -- base URL and region ------------------------------------------------------------------


@pytest.mark.parametrize("region", sorted(REGIONS))
def test_region_selects_a_documented_host(region: Any) -> None:
    assert LegsClient(**CREDS, region=region).base_url == REGIONS[region]


def test_region_errors() -> None:
    with pytest.raises(ValueError, match="region"):
        LegsClient(**CREDS, region="mars")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not both"):
        LegsClient(**CREDS, region="mumbai", base_url="https://x.example.com")


@pytest.mark.parametrize(
    "url",
    [
        "https://cpaas-api.exotel.com",
        "https://proxy.example.com/exotel/",
        "http://127.0.0.1:8080",
        "http://127.8.9.10",
        "http://localhost:8080",
        "http://[::1]:8080",
    ],
)
def test_accepted_base_urls(url: str) -> None:
    assert LegsClient(**CREDS, base_url=url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://cpaas-api.exotel.com", "https://"),
        ("http://10.0.0.1:8080", "https://"),
        ("http://localhost.example.com", "https://"),
        ("ftp://127.0.0.1", "https://"),
        ("cpaas-api.exotel.com", "https://"),
        ("https://user:pw@cpaas-api.exotel.com", "credentials"),
        ("https://cpaas-api.exotel.com/?x=1", "query"),
    ],
)
def test_refused_base_urls(url: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        LegsClient(**CREDS, base_url=url)
    with pytest.raises(ValueError, match=complaint):
        AsyncLegsClient(**CREDS, base_url=url)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"timeout": 0}, ValueError),
        ({"timeout": "5"}, TypeError),
        ({"timeout": float("nan")}, ValueError),
        ({"max_retries": -1}, ValueError),
        ({"max_retries": 1.5}, TypeError),
        ({"rate_limit": 0}, ValueError),
        ({"rate_limit": "100"}, TypeError),
        ({"api_token": ""}, ValueError),
        ({"account_sid": None}, TypeError),
    ],
)
def test_bad_arguments(options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        LegsClient(**{**CREDS, **options})


# -- the request on the wire ----------------------------------------------------------------


def _capture(kind: Kind, **send_options: Any) -> httpx.Request:
    """Send through a MockTransport and return the request it saw."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"request_id": "r1", "http_code": 202, "response": {"data": {"leg_sid": "L/1"}}}
        return httpx.Response(202, json=body)

    base = "https://cpaas-api.in.exotel.com"
    if kind == "sync":
        with LegsClient(**CREDS, transport=httpx.MockTransport(handler)) as client:
            result = client.send("L/1", HELLO, **send_options)
    else:

        async def run() -> ActionAccepted:
            transport = httpx.MockTransport(handler)
            async with AsyncLegsClient(**CREDS, transport=transport) as client:
                return await client.send("L/1", HELLO, **send_options)

        result = asyncio.run(run())
    assert result == ActionAccepted(request_id="r1", leg_sid="L/1", http_code=202)
    [request] = seen
    assert str(request.url).startswith(base)
    return request


def test_request_shape(kind: Kind) -> None:
    request = _capture(kind, custom_param="corr-1")
    assert request.method == "POST"
    assert request.url.raw_path == b"/v2/accounts/AC1/legs/L%2F1/actions"
    assert request.headers["content-type"] == "application/json"
    expected = base64.b64encode(f"key-12345678:{TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["user-agent"].startswith("exoml-dsl/")
    assert json.loads(request.content) == {"exoml": HELLO, "action_custom_param": "corr-1"}


def test_custom_param_key_is_omitted_when_none(kind: Kind) -> None:
    request = _capture(kind)
    assert json.loads(request.content) == {"exoml": HELLO}


def test_a_2xx_without_the_documented_body_is_still_accepted() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(202, text="queued"))
    with LegsClient(**CREDS, transport=transport) as client:
        accepted = client.send("L1", HELLO)
    assert accepted == ActionAccepted(request_id=None, leg_sid="L1", http_code=202)


def test_unexpected_httpx_errors_are_transport_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("server hung up", request=request)

    with (
        LegsClient(**CREDS, transport=httpx.MockTransport(handler)) as client,
        pytest.raises(TransportError, match="may have run") as info,
    ):
        client.send("L1", HELLO)
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)


# -- secrecy ---------------------------------------------------------------------------------


def test_repr_hides_the_token_and_most_of_the_key() -> None:
    for client in (LegsClient(**CREDS), AsyncLegsClient(**CREDS)):
        text = repr(client)
        assert TOKEN not in text
        assert "key-12345678" not in text
        assert "api_token='***'" in text
        assert "AC1" in text


def test_token_never_in_errors_or_logs(
    kind: Kind, fake_legs_api: FakeLegsAPI, caplog: pytest.LogCaptureFixture, closed_port: int
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = {"api_token": TOKEN}  # not the fake's token: a 401
    secrets = [TOKEN, base64.b64encode(f"{fake_legs_api.api_key}:{TOKEN}".encode()).decode()]
    errors: list[Exception] = []

    with pytest.raises(AuthenticationError) as auth:
        send(kind, fake_legs_api, "LEG1", HELLO, client_options=wrong)
    errors.append(auth.value)

    fake_legs_api.fail_next(1, status=429, retry_after=0)
    send(kind, fake_legs_api, "LEG1", HELLO)  # logs a retry

    unreachable = {**wrong, "base_url": f"http://127.0.0.1:{closed_port}", "max_retries": 1}
    with pytest.raises(TransportError) as transport:
        send(kind, fake_legs_api, "LEG1", HELLO, client_options=unreachable)
    errors.append(transport.value)

    texts = [str(e) for e in errors] + [repr(e) for e in errors]
    texts += [str(arg) for e in errors for arg in e.args]
    texts += [record.getMessage() for record in caplog.records]
    assert any("retrying" in record.getMessage() for record in caplog.records)
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_real_credentials_work_after_all(kind: Kind, fake_legs_api: FakeLegsAPI) -> None:
    # The counterpart of the 401 above: the fake's own token is accepted.
    assert credentials(fake_legs_api)["api_token"] == fake_legs_api.api_token
    assert send(kind, fake_legs_api, "LEG1", HELLO).http_code == 202
