"""Real servers for the receiver tests: uvicorn and wsgiref in a thread, Redis in a process.

Every server listens on 127.0.0.1 on a port the system picks; waits are bounded and only
run out when something is broken.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from typing import Any, Literal
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import uvicorn

#: How long a wait may take before the test calls the part broken (not a timing margin).
PATIENCE = 30.0


def wait_for(condition: Any, what: str, patience: float = PATIENCE) -> None:
    """Poll ``condition()`` until it is true; fail naming ``what`` if it never is."""
    deadline = time.monotonic() + patience
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.005)


def listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@contextlib.contextmanager
def uvicorn_server(app: Any, *, lifespan: Literal["auto", "on", "off"] = "on") -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a thread; yield its URL."""
    sock = listening_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan=lifespan, log_config=None, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive(), "uvicorn to start")
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(PATIENCE)
        sock.close()


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def wsgi_server(app: Any) -> Iterator[str]:
    """Serve a WSGI app with wsgiref (a thread per request) on a thread; yield its URL."""
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(PATIENCE)
        server.server_close()


def event_body(
    sid: str,
    name: str = "play_completed",
    *,
    leg: str | None = "LEG1",
    **fields: Any,
) -> bytes:
    """An event body shaped as Exotel documents it."""
    body: dict[str, Any] = {
        "event_sid": sid,
        "event_type": "leg_action_event",
        "event_name": name,
        "event_timestamp": "2024-05-01T10:00:00.123Z",
        "action_sid": "A" + sid,
        "action_custom_parameter": "call-1",
        "event_data": {"data": {}},
        "data": {"leg_sid": leg, "account_sid": "acme", "state": "in-progress"},
    }
    if leg is None:
        del body["data"]
    body.update(fields)
    return json.dumps(body).encode()


def exotel_headers(sid: str, attempt: int = 1) -> dict[str, str]:
    """The headers Exotel sends with an event."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "Exotel-Hermix/1.0",
        "X-Exotel-Event-Sid": sid,
        "X-Exotel-Request-Id": f"{sid}-{attempt}",
    }
