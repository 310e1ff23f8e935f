"""A fake of Exotel's Leg Actions API: a real HTTP server on 127.0.0.1, for tests and demos.

Use :class:`FakeLegsAPI` in tests (or the ``fake_legs_api`` pytest fixture) to exercise
code that sends ExoML, over real HTTP, without an Exotel account. It implements
``POST /v2/accounts/{account_sid}/legs/{leg_sid}/actions`` as documented, records every
accepted action, and can be told to fail.

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
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_to_bytes

__all__ = ["FakeLegsAPI", "RecordedAction", "RecordedRequest", "main"]

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
    """An in-process fake of the Leg Actions API, served over HTTP on 127.0.0.1.

    Use it as a context manager (or :meth:`start` and :meth:`close`); point a client at
    :attr:`url` with :attr:`account_sid`, :attr:`api_key` and :attr:`api_token`. It
    answers like the real API:

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
    ) -> None:
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
        for sid in legs or ():
            self.add_leg(sid)

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> FakeLegsAPI:
        """Bind 127.0.0.1 (a free port unless ``port=`` was given) and serve in a thread."""
        if self._server is not None:
            raise RuntimeError("FakeLegsAPI is already running")
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

    def add_leg(self, leg_sid: str) -> None:
        """Make ``leg_sid`` a known leg; from the first call on, unknown legs get 404."""
        with self._lock:
            if self._legs is None:
                self._legs = set()
            self._legs.add(leg_sid)

    def remove_leg(self, leg_sid: str) -> None:
        """Forget a known leg (as if it hung up): actions on it now get 404."""
        with self._lock:
            if self._legs is None:
                self._legs = set()
            self._legs.discard(leg_sid)

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
        """Forget recorded actions and requests, pending faults and the rate window."""
        with self._lock:
            self._actions.clear()
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
        try:
            account_sid, leg_sid = _route(path)
            self._enter(leg_sid)
            try:
                reply = self._reply(handler, method, account_sid, leg_sid)
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
        self._record(handler, method, path, leg_sid, reply.status)
        self._answer(handler, reply)

    def _record(
        self, handler: _Handler, method: str, path: str, leg_sid: str | None, status: int
    ) -> None:
        with self._lock:
            self._requests.append(
                RecordedRequest(method, path, leg_sid, status, self._clock(), _peer(handler))
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

    def _reply(
        self, handler: _Handler, method: str, account_sid: str | None, leg_sid: str | None
    ) -> _Reply:
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

        if method != "POST":
            return _error(405, f"{method} is not allowed; use POST")
        if account_sid is None or leg_sid is None:
            return _error(
                404, "no such endpoint; use POST /v2/accounts/{account_sid}/legs/{leg_sid}/actions"
            )
        if not self._authenticated(handler.headers.get("Authorization")):
            return _error(401, "authentication failed: wrong API key or token")
        if account_sid != self.account_sid:
            return _error(403, "these credentials may not act on this account")
        limited = self._rate_limited(arrived)
        if limited is not None:
            return limited
        with self._lock:
            known = self._legs is None or leg_sid in self._legs
        if not known:
            return _error(404, f"leg not found: {leg_sid!r}")

        if handler.headers.get_content_type() != "application/json":
            return _error(400, "Content-Type must be application/json")
        payload = _parse_json(body)
        if not isinstance(payload, dict):
            return _error(400, "the body must be a JSON object")
        exoml = payload.get("exoml")
        if not isinstance(exoml, str):
            return _error(400, "'exoml' is required and must be a string")
        custom_param = payload.get("action_custom_param")
        if custom_param is not None and not isinstance(custom_param, str):
            return _error(400, "'action_custom_param' must be a string")
        invalid = _check_exoml(exoml)
        if invalid is not None:
            return invalid

        request_id = uuid.uuid4().hex
        with self._lock:
            self._actions.append(
                RecordedAction(
                    leg_sid=leg_sid,
                    exoml=exoml,
                    custom_param=custom_param,
                    request_id=request_id,
                    account_sid=account_sid,
                    received_at=datetime.now(timezone.utc),
                    monotonic=arrived,
                )
            )
        accepted = {
            "request_id": request_id,
            "http_code": 202,
            "response": {"data": {"leg_sid": leg_sid}},
        }
        return _Reply(202, json.dumps(accepted).encode("utf-8"))

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


def _route(raw_path: str) -> tuple[str | None, str | None]:
    """The (account_sid, leg_sid) of an actions path, percent-decoded; Nones otherwise.

    Raises :class:`_Refusal` (400) when a segment is not valid percent-encoded UTF-8.
    """
    path = raw_path.split("?", 1)[0]
    parts = path.split("/")
    if (
        len(parts) != 7
        or parts[:3] != ["", "v2", "accounts"]
        or parts[4:7:2] != ["legs", "actions"]
    ):
        return None, None
    if not parts[3] or not parts[5]:
        return None, None
    return _segment(parts[3]), _segment(parts[5])


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
        description="Serve a fake Exotel Leg Actions API on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--port", type=int, default=8080, help="TCP port (0: any free port)")
    parser.add_argument("--account-sid", default="ACfake0000000000000000000000000000")
    parser.add_argument("--api-key", default="fake-api-key")
    parser.add_argument("--api-token", default=None, help="default: a random token")
    parser.add_argument(
        "--leg",
        action="append",
        default=None,
        metavar="SID",
        help="a known leg (repeatable); without it every leg is accepted",
    )
    parser.add_argument("--rate-limit", type=int, default=None, help="requests per minute")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not log requests")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)

    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    api = FakeLegsAPI(
        account_sid=args.account_sid,
        api_key=args.api_key,
        api_token=args.api_token,
        legs=args.leg,
        port=args.port,
        rate_limit=args.rate_limit,
    )
    try:
        api.start()
    except OSError as exc:
        sys.stderr.write(f"fake_api: cannot listen on 127.0.0.1:{args.port}: {exc.strerror}\n")
        return 2
    sys.stdout.write(
        f"Fake Leg Actions API on {api.url} (Ctrl-C to stop)\n"
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


if __name__ == "__main__":
    sys.exit(main())
