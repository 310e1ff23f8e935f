"""How the fake delivers events: HTTPS POSTs to an event endpoint, as Exotel documents it.

Exotel's contract, as :file:`EXOML-SOURCES.md` records it ("Leg events"): a ``POST`` with
a JSON body; any 2xx acknowledges; up to 3 attempts of about 1 s each on 408, 429, 5xx,
time-outs and connection errors, none on other 4xx, the event dropped after the last;
headers ``User-Agent: Exotel-Hermix/<version>``, ``X-Exotel-Event-Sid``,
``X-Exotel-Request-Id: <event_sid>-<attempt>`` and ``Authorization: Basic ...`` only when
basic auth is configured for the endpoint.

One worker thread per delivery key (a leg or a bridge) sends that key's events one at a
time, in the order they were generated; different keys are delivered concurrently.
"""

from __future__ import annotations

import base64
import http.client
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

__all__ = ["Deliverer", "Delivery", "DeliveryAttempt"]

logger = logging.getLogger("exoml.testing.fake_api")

#: The User-Agent Exotel's event sender identifies itself with (its version is not
#: documented; this one is the fake's).
USER_AGENT = "Exotel-Hermix/1.0.0"
_RETRIED = frozenset({408, 429})
_Connections = dict[tuple[str, str, int], http.client.HTTPConnection]


@dataclass(frozen=True)
class DeliveryAttempt:
    """One attempt to deliver one event to an event endpoint, and what came of it.

    ``status`` is the HTTP status the endpoint answered (``None`` when it did not answer:
    then ``error`` says why: a time-out, a refused connection); ``url`` is the endpoint
    without its credentials; ``attempt`` counts from 1; ``started`` is
    :func:`time.monotonic` when the attempt began and ``seconds`` how long it took.
    ``final`` is True for the attempt after which no other is made.
    """

    event_sid: str
    event_name: str
    leg_sid: str | None
    bridge_sid: str | None
    url: str
    attempt: int
    status: int | None
    error: str | None
    started: float
    seconds: float
    final: bool

    @property
    def acknowledged(self) -> bool:
        """Whether the endpoint acknowledged the event (a 2xx)."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True)
class Delivery:
    """One event to deliver: where, what, and whom to tell the outcome."""

    key: str
    url: str
    body: bytes
    event_sid: str
    event_name: str
    leg_sid: str | None
    bridge_sid: str | None
    done: Callable[[int | None, str | None], None]


class Deliverer:
    """Delivers events over HTTP(S), in order per key, with Exotel's retries."""

    def __init__(
        self,
        *,
        timeout: float,
        attempts: int,
        backoff: float,
        auth: tuple[str, str] | None,
        record: Callable[[DeliveryAttempt], None],
    ) -> None:
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.auth = auth
        self._record = record
        self._lock = threading.Condition()
        self._queues: dict[str, deque[Delivery]] = {}
        self._busy: set[str] = set()
        # Kept-alive connections per key, between bursts of its events (as a sender with a
        # connection pool keeps them): only the key's worker touches its entry.
        self._connections: dict[str, _Connections] = {}
        self._closing = threading.Event()

    def submit(self, delivery: Delivery) -> None:
        """Queue an event; its key's worker sends it after the key's earlier events."""
        with self._lock:
            if self._closing.is_set():
                return
            self._queues.setdefault(delivery.key, deque()).append(delivery)
            if delivery.key in self._busy:
                return
            self._busy.add(delivery.key)
        worker = threading.Thread(
            target=self._work, args=(delivery.key,), name=f"fake-events:{delivery.key}", daemon=True
        )
        worker.start()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued event has had its last attempt; False on time-out."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    @property
    def pending(self) -> int:
        """Events queued or in delivery."""
        with self._lock:
            return sum(len(q) for q in self._queues.values()) + len(self._busy)

    def close(self) -> None:
        """Stop delivering: queued events are dropped, attempts in progress end soon."""
        self._closing.set()
        with self._lock:
            self._queues.clear()
            idle = [self._connections.pop(key) for key in list(self._connections)]
            self._lock.notify_all()
        for connections in idle:
            for connection in connections.values():
                connection.close()

    # -- the worker --------------------------------------------------------------------

    def _work(self, key: str) -> None:
        with self._lock:
            connections = self._connections.pop(key, {})
        try:
            while True:
                with self._lock:
                    queue = self._queues.get(key)
                    if not queue or self._closing.is_set():
                        self._queues.pop(key, None)
                        if not self._closing.is_set():
                            self._connections[key] = connections
                            connections = {}
                        self._busy.discard(key)
                        self._lock.notify_all()
                        return
                    delivery = queue.popleft()
                self._deliver(delivery, connections)
        finally:
            for connection in connections.values():
                connection.close()

    def _deliver(
        self,
        delivery: Delivery,
        connections: dict[tuple[str, str, int], http.client.HTTPConnection],
    ) -> None:
        parts = urlsplit(delivery.url)
        scheme = parts.scheme.lower()
        host = parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        shown = delivery.url.replace(f"{parts.username}:{parts.password}@", "", 1)
        if parts.username is not None:
            shown = shown.replace(f"{parts.username}@", "", 1)
            credentials: tuple[str, str] | None = (
                unquote(parts.username),
                unquote(parts.password or ""),
            )
        else:
            credentials = self.auth
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Exotel-Event-Sid": delivery.event_sid,
        }
        if credentials is not None:
            token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        status: int | None = None
        error: str | None = None
        for attempt in range(1, self.attempts + 1):
            if self._closing.is_set():
                error = "the fake API closed before the event was delivered"
                break
            headers["X-Exotel-Request-Id"] = f"{delivery.event_sid}-{attempt}"
            started = time.monotonic()
            status, error = self._post(
                connections, (scheme, host, port), path, delivery.body, headers
            )
            retry = status is None or status in _RETRIED or 500 <= status < 600
            final = not retry or attempt == self.attempts
            logger.info(
                "event %s %s -> %s (attempt %d): %s",
                delivery.event_name,
                delivery.event_sid,
                shown,
                attempt,
                status if status is not None else error,
            )
            self._record(
                DeliveryAttempt(
                    event_sid=delivery.event_sid,
                    event_name=delivery.event_name,
                    leg_sid=delivery.leg_sid,
                    bridge_sid=delivery.bridge_sid,
                    url=shown,
                    attempt=attempt,
                    status=status,
                    error=error,
                    started=started,
                    seconds=time.monotonic() - started,
                    final=final,
                )
            )
            if final:
                break
            if self.backoff:
                self._closing.wait(self.backoff)
        if status is not None and not 200 <= status < 300 and error is None:
            error = f"the endpoint answered {status}"
        delivery.done(status, error)

    def _post(
        self,
        connections: _Connections,
        where: tuple[str, str, int],
        path: str,
        body: bytes,
        headers: dict[str, str],
    ) -> tuple[int | None, str | None]:
        scheme, host, port = where
        for fresh in (False, True):
            connection = connections.get(where)
            if connection is None or fresh:
                if connection is not None:
                    connection.close()
                factory = (
                    http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
                )
                connection = factory(host, port, timeout=self.timeout)
                connections[where] = connection
                reused = False
            else:
                reused = True
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.will_close:
                    connection.close()
                    connections.pop(where, None)
                return response.status, None
            except TimeoutError:
                connection.close()
                connections.pop(where, None)
                return None, f"no answer within {self.timeout:g} s"
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connections.pop(where, None)
                if reused and not fresh:
                    continue  # a kept-alive connection the endpoint had closed: reconnect once
                return None, f"{type(exc).__name__}: {exc}"
        return None, "the connection failed"
