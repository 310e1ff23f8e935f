"""A plain event endpoint for the fake's delivery tests: it records what arrives.

Deliberately not ``exoml.events.EventReceiver``: these tests check what the fake sends,
byte for byte and header by header, so the endpoint must not interpret anything.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Arrival:
    """One POST the endpoint received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int

    @property
    def name(self) -> str:
        return str(self.body["event_name"])

    @property
    def attempt(self) -> int:
        return int(self.headers["X-Exotel-Request-Id"].rsplit("-", 1)[1])


class Receiver:
    """An HTTP event endpoint on 127.0.0.1; ``answer`` decides each status (200 default).

    ``answer(body, attempt)`` returns the status to answer with, or ``None`` to hold the
    request until :meth:`release` (the fake's time-out then applies).
    """

    def __init__(self, answer: Callable[[dict[str, Any], int], int | None] | None = None) -> None:
        self.answer = answer or (lambda body, attempt: 200)
        self.arrivals: list[Arrival] = []
        self._changed = threading.Condition()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                attempt = int(self.headers["X-Exotel-Request-Id"].rsplit("-", 1)[1])
                status = receiver.answer(body, attempt)
                if status is None:
                    receiver._released.wait(30)
                    status = 200
                    self.close_connection = True
                arrival = Arrival(self.path, dict(self.headers.items()), body, status)
                with receiver._changed:
                    receiver.arrivals.append(arrival)
                    receiver._changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    def release(self) -> None:
        """Let held requests through."""
        self._released.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/exotel/events"

    def names(self, leg_sid: str | None = None) -> list[str]:
        """Names of the events acknowledged (2xx), in arrival order."""
        with self._changed:
            return [
                a.name
                for a in self.arrivals
                if 200 <= a.status < 300
                and (leg_sid is None or a.body["data"].get("leg_sid") == leg_sid)
            ]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Arrival]:
        """Wait until ``count`` requests have arrived (a bound for a hung test only)."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.arrivals) >= count, timeout):
                raise TimeoutError(f"{len(self.arrivals)} of {count} requests arrived")
            return list(self.arrivals)
