"""Helpers for the client tests: run the same scenario through either client."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Callable
from typing import Any, Literal, Protocol

import httpx
import pytest

from exoml import ActionAccepted, AsyncLegsClient, LegsClient

Kind = Literal["sync", "async"]
KINDS: tuple[Kind, ...] = ("sync", "async")


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> Kind:
    """Run the test once with LegsClient and once with AsyncLegsClient."""
    value: Kind = request.param
    return value


class Server(Protocol):
    """What the helpers need of a server: its URL and credentials."""

    @property
    def url(self) -> str: ...

    account_sid: str
    api_key: str
    api_token: str


def credentials(api: Server) -> dict[str, Any]:
    return {"account_sid": api.account_sid, "api_key": api.api_key, "api_token": api.api_token}


def fast_backoff(client: LegsClient | AsyncLegsClient) -> None:
    """Shrink the retry backoff so that retry tests take milliseconds."""
    client._retry = dataclasses.replace(client._retry, backoff_base=0.001, backoff_cap=0.01)


def record_sleeps(client: LegsClient | AsyncLegsClient, into: list[float]) -> None:
    """Replace the client's sleep: record each wait instead of waiting it out."""
    if isinstance(client, LegsClient):
        client._sleep = into.append
    else:

        async def sleep(seconds: float) -> None:
            into.append(seconds)

        client._sleep = sleep


def send(
    kind: Kind,
    api: Server,
    leg_sid: str,
    exoml: Any,
    *,
    client_options: dict[str, Any] | None = None,
    setup: Callable[[Any], None] | None = None,
    **send_options: Any,
) -> ActionAccepted:
    """Send one action through a fresh client of the given kind, against ``api``.

    ``setup`` is called with the client before it sends (to record its sleeps, say).
    """
    options: dict[str, Any] = {**credentials(api), "base_url": api.url, **(client_options or {})}
    if kind == "sync":
        with LegsClient(**options) as client:
            fast_backoff(client)
            if setup is not None:
                setup(client)
            return client.send(leg_sid, exoml, **send_options)

    async def run() -> ActionAccepted:
        async with AsyncLegsClient(**options) as client:
            fast_backoff(client)
            if setup is not None:
                setup(client)
            return await client.send(leg_sid, exoml, **send_options)

    return asyncio.run(run())


class CountingTransport(httpx.HTTPTransport):
    """A real HTTP transport that counts the attempts made through it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return super().handle_request(request)


class AsyncCountingTransport(httpx.AsyncHTTPTransport):
    """The asyncio twin of :class:`CountingTransport`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return await super().handle_async_request(request)


def counting_transport(kind: Kind) -> CountingTransport | AsyncCountingTransport:
    return CountingTransport() if kind == "sync" else AsyncCountingTransport()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
