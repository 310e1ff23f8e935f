"""Reading answers safely, for the Leg Actions clients: the deadline kept below httpx,
bodies read within a size cap (decompressing gzip and deflate in bounded steps), and JSON
decoded so that nothing in it can overflow or exhaust the stack.

Nothing here decides what an answer means: :mod:`exoml._client` does, from the
:class:`Raw` an attempt received.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any, NamedTuple

import httpcore
import httpx

from ._errors import ResponseTooLargeError, TransportError

__all__ = [
    "DEADLINE",
    "MAX_JSON_DEPTH",
    "BodyReader",
    "DeadlinePassed",
    "Raw",
    "decode",
    "keep_deadlines",
    "sound",
]

#: JSON nested deeper than this is not decoded (the body is kept as text).
MAX_JSON_DEPTH = 32


class Raw(NamedTuple):
    """What one attempt received: the status, headers and body bytes (decoded from their
    content coding), or, when the body could not be read whole, why (``problem``)."""

    status: int
    headers: httpx.Headers
    content: bytes | None
    problem: TransportError | None = None


# -- the deadline, below httpx ------------------------------------------------------------

#: The running attempt's deadline and clock, read by the sync network streams below so
#: that every socket operation, even one byte of a trickled status line, ends by then.
DEADLINE: ContextVar[tuple[float, Callable[[], float]] | None] = ContextVar(
    "exoml_deadline", default=None
)


class DeadlinePassed(httpx.TimeoutException):
    """The attempt's deadline passed before the status line arrived (async client)."""


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left before the running attempt's deadline."""
    running = DEADLINE.get()
    if running is None:
        return timeout
    deadline, clock = running
    remaining = deadline - clock()
    if remaining <= 0:
        raise error("the request's deadline has passed")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every read, write and handshake ends by the deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """The sync network backend, with streams that keep the deadline."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host,
            port,
            timeout=_bounded(timeout, httpcore.ConnectTimeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(
            path, timeout=_bounded(timeout, httpcore.ConnectTimeout), socket_options=socket_options
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def keep_deadlines(client: httpx.Client) -> int:
    """Put :class:`_DeadlineBackend` under every httpx transport of ``client`` that has a
    connection pool (httpx's own, and subclasses); return how many it guards.

    A transport without one (a mock) is left as it is: between body chunks the client
    still checks the deadline itself.
    """
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    guarded = 0
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, _DeadlineBackend):
            guarded += 1
        elif isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
            guarded += 1
    return guarded


# -- reading a body within the size cap ---------------------------------------------------


class BodyReader:
    """Collects a body from the raw chunks received, decoding gzip and deflate itself, so
    that neither the bytes received nor the bytes decoded ever go past ``limit``."""

    def __init__(self, headers: httpx.Headers, limit: int, host: str) -> None:
        self._limit = limit
        self._host = host
        self._received = 0
        self._size = 0
        self._parts: list[bytes] = []
        self.problem: TransportError | None = None
        declared = headers.get("Content-Length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            self._too_large(f"announces {int(declared) if len(declared) < 30 else 'more'} bytes")
        self._stages: list[_Inflater] = []
        # One lookup: several Content-Encoding fields come back joined by ", ", which the
        # split below takes apart as it does the codings listed in one field.
        listed = headers.get("Content-Encoding")
        if listed is None:
            return
        codings = [c.strip().lower() for c in listed.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 2 or any(c not in ("gzip", "x-gzip", "deflate") for c in codings):
            shown = ", ".join(codings)[:100]
            self.fail(
                TransportError(
                    f"the answer from {host} uses a content coding the client does not "
                    f"read ({shown!r})"
                )
            )
        # Codings are listed in the order applied: undo them from the last.
        if self.problem is None:
            self._stages = [_Inflater(c, limit) for c in reversed(codings)]

    def fail(self, problem: TransportError) -> None:
        if self.problem is None:
            self.problem = problem

    def _too_large(self, detail: str) -> None:
        self.fail(
            ResponseTooLargeError(
                f"the answer from {self._host} is larger than max_response_bytes "
                f"({self._limit} bytes): it {detail}; not read",
                limit=self._limit,
            )
        )

    def feed(self, chunk: bytes) -> bool:
        """Take a raw chunk; return ``False`` once the body cannot be read whole."""
        if self.problem is not None:
            return False
        self._received += len(chunk)
        if self._received > self._limit:
            self._too_large(f"went past {self._limit} bytes received")
            return False
        try:
            for stage in self._stages:
                chunk = stage.feed(chunk)
        except _Overflow:
            self._too_large(f"went past {self._limit} bytes decompressed")
            return False
        except zlib.error:
            self._corrupt()
            return False
        return self._add(chunk)

    def take_decoded(self, content: bytes) -> None:
        """Take a whole body that is already decoded (held in memory by a mock)."""
        self._stages = []
        self.problem = None
        self._add(content)

    def _add(self, data: bytes) -> bool:
        self._size += len(data)
        if self._size > self._limit:
            self._too_large(f"went past {self._limit} bytes decompressed")
            return False
        if data:
            self._parts.append(data)
        return True

    def _corrupt(self) -> None:
        self.fail(TransportError(f"the answer from {self._host} is corrupt (bad compression)"))

    def result(self, status: int, headers: httpx.Headers) -> Raw:
        """What the attempt received, once the chunks have ended (or stopped)."""
        if self.problem is None and self._stages:
            try:
                tail = b""
                for stage in self._stages:
                    tail = stage.finish(tail)
            except _Overflow:
                self._too_large(f"went past {self._limit} bytes decompressed")
            except zlib.error:
                self._corrupt()
            else:
                self._add(tail)
        if self.problem is not None:
            return Raw(status, headers, None, self.problem)
        return Raw(status, headers, b"".join(self._parts))


class _Overflow(Exception):
    """A decompressor produced more than the limit."""


class _Inflater:
    """One gzip or deflate stage, never producing more than ``limit`` bytes in all."""

    def __init__(self, coding: str, limit: int) -> None:
        # 32 + 15: zlib or gzip header, detected; deflate may also come raw (no header).
        self._wbits = zlib.MAX_WBITS | 16 if coding != "deflate" else zlib.MAX_WBITS | 32
        self._raw_fallback = coding == "deflate"
        self._decompressor = zlib.decompressobj(self._wbits)
        self._limit = limit
        self._produced = 0
        self._started = False

    def feed(self, data: bytes) -> bytes:
        if not data:
            return b""
        try:
            out = self._decompressor.decompress(data, self._room())
        except zlib.error:
            if self._started or not self._raw_fallback:
                raise
            self._raw_fallback = False
            self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._decompressor.decompress(data, self._room())
        self._started = True
        return self._count(out)

    def finish(self, data: bytes) -> bytes:
        out = self.feed(data) if data else b""
        return out + self._count(self._decompressor.flush())

    def _room(self) -> int:
        # One byte more than allowed, to tell "exactly the limit" from "more".
        return self._limit - self._produced + 1

    def _count(self, out: bytes) -> bytes:
        self._produced += len(out)
        if self._produced > self._limit or self._decompressor.unconsumed_tail:
            raise _Overflow
        return out


def decode(content: bytes | None) -> Any:
    """The JSON body, or its text when it is not JSON we accept (``None`` when empty or
    unread).

    Never raises: NaN, Infinity and numbers that overflow to them (``1e999``) make the
    body "not JSON", as does nesting deeper than :data:`MAX_JSON_DEPTH` levels, so that
    nothing decoded here can overflow or exhaust the stack later.
    """
    if not content:
        return None
    text = content.decode("utf-8", errors="replace")
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError, OverflowError, MemoryError):
        return text
    # No more brackets than levels allowed (counting those in strings too): no need to
    # walk the value. Answers are small and shallow: this is nearly always the case.
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return value
    return value if _depth(value) <= MAX_JSON_DEPTH else text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} overflows")
    return value


#: Made once: json.loads with hooks builds a decoder on every call.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def _depth(value: Any) -> int:
    """How deeply ``value`` nests lists and dicts (stops counting past the bound)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > deepest:
            deepest = depth
            if deepest > MAX_JSON_DEPTH:
                break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def sound(text: str) -> str:
    """A server's string with any lone surrogate (JSON can escape one: ``"\\ud800"``)
    replaced by U+FFFD, so that it can be printed, logged and encoded."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text
