"""The event endpoint: :class:`EventReceiver`, an ASGI application with a WSGI twin.

What happens to one request, in order:

1. anything but ``POST`` is answered 405 (``Allow: POST``);
2. with ``username``/``password``, a missing or wrong ``Authorization: Basic`` header is
   answered 401 (``WWW-Authenticate``), compared in constant time;
3. a body larger than ``max_body_size`` (by ``Content-Length`` or as it streams in) is
   answered 413, a body that is not an event 400 (Exotel does not retry either);
4. while the receiver is closing, or has ``max_pending`` events waiting for handlers,
   it answers 503 (Exotel tries again, up to three times);
5. the event sid is claimed in the dedup store: a repeat (Exotel's retry of an event
   already acknowledged) is answered 200 and goes no further; a store that fails is
   logged and answered 503;
6. the event is acknowledged, 200 with an empty body, and only then handed to the
   handlers: each leg's events one after the other in arrival order, different legs at
   the same time; sync handlers run on the receiver's threads, async ones on the event
   loop (ASGI) or on a loop thread of the receiver (WSGI).

Delivery is at least once from Exotel and at most once to handlers: the sid is claimed
before the acknowledgement, so a handler that fails is logged (logger ``exoml.events``,
with the event sid) and not run again; Exotel, having had its 200, does not retry. A
handler that must not lose work stores it first (a database row, a job queue).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import difflib
import hmac
import inspect
import logging
import threading
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from .._errors import EventError
from ._dedup import Dedup, MemoryDedup
from ._event import Event, _build, _check, _decode
from ._event import _parse as _parse_event

__all__ = ["EventReceiver", "ReceiverStats"]

logger = logging.getLogger("exoml.events")

Handler = Callable[[Event], Any]
H = TypeVar("H", bound=Handler)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_COUNTERS = (
    "abandoned",  # the client went away before its body arrived
    "accepted",
    "duplicates",
    "handled",
    "failed",
    "unauthorized",
    "too_large",
    "invalid",
    "not_allowed",
    "unavailable",
)


@dataclass(frozen=True)
class ReceiverStats:
    """Counts of what an :class:`EventReceiver` did since it was made.

    ``received`` counts requests; ``accepted`` events acknowledged and handed to handlers;
    ``duplicates`` repeats acknowledged and dropped; ``handled`` events whose handlers all
    ran, ``failed`` handler calls that raised; then the refusals by reason (401, 413,
    400, 405, 503) and ``pending``, events acknowledged but not yet handled.
    """

    received: int
    accepted: int
    duplicates: int
    handled: int
    failed: int
    unauthorized: int
    too_large: int
    invalid: int
    not_allowed: int
    unavailable: int
    pending: int


class _Refused(Exception):
    """A request answered with an error status; ``reason`` is safe to log and to send."""

    def __init__(self, status: int, counter: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.counter = counter
        self.reason = reason


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    503: "Service Unavailable",
}


class EventReceiver:
    """Exotel's event endpoint: acknowledge each event at once, then hand it to your handlers.

    An ASGI application (run it with uvicorn, mount it in FastAPI or Starlette);
    :attr:`wsgi` is the same receiver as a WSGI application (Flask, Django, any WSGI
    server). Register handlers with :meth:`on` and :meth:`on_any`; they receive an
    :class:`Event` and may be plain functions (run on the receiver's threads) or
    ``async def`` (run on the event loop).

    - ``username``/``password``: require HTTP Basic auth, as configured for the endpoint
      at Exotel (both or neither);
    - ``dedup``: where event sids are remembered so that retries reach handlers once;
      :class:`MemoryDedup` by default, :class:`RedisDedup` for several processes;
    - ``max_body_size``: larger bodies are answered 413 (default 64 KiB);
    - ``max_pending``: events acknowledged but not yet handled, beyond which new events
      are answered 503 so that Exotel retries later;
    - ``handler_threads``: threads that run sync handlers (and, under WSGI, every leg's
      queue);
    - ``shutdown_timeout``: how long the ASGI lifespan shutdown waits for pending
      handlers (``None``: as long as they take).

    Call :meth:`close` (or ``await`` :meth:`aclose`) at shutdown to let pending handlers
    finish; under a server that speaks ASGI lifespan (uvicorn) that happens by itself.

    >>> from exoml.events import EventReceiver
    >>> receiver = EventReceiver(username="exotel", password="s3cret")
    >>> @receiver.on("gather_success")
    ... def on_digits(event):
    ...     print(event.leg_sid, event.digits)
    >>> # uvicorn.run(receiver), or: app.mount("/exotel/events", receiver)
    """

    def __init__(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        dedup: Dedup | None = None,
        max_body_size: int = 64 * 1024,
        max_pending: int = 10_000,
        handler_threads: int = 8,
        shutdown_timeout: float | None = 30.0,
        realm: str = "exoml events",
    ) -> None:
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self._credentials: tuple[bytes, bytes] | None = None
        self._expected_auth = b""
        if username is not None and password is not None:
            if not isinstance(username, str) or not isinstance(password, str):
                raise ValueError("username and password must be strings")
            if ":" in username:
                raise ValueError("a Basic auth username cannot contain ':'")
            self._credentials = (username.encode(), password.encode())
            token = base64.b64encode(b"%s:%s" % self._credentials)
            self._expected_auth = b"Basic " + token
        for name, value in (
            ("max_body_size", max_body_size),
            ("max_pending", max_pending),
            ("handler_threads", handler_threads),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")
        if shutdown_timeout is not None and not (
            isinstance(shutdown_timeout, (int, float)) and shutdown_timeout >= 0
        ):
            raise ValueError(f"shutdown_timeout must be seconds or None, not {shutdown_timeout!r}")
        self.shutdown_timeout = shutdown_timeout
        if '"' in realm or "\\" in realm or not realm.isprintable():
            raise ValueError("realm must be printable, without quotes or backslashes")
        self.dedup: Dedup = MemoryDedup() if dedup is None else dedup
        self.max_body_size = max_body_size
        self.max_pending = max_pending
        self.handler_threads = handler_threads
        self._challenge = f'Basic realm="{realm}", charset="UTF-8"'.encode()
        self._registered: list[tuple[frozenset[str] | None, Handler, bool]] = []
        self._by_name: dict[str, tuple[tuple[Handler, bool], ...]] = {}
        # Only plain-function handlers: under ASGI too, events go to the receiver's threads
        # (per-leg queues, as under WSGI) without coming back to the event loop.
        self._all_sync = True
        self._counts = dict.fromkeys(_COUNTERS, 0)
        self._pending = 0
        self._drainers = 0  # threads waiting in drain(): only then is there anyone to wake
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._closing = False
        self._executor: ThreadPoolExecutor | None = None
        # Per event loop: its legs' queues and its own counts (see _LoopLegs).
        self._async_queues: dict[asyncio.AbstractEventLoop, _LoopLegs] = {}
        self._loop_legs: tuple[_LoopLegs, ...] = ()  # the values of _async_queues
        self._thread_queues = _ThreadLegQueues(self)
        self._loop_thread: _LoopThread | None = None
        #: The same receiver as a WSGI application.
        self.wsgi = WSGIEventReceiver(self)

    @property
    def max_body_size(self) -> int:
        """Bodies larger than this many bytes are answered 413."""
        return self._max_body_size

    @max_body_size.setter
    def max_body_size(self, value: int) -> None:
        self._max_body_size = value
        # A Content-Length of fewer digits than the limit is within it, whatever it says.
        self._length_digits = len(str(value))

    def __repr__(self) -> str:
        auth = "basic" if self._credentials else "none"
        return (
            f"EventReceiver(auth={auth}, dedup={self.dedup!r}, "
            f"handlers={len(self._registered)}, pending={self._pending_now()})"
        )

    # --- handlers ----------------------------------------------------------------------

    def on(self, *names: str) -> Callable[[H], H]:
        """Register a handler for the events called ``names``; use it as a decorator.

        The handler gets the :class:`Event`. A name that no source shows is accepted
        (Exotel adds names) with a :class:`UserWarning`, which catches misspellings.

        >>> from exoml.events import EventReceiver
        >>> receiver = EventReceiver()
        >>> @receiver.on("play_completed", "play_interrupted")
        ... async def next_step(event):
        ...     ...
        """
        if not names:
            raise ValueError("on() needs at least one event name; use on_any for every event")
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"an event name must be a non-empty string, not {name!r}")
        _warn_unknown(names)

        def register(handler: H) -> H:
            self._register(frozenset(names), handler)
            return handler

        return register

    @overload
    def on_any(self, handler: H) -> H: ...

    @overload
    def on_any(self, handler: None = None) -> Callable[[H], H]: ...

    def on_any(self, handler: H | None = None) -> H | Callable[[H], H]:
        """Register a handler for every event; use it as ``@receiver.on_any``.

        Handlers run in the order they were registered, whichever way.

        >>> from exoml.events import EventReceiver
        >>> receiver = EventReceiver()
        >>> @receiver.on_any
        ... def log_it(event):
        ...     print(event.event_name)
        """
        if handler is None:

            def register(h: H) -> H:
                self._register(None, h)
                return h

            return register
        self._register(None, handler)
        return handler

    def _register(self, names: frozenset[str] | None, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError(f"a handler must be callable, not {handler!r}")
        self._registered.append((names, handler, _is_async(handler)))
        self._by_name = {}
        self._all_sync = all(not is_async for _, _, is_async in self._registered)

    def _handlers_for(self, name: str) -> tuple[tuple[Handler, bool], ...]:
        found = self._by_name.get(name)
        if found is None:
            found = tuple(
                (h, is_async)
                for names, h, is_async in self._registered
                if names is None or name in names
            )
            self._by_name[name] = found
        return found

    # --- the checks shared by ASGI and WSGI --------------------------------------------

    def _check_auth(self, header: bytes | None) -> None:
        if self._credentials is None:
            return
        # The header as every client writes it, compared whole in constant time; other
        # spellings (a lower-case scheme, extra spaces) are decoded and compared in parts.
        if header is not None and hmac.compare_digest(header, self._expected_auth):
            return
        if _basic_matches(header, *self._credentials):
            return
        raise _Refused(401, "unauthorized", "missing or wrong credentials")

    def _check_length(self, header: bytes | None) -> int | None:
        if header is None:
            return None
        text = header.strip()
        if not text.isdigit():
            raise _Refused(400, "invalid", "Content-Length is not a number")
        if len(text) > 18 or int(text) > self.max_body_size:
            raise _Refused(413, "too_large", f"the body is larger than {self.max_body_size} bytes")
        return int(text)

    def _parse(self, body: bytes) -> tuple[Mapping[str, Any], str, str]:
        """What is checked before the answer: the body is an event (its object, sid and
        name), and there is room for it; the typed :class:`Event` is built after."""
        try:
            raw = _decode(body)
            sid, name = _check(raw)
        except EventError as exc:
            raise _Refused(400, "invalid", exc.message) from None
        self._check_room()
        return raw, sid, name

    def _check_room(self) -> None:
        """503 while closing or with ``max_pending`` events waiting for handlers."""
        # Read without the lock: a request racing close() gets in or not, either is fine.
        if self._closing:
            raise _Refused(503, "unavailable", "the receiver is shutting down")
        pending = self._pending
        for legs in self._loop_legs:
            pending += legs.pending
        if pending >= self.max_pending:
            raise _Refused(503, "unavailable", f"{pending} events are waiting for handlers")

    def _pending_now(self) -> int:
        """Events acknowledged and not yet handled, on threads and on every event loop."""
        return self._pending + sum(legs.pending for legs in self._loop_legs)

    def _count(self, counter: str) -> None:
        with self._lock:
            self._counts[counter] += 1

    def _refused(self, refusal: _Refused, client: Any) -> tuple[int, list[tuple[bytes, bytes]]]:
        self._count(refusal.counter)
        level = logging.INFO if refusal.status in (405, 503) else logging.WARNING
        if logger.isEnabledFor(level):
            logger.log(
                level,
                "answered %d to %s: %s",
                refusal.status,
                _peer(client),
                refusal.reason,
            )
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
        if refusal.status == 401:
            headers.append((b"www-authenticate", self._challenge))
        elif refusal.status == 405:
            headers.append((b"allow", b"POST"))
        elif refusal.status == 503:
            headers.append((b"retry-after", b"1"))
        return refusal.status, headers

    def _accepted(self) -> None:
        with self._lock:
            self._counts["accepted"] += 1
            self._pending += 1

    def _dedup_failed(self, sid: str, name: str, exc: BaseException) -> _Refused:
        logger.error(
            "the dedup store failed on event %s (%s): %s: %s; answered 503 so Exotel retries",
            sid,
            name,
            type(exc).__name__,
            exc,
        )
        return _Refused(503, "unavailable", "the dedup store is unavailable")

    @staticmethod
    def _queue_key(event: Event) -> str:
        return event.leg_sid or event.bridge_sid or "\x00" + event.event_sid

    # --- running handlers --------------------------------------------------------------

    def _done(self, failed: int) -> None:
        with self._lock:
            self._counts["handled"] += 1
            self._counts["failed"] += failed
            self._pending -= 1
            if self._pending == 0 and self._drainers:
                self._idle.notify_all()

    def _loop_done(self, legs: _LoopLegs, failed: int) -> None:
        """:meth:`_done` on the event loop that owns ``legs``: no lock (only that loop's
        thread writes its counts); drainers, if any, are woken when it has none left."""
        legs.handled += 1
        legs.failed += failed
        if self._drainers and legs.handled == legs.accepted:
            self._wake_drainers()

    def _wake_drainers(self) -> None:
        with self._idle:
            self._idle.notify_all()

    def _log_failure(self, handler: Handler, event: Event) -> None:
        logger.error(
            "handler %s failed on event %s (%s, leg %s, attempt %s)",
            _name(handler),
            event.event_sid,
            event.event_name,
            event.leg_sid,
            event.attempt,
            exc_info=True,
            extra={"event_sid": event.event_sid},
        )

    def _handle_sync(self, event: Event) -> None:
        """Run the handlers of one event on this thread (WSGI)."""
        failed = 0
        try:
            for handler, is_async in self._handlers_for(event.event_name):
                try:
                    if is_async:
                        self._loop().run(handler(event))
                    else:
                        result = handler(event)
                        if inspect.isawaitable(result):
                            self._loop().run(result)
                except Exception:
                    failed += 1
                    self._log_failure(handler, event)
        finally:
            self._done(failed)

    def _threads(self) -> ThreadPoolExecutor:
        executor = self._executor
        if executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(
                        self.handler_threads, thread_name_prefix="exoml-events"
                    )
                executor = self._executor
        return executor

    def _loop(self) -> _LoopThread:
        with self._lock:
            if self._loop_thread is None:
                self._loop_thread = _LoopThread()
            return self._loop_thread

    # --- ASGI --------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope (``http`` or ``lifespan``).

        An event's request, in order: the checks that decide the answer (the typed
        event is made in the same pass over the body), the answer, then the event to its
        leg's worker (this task, if the leg is idle).
        """
        if scope["type"] != "http":
            await self._other_scope(scope, receive, send)
            return
        try:
            if scope["method"] != "POST":
                raise _Refused(405, "not_allowed", f"method {scope['method']} is not allowed")
            # ASGI header names are lower case; of a repeated header the last one counts.
            # The three wanted picked out in one pass (no dict of every header).
            auth: bytes | None = None
            length: bytes | None = None
            request_id: bytes | None = None
            for header, value in scope["headers"]:
                if header == b"authorization":
                    auth = value
                elif header == b"content-length":
                    length = value
                elif header == b"x-exotel-request-id":
                    request_id = value
            if self._credentials is not None and (
                auth is None or not hmac.compare_digest(auth, self._expected_auth)
            ):
                self._check_auth(auth)  # other spellings of the same credentials, or 401
            if length is not None and not (length.isdigit() and len(length) < self._length_digits):
                self._check_length(length)  # 400, 413, or a length just within the limit
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                body = message.get("body", b"")  # the whole body in one message
                if len(body) > self._max_body_size:
                    raise _Refused(
                        413, "too_large", f"the body is larger than {self.max_body_size} bytes"
                    )
            else:
                streamed = await self._read(message, receive)
                if streamed is None:
                    self._count("abandoned")
                    return
                body = streamed
            # Before the answer, what decides it: the body is an event (400 if not), there
            # is room (503), and whether its sid is new. The typed event is made here too,
            # in the same pass over the body's fields (it cannot fail once they passed).
            try:
                event = _parse_event(
                    body, None if request_id is None else request_id.decode("latin-1")
                )
            except EventError as exc:
                raise _Refused(400, "invalid", exc.message) from None
            pending = self._pending
            for counted in self._loop_legs:  # _LoopLegs.pending, inlined
                handled = counted.handled
                pending += counted.accepted - handled
            if self._closing or pending >= self.max_pending:
                self._check_room()  # 503
            sid = event.event_sid
            dedup = self.dedup
            try:
                if type(dedup) is MemoryDedup:  # never blocks: no coroutine needed
                    first = dedup.claim(sid)
                else:
                    first = await dedup.aclaim(sid)
            except Exception as exc:
                raise self._dedup_failed(sid, event.event_name, exc) from None
        except _Refused as refusal:
            status, extra = self._refused(refusal, scope.get("client"))
            await _respond(send, status, extra, refusal.reason.encode() + b"\n")
            return
        if not first:
            self._count("duplicates")
            await _acknowledge(send)
            return
        # Sync handlers only: to the receiver's threads, counted under the lock; else on
        # this loop, counted in its own counts without one.
        legs: _LoopLegs | None = None
        if self._all_sync and self._registered:
            self._accepted()
        else:
            legs = self._async_queues.get(asyncio.get_running_loop()) or self._async_legs()
            legs.accepted += 1
        try:
            # 200, empty body; fresh messages each time (middleware may edit them).
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
        finally:
            # The answer is out (or the client is gone): hand the event over.
            key = event.leg_sid or self._queue_key(event)
            if legs is None:
                self._thread_queues.put(key, event)
            else:
                # The leg's worker, inlined (this is the hot path of every event): if the
                # leg has one already, the event waits in its queue; else this request's
                # task becomes the leg's worker (as Starlette's background tasks run in
                # the request's task) until the queue is empty. An idle leg's entry is
                # None: a queue is made only for an event that has to wait.
                queues = legs.queues
                if key in queues:
                    waiting = queues[key]
                    if waiting is None:
                        queues[key] = deque((event,))
                    else:
                        waiting.append(event)
                else:
                    queues[key] = None
                    try:
                        while True:
                            # The handlers of one event, in registration order.
                            failed = 0
                            name = event.event_name
                            try:
                                handlers = self._by_name.get(name) or self._handlers_for(name)
                                for handler, is_async in handlers:
                                    try:
                                        if is_async:
                                            await handler(event)
                                        else:
                                            await self._run_in_thread(handler, event)
                                    except Exception:
                                        failed += 1
                                        self._log_failure(handler, event)
                            finally:
                                # _loop_done, inlined.
                                legs.handled += 1
                                if failed:
                                    legs.failed += failed
                                if self._drainers and legs.handled == legs.accepted:
                                    self._wake_drainers()
                            waiting = queues[key]
                            if not waiting:
                                break
                            event = waiting.popleft()
                    finally:
                        # Nothing awaits between the last check and here: no event is
                        # stranded.
                        stranded = queues.pop(key)
                        if stranded:  # only after a cancellation
                            for dropped in stranded:
                                self._loop_done(legs, 0)
                                logger.error(
                                    "event %s was not handled: the loop shut down",
                                    dropped.event_sid,
                                )

    async def _run_in_thread(self, handler: Handler, event: Event) -> None:
        """Run a sync handler on the receiver's threads (and what it returns, if awaitable)."""
        loop = asyncio.get_running_loop()
        result = await loop.run_in_executor(self._threads(), handler, event)
        if inspect.isawaitable(result):
            await result

    async def _read(self, message: Message, receive: Receive) -> bytes | None:
        """The rest of a body that comes in several messages (``message`` is the first)."""
        if message["type"] == "http.disconnect":
            return None
        chunks: list[bytes] = [message.get("body", b"")]
        size = len(chunks[0])
        while True:
            if size > self.max_body_size:
                raise _Refused(
                    413, "too_large", f"the body is larger than {self.max_body_size} bytes"
                )
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                chunks.append(chunk)
            if not message.get("more_body", False):
                if size > self.max_body_size:
                    continue  # refused at the top of the loop
                return b"".join(chunks)

    def _async_legs(self) -> _LoopLegs:
        """The per-leg queues and counts of the running event loop (one per loop).

        A closed loop's are forgotten here, their counts kept in the receiver's own.
        """
        loop = asyncio.get_running_loop()
        legs = self._async_queues.get(loop)
        if legs is None:
            with self._lock:
                for old in [k for k in self._async_queues if k.is_closed()]:
                    gone = self._async_queues.pop(old)
                    self._counts["accepted"] += gone.accepted
                    self._counts["handled"] += gone.handled
                    self._counts["failed"] += gone.failed
                    self._pending += gone.pending
                legs = self._async_queues[loop] = _LoopLegs()
                self._loop_legs = tuple(self._async_queues.values())
        return legs

    async def _other_scope(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            raise ValueError(f"EventReceiver cannot serve ASGI scope type {kind!r}")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if self._closing:
                    await send(
                        {"type": "lifespan.startup.failed", "message": "the receiver is closed"}
                    )
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose(self.shutdown_timeout)
                await send({"type": "lifespan.shutdown.complete"})
                return

    # --- lifecycle ---------------------------------------------------------------------

    @property
    def stats(self) -> ReceiverStats:
        """What the receiver did so far (a snapshot)."""
        with self._lock:
            counts = dict(self._counts)
            pending = self._pending
            for legs in self._loop_legs:
                handled = legs.handled  # first: what was handled was accepted before
                accepted = legs.accepted
                counts["accepted"] += accepted
                counts["handled"] += handled
                counts["failed"] += legs.failed
                pending += accepted - handled
        # Every request ends in exactly one of the other counts.
        received = sum(v for k, v in counts.items() if k not in ("handled", "failed"))
        del counts["abandoned"]
        return ReceiverStats(received=received, **counts, pending=pending)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` or :meth:`aclose` was called."""
        return self._closing

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every acknowledged event was handled; False if ``timeout`` ran out.

        Call it from a thread other than the event loop's (tests, WSGI apps); in asyncio
        code ``await`` :meth:`adrain`.
        """
        loop: asyncio.AbstractEventLoop | None = None
        with contextlib.suppress(RuntimeError):  # no loop running here: the usual case
            loop = asyncio.get_running_loop()
        if loop is not None and loop in self._async_queues:
            raise RuntimeError(
                "drain() would block the event loop the handlers run on; "
                "use `await receiver.adrain()`"
            )
        return self._wait_idle(timeout)

    async def adrain(self, timeout: float | None = None) -> bool:
        """:meth:`drain` for asyncio code: the loop keeps running the handlers meanwhile."""
        if self._pending_now() == 0:
            return True
        return await asyncio.to_thread(self._wait_idle, timeout)

    def _wait_idle(self, timeout: float | None) -> bool:
        with self._idle:
            self._drainers += 1
            try:
                return self._idle.wait_for(lambda: self._pending_now() == 0, timeout)
            finally:
                self._drainers -= 1

    def close(self, timeout: float | None = None) -> bool:
        """Stop accepting events (503 from now on), wait for pending handlers, free threads.

        Returns False if ``timeout`` ran out with handlers still running. Idempotent.
        """
        with self._lock:
            self._closing = True
        finished = self.drain(timeout)
        self._release(finished)
        return finished

    async def aclose(self, timeout: float | None = None) -> bool:
        """:meth:`close` for asyncio code (the ASGI lifespan shutdown calls it)."""
        with self._lock:
            self._closing = True
        finished = await self.adrain(timeout)
        self._release(finished)
        return finished

    def _release(self, finished: bool) -> None:
        if not finished:
            logger.warning(
                "closed with %d events still being handled or waiting for handlers",
                self._pending_now(),
            )
        with self._lock:
            executor, self._executor = self._executor, None
            loop_thread, self._loop_thread = self._loop_thread, None
        if executor is not None:
            executor.shutdown(wait=finished, cancel_futures=not finished)
        if loop_thread is not None:
            loop_thread.stop()


class WSGIEventReceiver:
    """The WSGI face of an :class:`EventReceiver` (its ``.wsgi``): same handlers and dedup.

    The response is sent before the event is handed to the handlers: the event takes its
    place in its leg's queue when it arrives, and may run once the server has written the
    answer (when it closes the response iterable), so a leg's events keep their order.
    """

    def __init__(self, receiver: EventReceiver) -> None:
        self.receiver = receiver

    def __repr__(self) -> str:
        return f"<WSGI face of {self.receiver!r}>"

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Serve one WSGI request."""
        receiver = self.receiver
        client = (environ.get("REMOTE_ADDR"), environ.get("REMOTE_PORT"))
        try:
            method = environ.get("REQUEST_METHOD", "GET")
            if method != "POST":
                raise _Refused(405, "not_allowed", f"method {method} is not allowed")
            auth = environ.get("HTTP_AUTHORIZATION")
            receiver._check_auth(auth.encode("latin-1") if isinstance(auth, str) else None)
            length_text = environ.get("CONTENT_LENGTH") or None
            length = receiver._check_length(
                length_text.encode("latin-1") if isinstance(length_text, str) else None
            )
            body = self._read(environ, length)
            raw, sid, name = receiver._parse(body)
            try:
                first = receiver.dedup.claim(sid)
            except Exception as exc:
                raise receiver._dedup_failed(sid, name, exc) from None
        except _Refused as refusal:
            status, extra = receiver._refused(refusal, client)
            message = refusal.reason.encode() + b"\n"
            start_response(_status_line(status), _str_headers(extra, len(message)))
            return [message]
        start_response("200 OK", [("Content-Length", "0")])
        if not first:
            receiver._count("duplicates")
            return []
        receiver._accepted()
        request_id = environ.get("HTTP_X_EXOTEL_REQUEST_ID")
        event = _build(raw, sid, name, request_id if isinstance(request_id, str) else None)
        # Its place in the leg's queue now: the server's threads may finish the answers
        # of one leg's events in another order than they came.
        slot = receiver._thread_queues.reserve(receiver._queue_key(event))
        return _ThenDispatch(receiver, slot, event)

    def _read(self, environ: dict[str, Any], length: int | None) -> bytes:
        stream = environ["wsgi.input"]
        limit = self.receiver.max_body_size
        if length is None:
            if not environ.get("wsgi.input_terminated"):
                raise _Refused(411, "invalid", "the request has no Content-Length")
            body: bytes = stream.read(limit + 1)
            if len(body) > limit:
                raise _Refused(413, "too_large", f"the body is larger than {limit} bytes")
            return body
        chunks: list[bytes] = []
        left = length
        while left > 0:
            chunk = stream.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


class _ThenDispatch:
    """The empty 200 body; handing the event over when the server is done with it."""

    def __init__(self, receiver: EventReceiver, slot: _Slot, event: Event) -> None:
        self._receiver = receiver
        self._slot = slot
        self._event: Event | None = event

    def __iter__(self) -> Iterator[bytes]:
        yield b""
        # The server asks for more only after writing what it got.
        self.close()

    def close(self) -> None:
        event, self._event = self._event, None
        if event is not None:
            self._receiver._thread_queues.fill(self._slot, event)


class _LoopLegs:
    """What one event loop keeps of its own: its legs' queues and counts.

    Only that loop's thread writes them (asyncio runs one task at a time), so they are
    counted without the receiver's lock; others read them (stats, drain), a whole int
    at a time. An event counts once when accepted and once when handled (or dropped);
    the difference is what is pending. A leg with a worker and nothing waiting is
    ``None`` in ``queues``.
    """

    __slots__ = ("accepted", "failed", "handled", "queues")

    def __init__(self) -> None:
        self.queues: dict[str, deque[Event] | None] = {}
        self.accepted = 0
        self.handled = 0
        self.failed = 0

    @property
    def pending(self) -> int:
        """Accepted and not yet handled (``handled`` read first: never below zero)."""
        handled = self.handled
        return self.accepted - handled


class _Slot:
    """An accepted event's place in its leg's queue; ``event`` is set once it was answered."""

    __slots__ = ("dropped", "event", "key")

    def __init__(self, key: str) -> None:
        self.key = key
        self.event: Event | None = None
        self.dropped = False


class _ThreadLegQueues:
    """Per-leg queues on the receiver's threads: one job per leg with events ready.

    An event takes its place in its leg's queue when it is accepted, before its answer,
    so that the leg's order is the order of arrival even when a threaded server finishes
    the answers in another order; it runs once its answer is written (:meth:`fill`).
    """

    def __init__(self, receiver: EventReceiver) -> None:
        self._receiver = receiver
        self._lock = threading.Lock()
        self._queues: dict[str, deque[_Slot]] = {}
        self._running: set[str] = set()  # legs with a job on the threads

    def reserve(self, key: str) -> _Slot:
        """Hold the next place in ``key``'s queue."""
        slot = _Slot(key)
        with self._lock:
            queue = self._queues.get(key)
            if queue is None:
                self._queues[key] = deque((slot,))
            else:
                queue.append(slot)
        return slot

    def fill(self, slot: _Slot, event: Event) -> None:
        """The answer of ``slot``'s event is out: it may run after the leg's earlier ones."""
        key = slot.key
        with self._lock:
            if slot.dropped:
                logger.error("event %s was not handled: the receiver closed", event.event_sid)
                return
            slot.event = event
            if key in self._running or self._queues[key][0] is not slot:
                return  # the leg's job, running or still to start, will come to it
            self._running.add(key)
        try:
            self._receiver._threads().submit(self._work, key)
        except RuntimeError:  # the executor was shut down under us
            with self._lock:
                self._running.discard(key)
                lost = self._queues.pop(key, deque())
                for dropped in lost:
                    dropped.dropped = True
            for dropped in lost:
                self._receiver._done(0)
                if dropped.event is not None:
                    logger.error(
                        "event %s was not handled: the receiver closed", dropped.event.event_sid
                    )

    def put(self, key: str, event: Event) -> None:
        """Queue an event whose answer is already out."""
        self.fill(self.reserve(key), event)

    def _work(self, key: str) -> None:
        while True:
            with self._lock:
                queue = self._queues[key]
                event = queue[0].event if queue else None
                if event is None:  # empty, or the next one is not answered yet
                    self._running.discard(key)
                    if not queue:
                        del self._queues[key]
                    return
                queue.popleft()
            self._receiver._handle_sync(event)


class _LoopThread:
    """An event loop on a thread of its own, for async handlers under WSGI."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="exoml-events-loop", daemon=True
        )
        self.thread.start()

    def run(self, awaitable: Awaitable[Any]) -> Any:
        async def wrapped() -> Any:
            return await awaitable

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


# --- helpers ---------------------------------------------------------------------------


async def _acknowledge(send: Send) -> None:
    """200 with an empty body (fresh messages each time: middleware may edit them)."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}
    )
    await send({"type": "http.response.body", "body": b""})


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _status_line(status: int) -> str:
    return f"{status} {_REASONS.get(status, 'Error')}"


def _str_headers(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[str, str]]:
    return [
        *((k.decode("latin-1").title(), v.decode("latin-1")) for k, v in headers),
        ("Content-Length", str(length)),
    ]


def _basic_matches(header: bytes | None, user: bytes, password: bytes) -> bool:
    """Whether an ``Authorization`` value is Basic auth with these credentials.

    Both parts are compared with :func:`hmac.compare_digest`, and both always, so the
    time taken does not tell which part was wrong.
    """
    if not header:
        return False
    scheme, _, token = header.strip().partition(b" ")
    if scheme.lower() != b"basic":
        return False
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    given_user, colon, given_password = decoded.partition(b":")
    if not colon:
        return False
    user_ok = hmac.compare_digest(given_user, user)
    password_ok = hmac.compare_digest(given_password, password)
    return user_ok and password_ok


def _is_async(handler: Handler) -> bool:
    if inspect.iscoroutinefunction(handler):
        return True
    call = getattr(handler, "__call__", None)  # noqa: B004 - an object with async __call__
    return call is not None and inspect.iscoroutinefunction(call)


def _name(handler: Handler) -> str:
    return str(getattr(handler, "__qualname__", None) or type(handler).__qualname__)


def _peer(client: Any) -> str:
    if isinstance(client, (tuple, list)) and len(client) == 2 and client[0]:
        return f"{client[0]}:{client[1]}"
    return "a client"


def _warn_unknown(names: Iterable[str]) -> None:
    from .._catalogue import EVENTS

    known = [e.name for e in EVENTS]
    for name in names:
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        warnings.warn(
            f"no source shows an event called {name!r}{hint}; its handler runs if one arrives",
            UserWarning,
            stacklevel=3,
        )
