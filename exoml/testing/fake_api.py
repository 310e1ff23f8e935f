"""A fake of Exotel's Legs API that plays the call: a real HTTP server on 127.0.0.1.

Use :class:`FakeLegsAPI` in tests (or the ``fake_legs_api`` pytest fixture) to exercise
code that places calls, sends ExoML and handles events, over real HTTP, without an
Exotel account. Under ``/v2/accounts/{account_sid}`` it implements, as Exotel documents
them: ``POST /legs`` (create a leg), ``GET /legs/{leg_sid}``, ``GET
/legs/{leg_sid}/external-events``, ``POST /legs/{leg_sid}/actions``, ``POST /bridges``,
``GET`` and ``PUT /bridges/{bridge_sid}`` and ``POST /bridges/{bridge_sid}/actions``. A
created leg rings and is answered; actions play out and emit their events, which are
POSTed to the leg's (or bridge's) event endpoint with Exotel's headers and retries. It
records every request, action, event and delivery attempt, and can be told to fail.

Run it standalone for manual experiments; it prints its URL and credentials as shell
``export`` lines::

    python -m exoml.testing.fake_api --port 8080

>>> from exoml.testing import FakeLegsAPI
>>> with FakeLegsAPI() as api:
...     api.url.startswith("http://127.0.0.1:")
True
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import hmac
import json
import logging
import math
import secrets
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_to_bytes, urlsplit

from ._calls import CallError, Exchange, ManualClock, Reason, parse_verbs
from ._delivery import Deliverer, DeliveryAttempt

__all__ = [
    "DeliveryAttempt",
    "FakeLegsAPI",
    "ManualClock",
    "RecordedAction",
    "RecordedRequest",
    "main",
]

logger = logging.getLogger("exoml.testing.fake_api")

# Error codes in the documented error body. Only 429's is documented
# ("rate_limit_exceeded"); the others follow the same snake_case style.
_ERROR_CODES = {
    400: "invalid_request",
    401: "authentication_failed",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    411: "length_required",
    413: "payload_too_large",
    429: "rate_limit_exceeded",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
}

_MAX_BODY = 1024 * 1024
#: JSON bodies nested deeper than this are refused (400), as a real API would.
_MAX_JSON_DEPTH = 64


class _Refusal(Exception):
    """Raised anywhere in request handling to answer with ``reply`` at once."""

    def __init__(self, reply: _Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


@dataclass(frozen=True)
class RecordedAction:
    """One action the fake accepted (answered 202).

    ``received_at`` is wall-clock UTC; ``monotonic`` is the server's clock at arrival
    (:func:`time.monotonic` unless ``clock=`` was given), comparable with the test's own
    clock since the server runs in the same process.
    """

    leg_sid: str
    exoml: str
    custom_param: str | None
    request_id: str
    account_sid: str
    received_at: datetime
    monotonic: float
    #: The sid the events of this action carry (``None`` for a leg the fake does not
    #: simulate: one it accepts without having created it).
    action_sid: str | None = None
    #: The bridge the action was sent to (then ``leg_sid`` is empty).
    bridge_sid: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received, whatever it answered (use it to count attempts).

    Requests the fake could not even parse (a malformed request line or headers, a path
    that is not valid percent-encoded UTF-8, conflicting ``Content-Length`` headers) are
    recorded too, with the 400 they were answered with; ``method`` and ``path`` are then
    what could be read of them (possibly empty).
    """

    method: str
    path: str
    leg_sid: str | None
    status: int
    monotonic: float
    #: The client's (host, port): the same port for two requests means a reused connection.
    peer: tuple[str, int]
    #: The bridge the request addressed, if any.
    bridge_sid: str | None = None


@dataclass(frozen=True)
class _Fault:
    status: int = 500
    retry_after: str | None = None
    body: bytes | None = None
    content_type: str = "text/plain; charset=utf-8"
    stall: float = 0.0


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    retry_after: str | None = None


class FakeLegsAPI:
    """An in-process fake of Exotel's Legs API that plays calls, served on 127.0.0.1.

    Use it as a context manager (or :meth:`start` and :meth:`close`); point a client at
    :attr:`url` with :attr:`account_sid`, :attr:`api_key` and :attr:`api_token`. The
    actions endpoint answers like the real API:

    - 401 when the Basic credentials are wrong, 403 for another account's sid;
    - 404 for a leg it does not know: every leg is accepted until :meth:`add_leg` is
      called (or ``legs=`` given), after which only the added legs exist;
    - 400 when the body is not a JSON object with a string ``exoml`` (and, if present, a
      string ``action_custom_param``), or when :func:`exoml.validate` finds errors in the
      ExoML: the error body then lists the diagnostics;
    - 429 when more than ``rate_limit`` requests arrive within ``rate_window`` seconds
      (off by default), with a ``Retry-After``;
    - 202 with the documented body and a fresh ``request_id`` otherwise.

    ``latency`` (seconds) delays every answer, so that requests overlap as they would
    against a remote server. ``clock`` (default :func:`time.monotonic`) times the rate
    limit window and the records; give a fake clock to test rate limits without timing.

    Every request gets an HTTP answer and a record, whatever it holds: a request line or
    headers it cannot parse, a path that is not valid percent-encoded UTF-8, a body that
    is not JSON, or JSON nested deeper than 64 levels, is answered 400; more than one
    ``Content-Length``, a malformed one, or one together with ``Transfer-Encoding`` is
    answered 400 and the connection closed; a failure of the fake itself is a 500.

    Accepted actions are in :attr:`actions`, every request with its status in
    :attr:`requests`. :meth:`fail_next` and :meth:`stall_next` inject faults.

    **Playing the call.** A leg created with ``POST /legs`` emits ``leg_connecting`` and
    ``leg_ringing``, then is answered after ``ring_seconds`` (``leg_answered``), unless
    ``auto_answer=False``: then the test answers with :meth:`answer`, or refuses with
    :meth:`reject` (``"busy"``, ``"no-answer"``, ``"failed"``), and a leg nobody
    answers ends after its ``ring_timeout``. Each action's verbs run in order and emit
    the events the catalogue lists for them: ``StartPlay`` emits ``play_started``, then
    ``play_completed`` after ``media_seconds`` per loop (``loop="0"``, the default,
    plays until stopped) or ``play_interrupted`` when stopped, replaced or hung up;
    ``Say`` the same with ``say_*``; ``Gather`` waits for :meth:`press` and reports the
    digits in ``gather_success`` (``numDigits`` and ``finishOnKey`` honoured; keys
    pressed before it starts count, as a caller typing ahead; after ``timeoutInSec``, or
    ``gather_timeout``, it reports what it has); ``Dial`` rings a second leg and bridges
    the two; ``JoinBridge``, ``LeaveBridge`` and ``Hangup`` do what they say.
    :meth:`hang_up` is the caller hanging up. Bridges emit ``bridge_created``,
    ``leg_joined_bridge``, ``leg_left_bridge`` and ``bridge_terminal`` to their event
    endpoint, and end when fewer than two legs are left in them.

    Durations elapse on the real clock, or, when ``clock`` is a :class:`ManualClock`,
    only when a test moves it with ``clock.advance(seconds)``.

    **Delivering events.** Events go to the leg's (or bridge's) event endpoint when it
    is an ``http(s)://`` URL on a loopback host (any host with ``deliver_anywhere=True``;
    events for other endpoints are recorded, not sent): a POST of the JSON body with ``User-Agent:
    Exotel-Hermix/...``, ``X-Exotel-Event-Sid`` and ``X-Exotel-Request-Id:
    <event_sid>-<attempt>``, and Basic auth when the endpoint URL carries credentials
    (``https://user:pass@host/path``) or ``event_auth=(user, password)`` is given. An
    answer of 408, 429 or 5xx, a time-out (``delivery_timeout``, 1 s) or a connection
    error is retried, up to ``delivery_attempts`` (3) in all, ``delivery_backoff``
    seconds apart; other 4xx are not. One leg's events are delivered one at a time, in
    order. :attr:`deliveries` records every attempt; :meth:`events` every event
    generated; :meth:`wait_for` waits for one; :meth:`wait_delivered` for the queue to
    drain.

    >>> import httpx
    >>> with FakeLegsAPI() as api:
    ...     r = httpx.post(f"{api.url}/v2/accounts/{api.account_sid}/legs/L1/actions",
    ...                    json={"exoml": "<Flow><Answer/></Flow>"},
    ...                    auth=(api.api_key, api.api_token))
    ...     (r.status_code, [a.leg_sid for a in api.actions])
    (202, ['L1'])
    """

    def __init__(
        self,
        *,
        account_sid: str = "ACfake0000000000000000000000000000",
        api_key: str = "fake-api-key",
        api_token: str | None = None,
        legs: Iterable[str] | None = None,
        port: int = 0,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
        latency: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        auto_answer: bool = True,
        ring_seconds: float = 0.0,
        media_seconds: float = 0.0,
        gather_timeout: float = 5.0,
        delivery_timeout: float = 1.0,
        delivery_attempts: int = 3,
        delivery_backoff: float = 0.0,
        event_auth: tuple[str, str] | None = None,
        deliver_anywhere: bool = False,
    ) -> None:
        for name, value in (
            ("ring_seconds", ring_seconds),
            ("media_seconds", media_seconds),
            ("delivery_backoff", delivery_backoff),
        ):
            if not 0 <= value < float("inf"):
                raise ValueError(f"{name} must be 0 or more seconds, not {value!r}")
        for name, value in (
            ("gather_timeout", gather_timeout),
            ("delivery_timeout", delivery_timeout),
        ):
            if not 0 < value < float("inf"):
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if isinstance(delivery_attempts, bool) or not isinstance(delivery_attempts, int):
            raise TypeError(f"delivery_attempts must be an int, not {delivery_attempts!r}")
        if delivery_attempts < 1:
            raise ValueError(f"delivery_attempts must be at least 1, not {delivery_attempts}")
        if isinstance(port, bool) or not isinstance(port, int):
            raise TypeError(f"port must be an int, not {port!r}")
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, not {port}")
        if rate_limit is not None:
            if isinstance(rate_limit, bool) or not isinstance(rate_limit, int):
                raise TypeError(f"rate_limit must be an int or None, not {rate_limit!r}")
            if rate_limit < 1:
                raise ValueError(f"rate_limit must be at least 1, not {rate_limit}")
        if not 0 < rate_window < float("inf"):
            raise ValueError(
                f"rate_window must be a positive number of seconds, not {rate_window!r}"
            )
        if not 0 <= latency < float("inf"):
            raise ValueError(f"latency must be 0 or more seconds, not {latency!r}")
        self.account_sid = account_sid
        self.api_key = api_key
        # A fresh token per server, so that a test leaking it cannot pass by coincidence.
        self.api_token = api_token if api_token is not None else secrets.token_urlsafe(18)
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.latency = latency
        self._clock = clock
        self._port = port
        self._lock = threading.Lock()
        self._legs: set[str] | None = None
        self._actions: list[RecordedAction] = []
        self._requests: list[RecordedRequest] = []
        self._faults: deque[_Fault] = deque()
        self._window: deque[float] = deque()
        self._in_flight: dict[str | None, int] = {}
        self._peak: dict[str | None, int] = {}
        self._in_flight_total = 0
        self._peak_total = 0
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._bridge_actions: list[RecordedAction] = []
        self._deliveries: list[DeliveryAttempt] = []
        self._delivery_settings = (
            delivery_timeout,
            delivery_attempts,
            delivery_backoff,
            event_auth,
        )
        manual = clock if isinstance(clock, ManualClock) else None
        self._exchange_settings = (auto_answer, ring_seconds, media_seconds, gather_timeout, manual)
        self.deliver_anywhere = deliver_anywhere
        self._exchange = self._new_exchange()
        for sid in legs or ():
            self.add_leg(sid)

    def _new_exchange(self) -> Exchange:
        timeout, attempts, backoff, auth = self._delivery_settings
        auto_answer, ring, media, gather, clock = self._exchange_settings
        self._deliverer = Deliverer(
            timeout=timeout,
            attempts=attempts,
            backoff=backoff,
            auth=auth,
            record=self._record_delivery,
        )
        return Exchange(
            account_sid=self.account_sid,
            clock=clock,
            auto_answer=auto_answer,
            ring_seconds=ring,
            media_seconds=media,
            gather_timeout=gather,
            deliverer=self._deliverer,
            deliver_anywhere=self.deliver_anywhere,
        )

    def _record_delivery(self, attempt: DeliveryAttempt) -> None:
        with self._lock:
            self._deliveries.append(attempt)

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> FakeLegsAPI:
        """Bind 127.0.0.1 (a free port unless ``port=`` was given) and serve in a thread."""
        if self._server is not None:
            raise RuntimeError("FakeLegsAPI is already running")
        if self._closing.is_set():
            # Started again after close(): the calls of the last run are over.
            self._exchange = self._new_exchange()
        self._closing.clear()
        self._server = _Server(("127.0.0.1", self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            # Short, so that close() (which waits for the loop to notice) is quick.
            kwargs={"poll_interval": 0.01},
            name=f"FakeLegsAPI:{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, end stalled requests and drop open connections."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._closing.set()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None
        self._exchange.close()
        self._deliverer.close()

    def __enter__(self) -> FakeLegsAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The base URL to give a client, ``http://127.0.0.1:PORT``."""
        if self._server is None:
            raise RuntimeError("FakeLegsAPI is not running: use it as a context manager")
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self.url.rsplit(":", 1)[1])

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<FakeLegsAPI {where} account_sid={self.account_sid!r}>"

    # -- configuration ------------------------------------------------------------------

    def add_leg(self, leg_sid: str, *, leg_event_endpoint: str | None = None) -> None:
        """Make ``leg_sid`` a known leg; from the first call on, unknown legs get 404.

        The leg is a call already in progress (an incoming one): actions on it play out
        and :meth:`press` and :meth:`hang_up` work on it; its events are delivered to
        ``leg_event_endpoint`` when given (else only recorded).
        """
        with self._lock:
            if self._legs is None:
                self._legs = set()
            self._legs.add(leg_sid)
        self._exchange.add_answered_leg(leg_sid, leg_event_endpoint)

    def remove_leg(self, leg_sid: str) -> None:
        """Forget a known leg (as if it hung up): actions on it now get 404."""
        with self._lock:
            if self._legs is None:
                self._legs = set()
            self._legs.discard(leg_sid)
        self._exchange.end_quietly(leg_sid)

    # -- playing the caller ---------------------------------------------------------------

    def answer(self, leg_sid: str) -> None:
        """The callee picks up a ringing leg (with ``auto_answer=False``): ``leg_answered``."""
        self._exchange.answer(leg_sid)

    def reject(self, leg_sid: str, reason: Reason = "busy") -> None:
        """A ringing leg is not answered: ``"busy"``, ``"no-answer"`` (``leg_terminated``
        with that ``terminal_status``) or ``"failed"`` (``leg_failed_to_create``)."""
        self._exchange.reject(leg_sid, reason)

    def press(self, leg_sid: str, digits: str) -> None:
        """The caller presses keys (``0``-``9``, ``*``, ``#``) on an answered leg.

        A running ``Gather`` takes them (and reports in ``gather_success`` once
        ``numDigits`` are in or ``finishOnKey`` is pressed); keys pressed while no
        ``Gather`` runs are kept for the next one.
        """
        bad = [key for key in digits if key not in "0123456789*#"]
        if not digits or bad:
            raise ValueError(f"press() takes keys 0-9, * and #, not {digits!r}")
        self._exchange.press(leg_sid, digits)

    def hang_up(self, leg_sid: str) -> None:
        """The far end hangs up: what plays is interrupted, the leg leaves its bridge,
        ``leg_terminated`` (a leg still ringing is cancelled instead)."""
        self._exchange.hang_up(leg_sid)

    # -- events and their delivery ---------------------------------------------------------

    def events(
        self, leg_sid: str | None = None, *, bridge_sid: str | None = None
    ) -> list[dict[str, Any]]:
        """Every event body generated, in order; of one leg or bridge when given (copies)."""
        return self._exchange.emitted(leg_sid, bridge_sid)

    def event_names(
        self, leg_sid: str | None = None, *, bridge_sid: str | None = None
    ) -> list[str]:
        """The names of :meth:`events`, in order."""
        return [str(e["event_name"]) for e in self.events(leg_sid, bridge_sid=bridge_sid)]

    def wait_for(
        self,
        event_name: str,
        leg_sid: str | None = None,
        *,
        bridge_sid: str | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Wait until an event of that name is generated (of that leg or bridge); return it.

        ``timeout`` only bounds a test that would otherwise hang: :class:`TimeoutError`.
        """
        return self._exchange.wait_for(leg_sid, event_name, timeout, bridge_sid)

    def wait_delivered(self, timeout: float = 10.0) -> None:
        """Wait until every generated event has had its last delivery attempt.

        ``timeout`` only bounds a test that would otherwise hang: :class:`TimeoutError`.
        """
        if not self._deliverer.wait_idle(timeout):
            raise TimeoutError(f"events still being delivered after {timeout:g} s")

    @property
    def deliveries(self) -> list[DeliveryAttempt]:
        """Every delivery attempt, with the endpoint's answer, in the order made (a copy)."""
        with self._lock:
            return list(self._deliveries)

    @property
    def bridge_actions(self) -> list[RecordedAction]:
        """Every accepted bridge action (``bridge_sid`` set, ``leg_sid`` empty), in order."""
        with self._lock:
            return list(self._bridge_actions)

    def fail_next(
        self,
        n: int = 1,
        *,
        status: int = 429,
        retry_after: float | str | None = None,
        body: str | bytes | None = None,
        content_type: str = "text/plain; charset=utf-8",
    ) -> None:
        """Answer the next ``n`` requests with ``status`` instead of handling them.

        ``retry_after`` becomes the ``Retry-After`` header (a number of seconds, or a
        string such as an HTTP date). The body is the documented JSON error body, unless
        ``body`` is given: it is then sent as is, with ``content_type`` (use it to test a
        body that is not JSON). Faults apply before any other check, in the order queued.
        """
        header = None
        if retry_after is not None:
            header = retry_after if isinstance(retry_after, str) else _format_seconds(retry_after)
        raw = body.encode("utf-8") if isinstance(body, str) else body
        fault = _Fault(status=status, retry_after=header, body=raw, content_type=content_type)
        with self._lock:
            self._faults.extend([fault] * n)

    def stall_next(self, n: int = 1, *, seconds: float) -> None:
        """Hold each of the next ``n`` requests for ``seconds`` before handling it.

        The request is then handled normally, so an action whose client gave up waiting is
        still recorded, like an action the real API ran after a read timeout.
        """
        with self._lock:
            self._faults.extend([_Fault(stall=seconds)] * n)

    def reset(self) -> None:
        """Forget recorded actions, requests and deliveries, pending faults and the rate window.

        The calls in progress and the events they generated are kept.
        """
        with self._lock:
            self._actions.clear()
            self._bridge_actions.clear()
            self._deliveries.clear()
            self._requests.clear()
            self._faults.clear()
            self._window.clear()
            self._peak.clear()
            self._peak_total = 0

    # -- what happened ------------------------------------------------------------------

    @property
    def actions(self) -> list[RecordedAction]:
        """Every accepted action, in the order accepted (a copy)."""
        with self._lock:
            return list(self._actions)

    def actions_for(self, leg_sid: str) -> list[RecordedAction]:
        """The accepted actions on one leg, in the order accepted."""
        return [action for action in self.actions if action.leg_sid == leg_sid]

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, with the status it was answered with (a copy)."""
        with self._lock:
            return list(self._requests)

    def peak_concurrency(self, leg_sid: str | None = None) -> int:
        """The most requests in progress at once: on one leg, or overall when ``None``."""
        with self._lock:
            if leg_sid is None:
                return self._peak_total
            return self._peak.get(leg_sid, 0)

    # -- request handling (called from the server's threads) ----------------------------

    def _handle(self, handler: _Handler) -> None:
        """Answer one parsed request; every request gets an answer and a record."""
        method = handler.command
        path = handler.path
        leg_sid: str | None = None
        bridge_sid: str | None = None
        try:
            route = _route(path)
            if route is not None and route.kind.startswith("leg"):
                leg_sid = route.sid
            elif route is not None:
                bridge_sid = route.sid
            self._enter(leg_sid)
            try:
                reply = self._reply(handler, method, route)
            finally:
                self._exit(leg_sid)
        except _Refusal as refusal:
            reply = refusal.reply
            # The body may be unread: the connection cannot carry another request.
            handler.close_connection = True
        except Exception:
            logger.exception("FakeLegsAPI failed on %s %r", method, path)
            reply = _error(500, "the fake API failed on this request (a bug in FakeLegsAPI)")
            handler.close_connection = True
        self._record(handler, method, path, leg_sid, reply.status, bridge_sid)
        self._answer(handler, reply)

    def _record(
        self,
        handler: _Handler,
        method: str,
        path: str,
        leg_sid: str | None,
        status: int,
        bridge_sid: str | None = None,
    ) -> None:
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    method, path, leg_sid, status, self._clock(), _peer(handler), bridge_sid
                )
            )
        logger.info("%s %s -> %d", method, _printable(path), status)

    def _answer(self, handler: _Handler, reply: _Reply) -> None:
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        if reply.retry_after is not None:
            handler.send_header("Retry-After", reply.retry_after)
        if handler.close_connection:
            handler.send_header("Connection", "close")
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(reply.body)

    def _unparsed(self, handler: _Handler, status: int, message: str | None) -> None:
        """Answer and record a request the HTTP layer refused before it reached _handle."""
        method = str(getattr(handler, "command", None) or "")
        path = str(getattr(handler, "path", None) or "")
        handler.close_connection = True
        # A request line that could not be read leaves the version at HTTP/0.9, for
        # which nothing but the body would be written: answer in HTTP/1.1 all the same.
        handler.request_version = handler.protocol_version
        self._record(handler, method, path, None, status)
        self._answer(handler, _error(status, message or _phrase(status)))

    def _reply(self, handler: _Handler, method: str, route: _Route | None) -> _Reply:
        arrived = self._clock()
        body = _read_body(handler)
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
        if self.latency:
            self._closing.wait(self.latency)
        if fault is not None and fault.stall:
            self._closing.wait(fault.stall)
        elif fault is not None:
            if fault.body is not None:
                return _Reply(fault.status, fault.body, fault.content_type, fault.retry_after)
            reply = _error(fault.status, f"{_phrase(fault.status)} (injected failure)")
            reply.retry_after = fault.retry_after
            return reply

        if route is None:
            return _error(404, "no such endpoint; see the Legs and Bridges API under /v2/accounts")
        allowed = _METHODS[route.kind]
        if method not in allowed:
            return _error(405, f"{method} is not allowed here; use {' or '.join(allowed)}")
        if not self._authenticated(handler.headers.get("Authorization")):
            return _error(401, "authentication failed: wrong API key or token")
        if route.account_sid != self.account_sid:
            return _error(403, "these credentials may not act on this account")
        limited = self._rate_limited(arrived)
        if limited is not None:
            return limited
        if route.kind == "leg_actions":
            with self._lock:
                listed = self._legs is None or route.sid in self._legs
            if not listed and not self._exchange.knows_leg(route.sid):
                return _error(404, f"leg not found: {route.sid!r}")
        payload: Any = None
        if method in ("POST", "PUT"):
            if handler.headers.get_content_type() != "application/json":
                return _error(400, "Content-Type must be application/json")
            payload = _parse_json(body)
            if not isinstance(payload, dict):
                return _error(400, "the body must be a JSON object")
        try:
            if route.kind == "leg_actions":
                return self._leg_action(route.sid, payload, arrived)
            if route.kind == "legs":
                return _accepted(self._exchange.create_leg(_create_leg_body(payload)))
            if route.kind == "leg":
                return _ok(self._exchange.leg_answer(route.sid, _status_fields(route.query)))
            if route.kind == "leg_events":
                names = route.query.get("event_name")
                name = names[-1] if names else None
                return _ok(self._exchange.leg_external_events(route.sid, name))
            if route.kind == "bridges":
                leg_sids, endpoint, absorb = _create_bridge_body(payload)
                return _accepted(self._exchange.create_bridge(leg_sids, endpoint, absorb))
            if route.kind == "bridge" and method == "GET":
                return _ok(self._exchange.bridge_answer(route.sid))
            if route.kind == "bridge":
                if payload.get("action") != "stop" or set(payload) != {"action"}:
                    return _error(400, 'the body must be {"action": "stop"}')
                self._exchange.stop_bridge(route.sid)
                return _accepted({"bridge_sid": route.sid, "action": "stop"}, method="PUT")
            return self._bridge_action(route.sid, payload, arrived)
        except CallError as exc:
            return _error(exc.status, exc.message)

    def _leg_action(self, leg_sid: str, payload: dict[str, Any], arrived: float) -> _Reply:
        exoml = payload.get("exoml")
        if not isinstance(exoml, str):
            return _error(400, "'exoml' is required and must be a string")
        custom_param = payload.get("action_custom_param")
        if custom_param is not None and not isinstance(custom_param, str):
            return _error(400, "'action_custom_param' must be a string")
        invalid = _check_exoml(exoml)
        if invalid is not None:
            return invalid
        simulated = self._exchange.knows_leg(leg_sid)
        action_sid = None
        if simulated:
            verbs = parse_verbs(exoml)
            self._exchange.check_leg_action(leg_sid, verbs)
        request_id = uuid.uuid4().hex
        with self._lock:
            # Recorded before it plays out, so that the record's order is the order of
            # arrival, and a test that sees an event finds its action recorded.
            index = len(self._actions)
            self._actions.append(
                RecordedAction(
                    leg_sid=leg_sid,
                    exoml=exoml,
                    custom_param=custom_param,
                    request_id=request_id,
                    account_sid=self.account_sid,
                    received_at=datetime.now(timezone.utc),
                    monotonic=arrived,
                )
            )
        if simulated:
            action_sid = self._exchange.leg_action(leg_sid, verbs, custom_param)
            with self._lock:
                self._actions[index] = replace(self._actions[index], action_sid=action_sid)
        accepted = {
            "request_id": request_id,
            "http_code": 202,
            "response": {"data": {"leg_sid": leg_sid}},
        }
        return _Reply(202, json.dumps(accepted).encode("utf-8"))

    def _bridge_action(self, bridge_sid: str, payload: dict[str, Any], arrived: float) -> _Reply:
        exoml = payload.get("exoml")
        if not isinstance(exoml, str):
            return _error(400, "'exoml' is required and must be a string")
        custom_param = payload.get("action_custom_param")
        if custom_param is not None and not isinstance(custom_param, str):
            return _error(400, "'action_custom_param' must be a string")
        self._exchange.bridge_answer(bridge_sid)  # 404 for an unknown bridge
        problem = _check_bridge_exoml(exoml)
        if problem is not None:
            return _error(400, f"invalid ExoML for a bridge: {problem}", code="invalid_exoml")
        request_id = uuid.uuid4().hex
        action_sid = self._exchange.bridge_action(bridge_sid, parse_verbs(exoml), custom_param)
        with self._lock:
            self._bridge_actions.append(
                RecordedAction(
                    leg_sid="",
                    exoml=exoml,
                    custom_param=custom_param,
                    request_id=request_id,
                    account_sid=self.account_sid,
                    received_at=datetime.now(timezone.utc),
                    monotonic=arrived,
                    action_sid=action_sid,
                    bridge_sid=bridge_sid,
                )
            )
        return _accepted({"bridge_sid": bridge_sid}, request_id)

    def _authenticated(self, header: str | None) -> bool:
        if header is None or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        key, sep, token = decoded.partition(b":")
        expected_key = self.api_key.encode("utf-8")
        expected_token = self.api_token.encode("utf-8")
        # Both comparisons always run, in constant time, like a real credential check.
        key_ok = hmac.compare_digest(key, expected_key)
        token_ok = hmac.compare_digest(token, expected_token)
        return bool(sep) and key_ok and token_ok

    def _rate_limited(self, now: float) -> _Reply | None:
        if self.rate_limit is None:
            return None
        with self._lock:
            while self._window and self._window[0] <= now - self.rate_window:
                self._window.popleft()
            if len(self._window) >= self.rate_limit:
                wait = self._window[0] + self.rate_window - now
                reply = _error(429, f"rate limit exceeded: {self.rate_limit} requests per window")
                reply.retry_after = str(max(1, math.ceil(wait)))
                return reply
            self._window.append(now)
        return None

    def _enter(self, leg_sid: str | None) -> None:
        with self._lock:
            self._in_flight_total += 1
            self._peak_total = max(self._peak_total, self._in_flight_total)
            count = self._in_flight.get(leg_sid, 0) + 1
            self._in_flight[leg_sid] = count
            self._peak[leg_sid] = max(self._peak.get(leg_sid, 0), count)

    def _exit(self, leg_sid: str | None) -> None:
        with self._lock:
            self._in_flight_total -= 1
            count = self._in_flight[leg_sid] - 1
            if count:
                self._in_flight[leg_sid] = count
            else:
                del self._in_flight[leg_sid]


@dataclass(frozen=True)
class _Route:
    kind: str
    account_sid: str
    sid: str
    query: dict[str, list[str]]


# The endpoints under /v2/accounts/{account_sid}: (collection, has a sid, tail) -> kind.
_ROUTES = {
    ("legs", False, None): "legs",
    ("legs", True, None): "leg",
    ("legs", True, "actions"): "leg_actions",
    ("legs", True, "external-events"): "leg_events",
    ("bridges", False, None): "bridges",
    ("bridges", True, None): "bridge",
    ("bridges", True, "actions"): "bridge_actions",
}
_METHODS: dict[str, tuple[str, ...]] = {
    "legs": ("POST",),
    "leg": ("GET",),
    "leg_actions": ("POST",),
    "leg_events": ("GET",),
    "bridges": ("POST",),
    "bridge": ("GET", "PUT"),
    "bridge_actions": ("POST",),
}


def _route(raw_path: str) -> _Route | None:
    """The endpoint a path addresses, its sids percent-decoded; ``None`` for any other.

    Raises :class:`_Refusal` (400) when a segment is not valid percent-encoded UTF-8.
    """
    path, _, query = raw_path.partition("?")
    parts = path.split("/")
    if len(parts) < 5 or parts[:3] != ["", "v2", "accounts"] or not parts[3]:
        return None
    collection, rest = parts[4], parts[5:]
    if len(rest) > 2 or (rest and not rest[0]):
        return None
    tail = rest[1] if len(rest) == 2 else None
    kind = _ROUTES.get((collection, bool(rest), tail))
    if kind is None:
        return None
    # A segment that is not valid percent-encoded UTF-8 is refused (400) by _segment.
    account = _segment(parts[3])
    sid = _segment(rest[0]) if rest else ""
    return _Route(kind, account, sid, parse_qs(query))


def _ok(data: dict[str, Any], status: int = 200) -> _Reply:
    body = {
        "request_id": uuid.uuid4().hex,
        "method": "GET",
        "http_code": status,
        "response": {"code": status, "error_data": None, "status": "success", "data": data},
    }
    return _Reply(status, json.dumps(body).encode("utf-8"))


def _accepted(data: dict[str, Any], request_id: str | None = None, method: str = "POST") -> _Reply:
    body = {
        "request_id": request_id or uuid.uuid4().hex,
        "method": method,
        "http_code": 202,
        "response": {"data": data},
    }
    return _Reply(202, json.dumps(body).encode("utf-8"))


_LEG_FIELDS: dict[str, type | tuple[str, ...]] = {
    "contact_uri": str,
    "exophone": str,
    "leg_event_endpoint": str,
    "network_type": ("pstn", "voip"),
    "custom_param": str,
    "time_limit": int,
    "timeout": int,
    "setup_timeout": int,
    "ring_timeout": int,
    "requested_dc_code": str,
    "requested_nso_code": str,
    "reference_leg_sid": str,
    "amd_enable": bool,
    "async_amd": bool,
    "priority": ("normal", "high"),
}
_REQUIRED_LEG_FIELDS = ("contact_uri", "exophone", "leg_event_endpoint")
_STATUS_FIELDS = (
    "bridge_status",
    "recording_status",
    "hold_status",
    "gather_status",
    "play_status",
    "tx_audio_status",
    "rx_audio_status",
)


def _create_leg_body(payload: dict[str, Any]) -> dict[str, Any]:
    """The create-leg body, checked as the API documents it (CallError 400 otherwise)."""
    for name in _REQUIRED_LEG_FIELDS:
        if not isinstance(payload.get(name), str) or not payload[name].strip():
            raise CallError(400, f"'{name}' is required and must be a non-empty string")
    problem = _endpoint_problem(payload["leg_event_endpoint"])
    if problem is not None:
        raise CallError(400, f"'leg_event_endpoint' {problem}")
    for name, value in payload.items():
        kind = _LEG_FIELDS.get(name)
        if kind is None:
            raise CallError(400, f"unknown field {name!r}")
        if isinstance(kind, tuple):
            if value not in kind:
                raise CallError(400, f"'{name}' must be one of {', '.join(kind)}")
        elif kind is int:
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise CallError(400, f"'{name}' must be a positive whole number of seconds")
        elif not isinstance(value, kind):
            raise CallError(400, f"'{name}' must be a {kind.__name__}")
    return payload


def _create_bridge_body(payload: dict[str, Any]) -> tuple[list[str], str, bool]:
    legs = payload.get("leg_sids")
    if not isinstance(legs, list) or len(legs) < 2:
        raise CallError(400, "'leg_sids' must be a list of at least two leg sids")
    if not all(isinstance(sid, str) and sid for sid in legs) or len(set(legs)) != len(legs):
        raise CallError(400, "'leg_sids' must list distinct, non-empty leg sids")
    endpoint = payload.get("bridge_event_endpoint")
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise CallError(400, "'bridge_event_endpoint' is required and must be a string")
    problem = _endpoint_problem(endpoint)
    if problem is not None:
        raise CallError(400, f"'bridge_event_endpoint' {problem}")
    absorb = payload.get("absorb_dtmf", False)
    if not isinstance(absorb, bool):
        raise CallError(400, "'absorb_dtmf' must be true or false")
    unknown = set(payload) - {"leg_sids", "bridge_event_endpoint", "absorb_dtmf"}
    if unknown:
        raise CallError(400, f"unknown field {sorted(unknown)[0]!r}")
    return legs, endpoint, absorb


def _endpoint_problem(endpoint: str) -> str | None:
    """What makes ``endpoint`` unusable as an event endpoint (``None``: nothing)."""
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme.lower() not in ("https", "http", "grpc", "grpcs") or not parts.hostname:
        return "must be an https:// URL or grpc://host[:port]"
    if any(c.isspace() for c in endpoint):
        return "must not contain spaces"
    return None


def _status_fields(query: dict[str, list[str]]) -> list[str]:
    """The status fields a get-leg asks for: ``?play_status=true`` flags, or ``?fields=a,b``."""
    wanted = [name for name in _STATUS_FIELDS if query.get(name, [""])[-1].lower() == "true"]
    for listed in query.get("fields", []):
        for name in listed.split(","):
            name = name.strip()
            if name not in _STATUS_FIELDS:
                raise CallError(400, f"unknown status field {name!r}")
            if name not in wanted:
                wanted.append(name)
    return wanted


# A bridge takes a smaller vocabulary than a leg (EXOML-SOURCES.md, "Bridge actions").
_BRIDGE_VERBS = {"StartPlay", "StopPlay", "Refer"}


def _check_bridge_exoml(document: str) -> str | None:
    """What is wrong with a bridge action's ExoML, or ``None`` when it is acceptable."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(document.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        return f"not well-formed XML ({exc})"
    if root.tag != "Flow":
        return f"the root element must be <Flow>, not <{root.tag!s}>"
    verbs = [child for child in root if isinstance(child.tag, str)]
    if not verbs:
        return "<Flow> has no action"
    for verb in verbs:
        if verb.tag not in _BRIDGE_VERBS:
            return f"<{verb.tag!s}> is not a bridge action (use StartPlay, StopPlay or Refer)"
        if verb.tag == "StartPlay":
            url = (verb.text or "").strip()
            if not url.startswith(("http://", "https://")) or " " in url:
                return "<StartPlay> must contain an http(s) URL"
            loop = verb.get("loop")
            if loop is not None and not (loop.isascii() and loop.isdigit() and int(loop) <= 10):
                return f"<StartPlay loop> must be 0 to 10, not {loop!r}"
        elif verb.tag == "Refer":
            endpoint = verb.get("bridgeEventEndpoint")
            if not endpoint:
                return "<Refer> needs a bridgeEventEndpoint"
        elif len(verb) or (verb.text or "").strip():
            return f"<{verb.tag!s}> takes no content"
    return None


def _segment(text: str) -> str:
    """One path segment, percent-decoded as UTF-8, or a 400 refusal."""
    try:
        return unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        raise _Refusal(_error(400, "the path is not valid percent-encoded UTF-8")) from None


def _read_body(handler: _Handler) -> bytes:
    """The request body, by its one well-formed Content-Length; a refusal otherwise.

    Anything that lets two readers disagree about where the body ends (two lengths, a
    length with a sign or spaces inside, a length beside Transfer-Encoding) is a 400.
    """
    lengths = handler.headers.get_all("Content-Length") or []
    encodings = handler.headers.get_all("Transfer-Encoding") or []
    if encodings and lengths:
        raise _Refusal(_error(400, "Transfer-Encoding and Content-Length together"))
    if encodings or (not lengths and handler.command == "POST"):
        raise _Refusal(_error(411, "send the body with a Content-Length"))
    if len(lengths) > 1:
        raise _Refusal(_error(400, "more than one Content-Length"))
    length = lengths[0].strip() if lengths else "0"
    if not (length.isascii() and length.isdigit()):
        raise _Refusal(_error(400, "bad Content-Length: not a number of bytes"))
    if len(length) > 10 or int(length) > _MAX_BODY:
        raise _Refusal(_error(413, f"the body must be at most {_MAX_BODY} bytes"))
    size = int(length)
    body = handler.rfile.read(size)
    if len(body) < size:
        raise _Refusal(_error(400, "the body is shorter than its Content-Length"))
    return body


def _parse_json(body: bytes) -> Any:
    """The JSON value of a body, or a 400 refusal saying what is wrong with it.

    NaN and Infinity are not JSON; nesting past 64 levels is refused, as is anything
    that would exhaust the parser's stack.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refusal(_error(400, "the body is not valid JSON: not UTF-8")) from None
    try:
        value = json.loads(text, parse_constant=_not_json)
    except RecursionError:
        value = None
    except ValueError:
        raise _Refusal(_error(400, "the body is not valid JSON")) from None
    else:
        if _depth(value) <= _MAX_JSON_DEPTH:
            return value
    raise _Refusal(_error(400, f"the body nests JSON deeper than {_MAX_JSON_DEPTH} levels"))


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _depth(value: Any) -> int:
    """How deeply ``value`` nests lists and dicts, counted without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > _MAX_JSON_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _check_exoml(exoml: str) -> _Reply | None:
    """A 400 reply listing the diagnostics when the ExoML has errors, else ``None``."""
    from exoml import validate

    diagnostics = validate(exoml, dialect="legs")
    errors = [d for d in diagnostics if d.is_error]
    if not errors:
        return None
    first = errors[0]
    message = f"invalid ExoML: {first.line}:{first.column}: {first.code} {first.message}"
    if len(errors) > 1:
        message += f", and {len(errors) - 1} more"
    listed = [
        {
            "code": d.code,
            "severity": d.severity,
            "message": d.message,
            "line": d.line,
            "column": d.column,
            "hint": d.hint,
        }
        for d in diagnostics
    ]
    return _error(400, message, code="invalid_exoml", diagnostics=listed)


def _error(
    status: int, message: str, *, code: str | None = None, diagnostics: list[Any] | None = None
) -> _Reply:
    """The documented error body: ``{"request_id", "http_code", "response": {"error"}}``."""
    error: dict[str, Any] = {
        "code": code or _ERROR_CODES.get(status, f"http_{status}"),
        "message": message,
    }
    if diagnostics is not None:
        error["diagnostics"] = diagnostics
    body = {"request_id": uuid.uuid4().hex, "http_code": status, "response": {"error": error}}
    return _Reply(status, json.dumps(body).encode("utf-8"))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _peer(handler: _Handler) -> tuple[str, int]:
    host, port = handler.client_address[:2]
    return str(host), int(port)


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else repr(float(seconds))


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so that clients can keep connections alive, as they would with Exotel.
    protocol_version = "HTTP/1.1"
    server: _Server
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 30
    # Headers and body are written separately: without TCP_NODELAY, Nagle's algorithm
    # and the client's delayed ACK add about 40 ms to every kept-alive response.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self.server.api._handle(self)

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # The HTTP layer's refusals (a request line or headers it cannot parse, an
        # unknown method): answered in the API's JSON shape, and recorded.
        self.server.api._unparsed(self, code, message)

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes every request to stderr; tests want silence.
        logger.debug("%s - " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    # The stdlib default backlog of 5 drops connections when a test opens hundreds at once.
    request_queue_size = 1024
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], api: FakeLegsAPI) -> None:
        self.api = api
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall on a reverse
        # DNS lookup; 127.0.0.1 needs no name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        with self._connections_lock:
            self._connections.add(connection)
        return connection, address

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        """Close kept-alive connections so their handler threads end now."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-request is normal in tests (timeouts); no traceback.
        logger.debug("error handling a request from %s", client_address, exc_info=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve a :class:`FakeLegsAPI` until interrupted; print its URL and credentials.

    >>> main(["--help"])  # doctest: +SKIP
    """
    parser = argparse.ArgumentParser(
        prog="python -m exoml.testing.fake_api",
        description="Serve a fake of Exotel's Legs API (legs, actions, bridges, events) "
        "on 127.0.0.1 until interrupted.",
        epilog="At start it prints its URL and credentials as EXOTEL_* exports, which "
        "`exoml send` and LegsClient.from_env() read. Events go to a leg's or bridge's "
        "event endpoint when that is an http(s) URL on a loopback host (127.0.0.1, localhost).",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8080,
        help="TCP port on 127.0.0.1, 0 for any free port (default: 8080)",
    )
    parser.add_argument(
        "--account-sid",
        type=_credential,
        default="ACfake0000000000000000000000000000",
        metavar="SID",
        help="the account sid the fake serves; requests for another are 403 (default: %(default)s)",
    )
    parser.add_argument(
        "--api-key",
        type=_credential,
        default="fake-api-key",
        metavar="KEY",
        help="the Basic auth user name clients must send (default: %(default)s)",
    )
    parser.add_argument(
        "--api-token",
        type=_credential,
        default=None,
        metavar="TOKEN",
        help="the Basic auth password clients must send (default: a random token, printed "
        "at start)",
    )
    parser.add_argument(
        "--leg",
        action="append",
        default=None,
        metavar="SID",
        help="a known leg (repeatable); without it every leg is accepted",
    )
    parser.add_argument(
        "--rate-limit",
        type=_positive_int,
        default=None,
        metavar="N",
        help="answer 429 (with Retry-After) past N requests a minute (default: no limit)",
    )
    parser.add_argument(
        "--no-auto-answer",
        action="store_true",
        help="created legs ring until their ring timeout (nobody answers them)",
    )
    parser.add_argument(
        "--ring-seconds",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="how long a created leg rings before it is answered (default: 0)",
    )
    parser.add_argument(
        "--media-seconds",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help="how long one loop of a prompt (StartPlay, Say) plays (default: 0)",
    )
    parser.add_argument(
        "--event-auth",
        metavar="USER:PASSWORD",
        type=_user_password,
        default=None,
        help="basic auth for event deliveries (also taken from an endpoint URL's user part)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="do not log requests")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)

    event_auth: tuple[str, str] | None = args.event_auth
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    api = FakeLegsAPI(
        account_sid=args.account_sid,
        api_key=args.api_key,
        api_token=args.api_token,
        legs=args.leg,
        port=args.port,
        rate_limit=args.rate_limit,
        auto_answer=not args.no_auto_answer,
        ring_seconds=args.ring_seconds,
        media_seconds=args.media_seconds,
        event_auth=event_auth,
    )
    try:
        api.start()
    except OSError as exc:
        sys.stderr.write(
            f"python -m exoml.testing.fake_api: error: cannot listen on "
            f"127.0.0.1:{args.port}: {exc.strerror}\n"
        )
        return 2
    sys.stdout.write(
        f"Fake Legs API on {api.url} (Ctrl-C to stop)\n"
        f"export EXOTEL_BASE_URL={api.url}\n"
        f"export EXOTEL_ACCOUNT_SID={api.account_sid}\n"
        f"export EXOTEL_API_KEY={api.api_key}\n"
        f"export EXOTEL_API_TOKEN={api.api_token}\n"
    )
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        api.close()
    return 0


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _user_password(text: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise argparse.ArgumentTypeError("takes USER:PASSWORD")
    return user, password


def _credential(text: str) -> str:
    if not text or not text.isprintable() or text != text.strip():
        raise argparse.ArgumentTypeError(
            f"must be printable text without surrounding spaces: {text!r}"
        )
    return text


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be 0 or more seconds: {text!r}")
    return value


if __name__ == "__main__":
    sys.exit(main())
