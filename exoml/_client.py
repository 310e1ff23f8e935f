"""Clients for Exotel's Leg Actions API: send ExoML to a live call leg.

:class:`LegsClient` (blocking) and :class:`AsyncLegsClient` (asyncio) share everything
but I/O through :class:`_BaseLegsClient`: URL building, the request body, credentials,
turning responses into :class:`ActionAccepted` or an :class:`~exoml.ApiError`, reading
bodies within the size cap, mapping httpx's exceptions to :class:`~exoml.TransportError`,
and the retry decisions. The two public clients differ only in how they send (each has
one ``_request``, which every endpoint calls, and which keeps the deadline), sleep and
queue.

>>> from exoml import LegsClient
>>> from exoml.testing import FakeLegsAPI
>>> with FakeLegsAPI() as api, LegsClient(
...     api.account_sid, api.api_key, api.api_token, base_url=api.url
... ) as client:
...     accepted = client.send("LEG1", "<Flow><Answer/></Flow>")
...     accepted.leg_sid, accepted.http_code
('LEG1', 202)
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar
from urllib.parse import quote

import httpx

from ._diagnostics import Diagnostic
from ._errors import (
    ApiError,
    AuthenticationError,
    ClientClosedError,
    ExomlError,
    InvalidExomlError,
    LegNotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from ._pacing import AsyncLegQueues, LegQueues, RateLimiter
from ._retry import Failure, RetryPolicy, parse_retry_after, seconds, shown
from ._wire import DEADLINE as _DEADLINE
from ._wire import BodyReader as _BodyReader
from ._wire import DeadlinePassed as _DeadlinePassed
from ._wire import Raw as _Raw
from ._wire import decode as _decode
from ._wire import keep_deadlines as _keep_deadlines
from ._wire import sound as _sound

if TYPE_CHECKING:
    from . import Flow, Verb

__all__ = ["ActionAccepted", "AsyncLegsClient", "LegsClient"]

DEFAULT_BASE_URL = "https://cpaas-api.in.exotel.com"
#: The documented hosts, by region name.
REGIONS: Mapping[str, str] = {
    "mumbai": "https://cpaas-api.in.exotel.com",
    "singapore": "https://cpaas-api.exotel.com",
}
Region = Literal["mumbai", "singapore"]

ENV_ACCOUNT_SID = "EXOTEL_ACCOUNT_SID"
ENV_API_KEY = "EXOTEL_API_KEY"
ENV_API_TOKEN = "EXOTEL_API_TOKEN"
ENV_BASE_URL = "EXOTEL_BASE_URL"

#: The default cap on an answer's size, as received and decompressed.
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
#: The bounds of ``max_response_bytes``.
MIN_RESPONSE_BYTES = 1024
MAX_RESPONSE_BYTES = 1024**3
#: The default ``deadline`` is this many times ``timeout``.
DEADLINE_FACTOR = 3
#: Longest server-supplied ``code`` and ``message`` kept in an error (the body keeps all).
_MAX_MESSAGE = 1000
#: The content codings the client asks for and decodes (within the size cap) itself.
_ENCODINGS = "gzip, deflate"

logger = logging.getLogger("exoml.client")

_STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: InvalidExomlError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: LegNotFoundError,
    429: RateLimitError,
}

_ClientT = TypeVar("_ClientT", bound="_BaseLegsClient")

# Compact JSON, made once: json.dumps with options builds an encoder on every call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class ActionAccepted:
    """The API accepted an action (HTTP 202); its effects arrive later as leg events.

    ``request_id`` identifies the request in Exotel's records (``None`` when the 2xx
    answer's body could not be read or carried none, which the documented API never
    does); ``leg_sid`` is the leg the action was sent to; ``http_code`` is the status
    (202). Any 2xx status is an acceptance, whatever its body.

    >>> ActionAccepted(request_id="r1", leg_sid="L1", http_code=202).http_code
    202
    """

    request_id: str | None
    leg_sid: str
    http_code: int


class _Action(NamedTuple):
    """A request ready to send: validated, encoded, addressed."""

    leg_sid: str
    url: httpx.URL
    content: bytes


@dataclass(frozen=True)
class _Reply:
    """A 2xx answer, for the endpoint methods to turn into their result.

    ``body`` is the decoded JSON (or the text, or ``None``; see :func:`exoml._wire.decode`);
    ``problem`` is set when the body could not be read whole (too large, too slow, cut
    off, an unknown content coding): the server did answer 2xx, so an action ran, but
    nothing in the body can be trusted. Use :meth:`data` where the body is the result.
    """

    status: int
    headers: httpx.Headers
    body: Any
    problem: TransportError | None

    def data(self) -> Any:
        """The body, or the reason it could not be read raised as a TransportError."""
        if self.problem is not None:
            raise self.problem
        return self.body


class _BaseLegsClient:
    """Everything the two clients share except I/O; not for direct use.

    The request core: :meth:`_outcome` turns what an attempt received into a
    :class:`_Reply` (2xx) or the :class:`~exoml.ApiError` for its status, and nothing
    else; :meth:`_after_response` and :meth:`_after_transport_error` decide on retries;
    :class:`BodyReader` reads a body within the size cap. Each client's ``_request``
    runs the attempts (pacing, deadline, retries) and is what every endpoint calls.
    """

    _retry: RetryPolicy
    _limiter: RateLimiter | None

    def __init__(
        self,
        account_sid: str,
        api_key: str,
        api_token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        region: Region | None = None,
        timeout: float = 10.0,
        deadline: float | None = None,
        max_retries: int = 2,
        max_retry_wait: float = 60.0,
        retry_server_errors: bool = False,
        rate_limit: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        account_sid = _text("account_sid", account_sid)
        api_key = _text("api_key", api_key)
        api_token = _text("api_token", api_token)
        if ":" in api_key:
            raise ValueError("api_key must not contain ':' (HTTP Basic cannot carry it)")
        if region is not None:
            if base_url != DEFAULT_BASE_URL:
                raise ValueError("give base_url or region, not both")
            if region not in REGIONS:
                raise ValueError(f"region must be one of {sorted(REGIONS)}, not {region!r}")
            base_url = REGIONS[region]
        self._timeout = seconds("timeout", timeout)
        self._deadline = (
            min(self._timeout * DEADLINE_FACTOR, 86_400.0)
            if deadline is None
            else seconds("deadline", deadline)
        )
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int):
            raise TypeError(
                f"max_response_bytes must be an int, not {type(max_response_bytes).__name__}"
            )
        if not MIN_RESPONSE_BYTES <= max_response_bytes <= MAX_RESPONSE_BYTES:
            raise ValueError(
                f"max_response_bytes must be between {MIN_RESPONSE_BYTES} and "
                f"{MAX_RESPONSE_BYTES}, not {shown(max_response_bytes)}"
            )
        self._max_response_bytes = max_response_bytes
        self._base_url, self._loopback = _check_base_url(base_url)
        self._host = httpx.URL(self._base_url).host
        self._account_sid = account_sid
        self._legs_url = f"{self._base_url}/v2/accounts/{_segment(account_sid)}/legs/"
        self._api_key = api_key
        # Only httpx's auth object holds the token; nothing here prints it.
        self._auth = httpx.BasicAuth(api_key, api_token)
        self._retry = RetryPolicy(
            max_retries=max_retries,
            retry_server_errors=retry_server_errors,
            max_retry_wait=max_retry_wait,
        )
        # The time sources, replaceable in tests: the monotonic clock for deadlines and
        # the rate limit, and the wall clock for Retry-After dates.
        self._clock: Callable[[], float] = time.monotonic
        self._now: Callable[[], datetime] = functools.partial(datetime.now, timezone.utc)
        self._limiter = (
            RateLimiter(rate_limit, clock=lambda: self._clock()) if rate_limit is not None else None
        )
        self._closed = False
        self._headers = {
            "Accept": "application/json",
            "Accept-Encoding": _ENCODINGS,
            "Content-Type": "application/json",
            "User-Agent": f"exoml-dsl/{_package_version()}",
        }

    @classmethod
    def from_env(
        cls: type[_ClientT], *, environ: Mapping[str, str] | None = None, **options: Any
    ) -> _ClientT:
        """Build a client from ``EXOTEL_ACCOUNT_SID``, ``EXOTEL_API_KEY``, ``EXOTEL_API_TOKEN``.

        ``EXOTEL_BASE_URL`` is used when set, unless ``base_url`` or ``region`` is passed.
        Any other keyword argument goes to the constructor. A missing or empty variable
        raises :class:`~exoml.ExomlError` naming it. ``environ`` defaults to
        :data:`os.environ`.

        >>> LegsClient.from_env(environ={"EXOTEL_ACCOUNT_SID": "AC1", "EXOTEL_API_KEY": "k"})
        Traceback (most recent call last):
        ...
        exoml._errors.ExomlError: environment variable EXOTEL_API_TOKEN is not set
        """
        env = os.environ if environ is None else environ
        names = (ENV_ACCOUNT_SID, ENV_API_KEY, ENV_API_TOKEN)
        missing = [name for name in names if not env.get(name)]
        if missing:
            listed = " and ".join(missing) if len(missing) <= 2 else ", ".join(missing)
            noun = "variable" if len(missing) == 1 else "variables"
            verb = "is" if len(missing) == 1 else "are"
            raise ExomlError(f"environment {noun} {listed} {verb} not set")
        if "base_url" not in options and "region" not in options and env.get(ENV_BASE_URL):
            options["base_url"] = env[ENV_BASE_URL]
        return cls(env[ENV_ACCOUNT_SID], env[ENV_API_KEY], env[ENV_API_TOKEN], **options)

    @property
    def base_url(self) -> str:
        """The API's base URL, for example ``https://cpaas-api.in.exotel.com``."""
        return self._base_url

    @property
    def account_sid(self) -> str:
        """The account the client acts for."""
        return self._account_sid

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` (or ``aclose``) was called: a closed client cannot send."""
        return self._closed

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} account_sid={self._account_sid!r} "
            f"api_key={_mask(self._api_key)!r} api_token='***' base_url={self._base_url!r}>"
        )

    # -- building the request -----------------------------------------------------------

    def _prepare(
        self, leg_sid: object, exoml: object, custom_param: object, validate: bool
    ) -> _Action:
        leg_sid = _text("leg_sid", leg_sid)
        if custom_param is not None:
            if not isinstance(custom_param, str):
                raise TypeError(
                    f"custom_param must be a str or None, not {type(custom_param).__name__}"
                )
            custom_param = _text("custom_param", custom_param, empty=True)
        # Checked again as text: a Flow subclass could render anything.
        document = _text("exoml", _document(exoml, validate), empty=True)
        body: dict[str, str] = {"exoml": document}
        if custom_param is not None:
            body["action_custom_param"] = custom_param
        content = _JSON.encode(body).encode("utf-8")
        return _Action(leg_sid, _actions_url(self._legs_url, leg_sid), content)

    def _client_options(self) -> dict[str, Any]:
        """Keyword arguments for the httpx client, sync or async."""
        return {
            "auth": self._auth,
            "headers": self._headers,
            "timeout": min(self._timeout, self._deadline),
            "follow_redirects": False,
            # Proxy settings from the environment are for the real API, not a local fake.
            "trust_env": not self._loopback,
        }

    def _check_open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                f"this {type(self).__name__} is closed; make a new client to send again"
            )

    # -- reading the outcome ------------------------------------------------------------

    def _reader(self, response: httpx.Response) -> _BodyReader:
        return _BodyReader(response.headers, self._max_response_bytes, self._host)

    def _late(self) -> TransportError:
        """The problem of an answer whose body was still arriving at the deadline."""
        return TransportError(
            f"the answer from {self._host} was not complete within the deadline of "
            f"{self._deadline:g} s"
        )

    def _outcome(self, raw: _Raw) -> _Reply | ApiError:
        """The result of one attempt: a 2xx reply, or the error its status maps to.

        Nothing else: whatever the body holds (nothing, garbage, JSON nested a thousand
        deep, NaN, a gigabyte), a 2xx is a reply and any other status its ApiError.
        """
        status = raw.status
        body = _decode(raw.content)
        if 200 <= status < 300:
            return _Reply(status, raw.headers, body, raw.problem)
        request_id = _dig(body, "request_id")
        code = _dig(body, "response", "error", "code")
        message = _dig(body, "response", "error", "message")
        if raw.problem is not None:
            logger.debug("the body of an HTTP %d was not read: %s", status, raw.problem)
        fields: dict[str, Any] = {
            "status_code": status,
            "request_id": _clip(request_id),
            "code": _clip(code),
            "body": body,
            "diagnostics": _diagnostics(body),
        }
        error_class = _STATUS_ERRORS.get(status)
        if error_class is RateLimitError:
            retry_after = parse_retry_after(raw.headers.get("Retry-After"), now=self._now())
            return RateLimitError(_clip(message), retry_after=retry_after, **fields)
        if error_class is None:
            error_class = ServerError if 500 <= status < 600 else ApiError
        return error_class(_clip(message), **fields)

    def _accepted(self, action: _Action, reply: _Reply) -> ActionAccepted:
        """The :class:`ActionAccepted` of a 2xx answer to an action, whatever its body."""
        if reply.problem is not None:
            logger.warning(
                "leg %r: the action was accepted (HTTP %d) but the answer could not be read: %s",
                action.leg_sid,
                reply.status,
                reply.problem,
            )
        request_id = _dig(reply.body, "request_id")
        leg = _dig(reply.body, "response", "data", "leg_sid")
        logger.debug("leg %r: accepted, request_id %s", action.leg_sid, request_id)
        return ActionAccepted(
            request_id=request_id, leg_sid=leg or action.leg_sid, http_code=reply.status
        )

    def _transport_error(self, exc: httpx.HTTPError, late: bool) -> tuple[TransportError, Failure]:
        """Map an httpx exception, and say whether the request may have reached the server.

        ``late`` says that the attempt's deadline had passed.
        """
        host = self._host
        name, text = type(exc).__name__, str(exc)
        detail = f"{name}: {text}" if text and text != name else name
        failure: Failure
        if isinstance(exc, httpx.ConnectTimeout):
            message, failure = f"timed out connecting to {host}; nothing was sent", "not_sent"
        elif isinstance(exc, httpx.ConnectError):
            message, failure = (
                f"cannot connect to {host} ({text or name}); nothing was sent",
                "not_sent",
            )
        elif isinstance(exc, httpx.PoolTimeout):
            message = f"timed out waiting for a free connection to {host}; nothing was sent"
            failure = "not_sent"
        elif isinstance(exc, _DeadlinePassed) or (late and isinstance(exc, httpx.TimeoutException)):
            message = (
                f"no complete answer from {host} within the deadline of {self._deadline:g} s; "
                "the action may have run"
            )
            failure = "maybe_sent"
        elif isinstance(exc, httpx.TimeoutException):
            message = f"no response from {host} within {self._timeout:g} s; the action may have run"
            failure = "maybe_sent"
        else:
            message = f"the request to {host} failed ({detail}); the action may have run"
            failure = "maybe_sent"
        return TransportError(message), failure

    def _after_response(
        self, subject: str, raw: _Raw, attempt: int, waited: float
    ) -> _Reply | float:
        """The reply of an attempt that got a 2xx, or the delay before retrying.

        Raises the mapped :class:`~exoml.ApiError` when the attempt is not to be retried.
        """
        outcome = self._outcome(raw)
        if isinstance(outcome, _Reply):
            return outcome
        kind: Failure = "refused"
        if isinstance(outcome, RateLimitError):
            kind = "rate_limited"
        elif isinstance(outcome, ServerError):
            kind = "server_error"
        retry_after = outcome.retry_after if isinstance(outcome, RateLimitError) else None
        delay = self._retry.delay(kind, attempt=attempt, retry_after=retry_after, waited=waited)
        if delay is None:
            self._log_give_up(subject, kind, attempt, retry_after, waited)
            raise outcome
        self._log_retry(subject, outcome, attempt, delay)
        return delay

    def _after_transport_error(
        self, subject: str, exc: httpx.HTTPError, attempt: int, waited: float, late: bool
    ) -> float:
        """The delay before retrying after an httpx exception; raises when not retrying.

        Call it from the ``except`` block: the :class:`~exoml.TransportError` it raises is
        chained ``from`` the httpx exception, which never reaches the caller itself.
        """
        error, kind = self._transport_error(exc, late)
        delay = self._retry.delay(kind, attempt=attempt, waited=waited)
        if delay is None:
            raise error from exc
        self._log_retry(subject, error, attempt, delay)
        return delay

    def _log_retry(self, subject: str, failure: ExomlError, attempt: int, delay: float) -> None:
        # str(failure) is built from the status, the server's answer and the host only: the
        # credentials cannot appear in it.
        logger.info(
            "%s: attempt %d of %d failed (%s); retrying in %.2f s",
            subject,
            attempt + 1,
            self._retry.max_retries + 1,
            failure,
            delay,
        )

    def _log_give_up(
        self, subject: str, kind: Failure, attempt: int, retry_after: float | None, waited: float
    ) -> None:
        """Say so when a Retry-After is not waited out because of ``max_retry_wait``."""
        if kind != "rate_limited" or retry_after is None or attempt >= self._retry.max_retries:
            return
        logger.info(
            "%s: not waiting %.2f s for Retry-After: past max_retry_wait (%g s, "
            "%.2f s already waited); giving up",
            subject,
            retry_after,
            self._retry.max_retry_wait,
            waited,
        )

    def _pace(self) -> float:
        """Seconds to wait for the next rate-limit slot (0.0 without a rate limit)."""
        return self._limiter.reserve() if self._limiter is not None else 0.0


class LegsClient(_BaseLegsClient):
    """A blocking client for the Leg Actions API; thread-safe, reusing connections.

    Use it as a context manager (or call :meth:`close`). Actions for one leg are sent one
    at a time, in the order :meth:`send` was called, even from several threads; actions
    for different legs go out in parallel. ``rate_limit`` (requests per minute, 0.01 to
    60,000) spaces requests evenly; the documented default quota is 100 per minute per
    account.

    ``region="mumbai"`` or ``"singapore"`` selects a documented host instead of
    ``base_url``; ``base_url`` must be ``https://`` unless it is a loopback address, and
    must not carry credentials. ``timeout`` (seconds) bounds each network operation;
    ``deadline`` (seconds, default three times ``timeout``) bounds each attempt as a
    whole, from connecting to the last byte of the answer, however slowly it trickles.
    ``max_response_bytes`` (default 1 MiB) caps an answer, as received and as
    decompressed. ``max_retries`` (0 to 100) and ``max_retry_wait`` (seconds waited
    between the attempts of one call, in all; default 60) bound the retries, which are
    logged at INFO on the ``exoml.client`` logger. ``transport`` replaces httpx's
    transport (for example :class:`httpx.MockTransport`).

    >>> from exoml.testing import FakeLegsAPI
    >>> with FakeLegsAPI() as api:
    ...     with LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as c:
    ...         c.send("LEG1", "<Flow><Hangup/></Flow>", custom_param="bye-1").http_code
    202
    """

    def __init__(
        self,
        account_sid: str,
        api_key: str,
        api_token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        region: Region | None = None,
        timeout: float = 10.0,
        deadline: float | None = None,
        max_retries: int = 2,
        max_retry_wait: float = 60.0,
        retry_server_errors: bool = False,
        rate_limit: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            account_sid,
            api_key,
            api_token,
            base_url=base_url,
            region=region,
            timeout=timeout,
            deadline=deadline,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            retry_server_errors=retry_server_errors,
            rate_limit=rate_limit,
            max_response_bytes=max_response_bytes,
        )
        self._sleep: Callable[[float], object] = time.sleep
        self._legs = LegQueues()
        self._http = httpx.Client(transport=transport, **self._client_options())
        _keep_deadlines(self._http)

    def send(
        self,
        leg_sid: str,
        exoml: Flow | Verb | str | bytes,
        *,
        custom_param: str | None = None,
        validate: bool = True,
    ) -> ActionAccepted:
        """Send one ExoML document to a leg; return when the API has accepted it.

        ``exoml`` is a :class:`~exoml.Flow`, a single verb (sent as a flow of one), or
        the document as a string or UTF-8 bytes. Text is checked with
        :func:`exoml.validate` first: with any error, :class:`~exoml.ExomlError` is raised
        carrying the diagnostics and nothing is sent (``validate=False`` skips the check).
        ``custom_param`` comes back as ``action_custom_parameter`` in the leg's events:
        use it to match events to this action.

        Any 2xx answer returns :class:`ActionAccepted`, whatever its body. Raises an
        :class:`~exoml.ApiError` subclass for an error status (after the retries
        described in :mod:`exoml._retry`), :class:`~exoml.TransportError` when no status
        arrived (connection, timeout, deadline), :class:`~exoml.ClientClosedError` after
        :meth:`close`, and :class:`TypeError` or :class:`ValueError` for arguments it
        cannot send (lone surrogates, bytes that are not UTF-8), naming the argument.
        """
        action = self._prepare(leg_sid, exoml, custom_param, validate)
        self._check_open()
        with self._legs.hold(action.leg_sid):
            reply = self._request(
                "POST", action.url, content=action.content, subject=f"leg {action.leg_sid!r}"
            )
        return self._accepted(action, reply)

    def _request(
        self, method: str, url: httpx.URL, *, content: bytes | None = None, subject: str
    ) -> _Reply:
        """Send one request with pacing, the deadline, the size cap and the retries.

        Returns the 2xx :class:`_Reply`; raises the :class:`~exoml.ApiError` of any other
        status, or a :class:`~exoml.TransportError`; nothing else escapes.
        """
        attempt = 0
        waited = 0.0
        while True:
            pause = self._pace()
            if pause:
                logger.debug("%s: waiting %.2f s for the rate limit", subject, pause)
                self._sleep(pause)
            self._check_open()
            deadline = self._clock() + self._deadline
            try:
                raw = self._exchange(method, url, content, deadline)
            except httpx.HTTPError as exc:
                late = self._clock() >= deadline
                delay = self._after_transport_error(subject, exc, attempt, waited, late)
            except RuntimeError:
                # httpx's "the client has been closed", when close() raced this call.
                if self._closed:
                    self._check_open()
                raise
            else:
                outcome = self._after_response(subject, raw, attempt, waited)
                if isinstance(outcome, _Reply):
                    return outcome
                delay = outcome
            self._sleep(delay)
            waited += delay
            attempt += 1

    def _exchange(
        self, method: str, url: httpx.URL, content: bytes | None, deadline: float
    ) -> _Raw:
        """One attempt: the status and headers, then the body read within the cap, all by
        the deadline (every socket operation is bounded by it, see _DeadlineStream)."""
        token = _DEADLINE.set((deadline, self._clock))
        try:
            with self._http.stream(method, url, content=content) as response:
                reader = self._reader(response)
                if response.is_stream_consumed:
                    # A response made in memory (a mock transport): httpx holds it decoded.
                    reader.take_decoded(response.content)
                elif reader.problem is None:
                    try:
                        for chunk in response.iter_raw():
                            if not reader.feed(chunk):
                                break
                            if self._clock() >= deadline:
                                reader.fail(self._late())
                                break
                    except httpx.HTTPError as exc:
                        late = self._clock() >= deadline
                        reader.fail(self._late() if late else _cut(self._host, exc))
                return reader.result(response.status_code, response.headers)
        finally:
            _DEADLINE.reset(token)

    def close(self) -> None:
        """Close the pooled connections. The client cannot send afterwards."""
        self._closed = True
        self._http.close()

    def __enter__(self) -> LegsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncLegsClient(_BaseLegsClient):
    """The asyncio twin of :class:`LegsClient`: same arguments, ``await client.send(...)``.

    Use ``async with`` (or ``await client.aclose()``). Sends to one leg are served one at
    a time in the order they started; sends to different legs run concurrently. Use one
    client per event loop.

    >>> import asyncio
    >>> from exoml.testing import FakeLegsAPI
    >>> async def main(api):
    ...     async with AsyncLegsClient(
    ...         api.account_sid, api.api_key, api.api_token, base_url=api.url
    ...     ) as client:
    ...         results = await asyncio.gather(
    ...             *(client.send(f"LEG{i}", "<Flow><Answer/></Flow>") for i in range(3)))
    ...     return [r.leg_sid for r in results]
    >>> with FakeLegsAPI() as api:
    ...     asyncio.run(main(api))
    ['LEG0', 'LEG1', 'LEG2']
    """

    def __init__(
        self,
        account_sid: str,
        api_key: str,
        api_token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        region: Region | None = None,
        timeout: float = 10.0,
        deadline: float | None = None,
        max_retries: int = 2,
        max_retry_wait: float = 60.0,
        retry_server_errors: bool = False,
        rate_limit: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            account_sid,
            api_key,
            api_token,
            base_url=base_url,
            region=region,
            timeout=timeout,
            deadline=deadline,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            retry_server_errors=retry_server_errors,
            rate_limit=rate_limit,
            max_response_bytes=max_response_bytes,
        )
        self._sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
        self._loop: asyncio.AbstractEventLoop | None = None
        self._legs = AsyncLegQueues()
        self._http = httpx.AsyncClient(transport=transport, **self._client_options())

    async def send(
        self,
        leg_sid: str,
        exoml: Flow | Verb | str | bytes,
        *,
        custom_param: str | None = None,
        validate: bool = True,
    ) -> ActionAccepted:
        """Send one ExoML document to a leg; see :meth:`LegsClient.send`."""
        # Validation and queueing happen before the first await, so the order of sends to
        # a leg is the order in which they started.
        action = self._prepare(leg_sid, exoml, custom_param, validate)
        self._check_open()
        self._check_loop()
        async with self._legs.hold(action.leg_sid):
            reply = await self._request(
                "POST", action.url, content=action.content, subject=f"leg {action.leg_sid!r}"
            )
        return self._accepted(action, reply)

    async def _request(
        self, method: str, url: httpx.URL, *, content: bytes | None = None, subject: str
    ) -> _Reply:
        """Send one request; see :meth:`LegsClient._request`."""
        self._check_loop()
        attempt = 0
        waited = 0.0
        while True:
            pause = self._pace()
            if pause:
                logger.debug("%s: waiting %.2f s for the rate limit", subject, pause)
                await self._sleep(pause)
            self._check_open()
            deadline = self._clock() + self._deadline
            try:
                raw = await self._exchange(method, url, content)
            except httpx.HTTPError as exc:
                late = self._clock() >= deadline
                delay = self._after_transport_error(subject, exc, attempt, waited, late)
            except RuntimeError:
                if self._closed:
                    self._check_open()
                raise
            else:
                outcome = self._after_response(subject, raw, attempt, waited)
                if isinstance(outcome, _Reply):
                    return outcome
                delay = outcome
            await self._sleep(delay)
            waited += delay
            attempt += 1

    async def _exchange(self, method: str, url: httpx.URL, content: bytes | None) -> _Raw:
        """One attempt within the deadline (asyncio cancels whatever is still running)."""
        progress: list[httpx.Response] = []
        try:
            return await asyncio.wait_for(
                self._exchange_now(method, url, content, progress), self._deadline
            )
        except asyncio.TimeoutError:
            if not progress:
                raise _DeadlinePassed("the deadline passed before the answer") from None
            response = progress[0]
            return _Raw(response.status_code, response.headers, None, self._late())

    async def _exchange_now(
        self,
        method: str,
        url: httpx.URL,
        content: bytes | None,
        progress: list[httpx.Response],
    ) -> _Raw:
        async with self._http.stream(method, url, content=content) as response:
            progress.append(response)
            reader = self._reader(response)
            if response.is_stream_consumed:
                reader.take_decoded(response.content)
            elif reader.problem is None:
                try:
                    async for chunk in response.aiter_raw():
                        if not reader.feed(chunk):
                            break
                except httpx.HTTPError as exc:
                    reader.fail(_cut(self._host, exc))
            return reader.result(response.status_code, response.headers)

    def _check_loop(self) -> None:
        """Bind the client to the running event loop on first use; refuse any other.

        Its connections and queues belong to one loop: used from another (a second
        ``asyncio.run``), httpx and asyncio would fail with their own errors.
        """
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise ExomlError(
                "this AsyncLegsClient belongs to the event loop it was first used in; "
                "make one client per event loop (each asyncio.run() starts a new one)"
            )

    async def aclose(self) -> None:
        """Close the pooled connections. The client cannot send afterwards."""
        self._closed = True
        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            # Its connections belong to another loop (perhaps closed): they cannot be
            # closed from here, and are dropped with the client.
            return
        await self._http.aclose()

    async def __aenter__(self) -> AsyncLegsClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


# -- helpers ------------------------------------------------------------------------------


def _text(name: str, value: object, *, empty: bool = False) -> str:
    """``value`` as a plain ``str`` that can be sent (UTF-8 encodable), or the
    :class:`TypeError`/:class:`ValueError` that names the argument."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    # The base type's own copy: a str subclass cannot change what is sent or checked.
    text = str.__str__(value)
    if not text and not empty:
        raise ValueError(f"{name} must not be empty")
    _encodable(name, text)
    return text


def _encodable(name: str, text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{name} contains a lone surrogate (U+{ord(text[exc.start]):04X} at index "
            f"{exc.start}), which cannot be sent; pass valid Unicode text (decode bytes "
            "with errors='strict' or 'replace', not 'surrogateescape')"
        ) from None


def _document(exoml: object, validate: bool) -> str:
    """The ExoML text to send: a Flow or a verb rendered, or text (str, or UTF-8 bytes)
    checked unless told not to."""
    if isinstance(exoml, (bytes, bytearray)):
        data = bytes(exoml)
        try:
            exoml = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"exoml bytes are not UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                f"{exc.start}); pass UTF-8 bytes, a str or a Flow"
            ) from None
    if isinstance(exoml, str):
        text = _text("exoml", exoml, empty=True)
        if validate:
            _refuse_invalid(text)
        return text
    from . import Flow, Verb

    if isinstance(exoml, Flow):
        # A Flow is valid by construction: no need to parse what it just rendered.
        return exoml.to_xml()
    if isinstance(exoml, Verb):
        return Flow(exoml).to_xml()
    raise TypeError(
        f"exoml must be a Flow, a verb, or the document as a str or UTF-8 bytes, "
        f"not {type(exoml).__name__}"
    )


def _refuse_invalid(document: str) -> None:
    from ._check import has_errors, validate

    # Only errors stop a send: a valid document is not searched for warnings, whose
    # positions cost several times the check itself (a multi-verb flow warns EX501).
    if not has_errors(document, dialect="legs"):
        return
    diagnostics = validate(document, dialect="legs")
    errors = [d for d in diagnostics if d.is_error]
    if not errors:
        return
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise ExomlError(
        f"invalid ExoML, nothing sent: {first.line}:{first.column}: "
        f"{first.code} {first.message}{more}",
        diagnostics,
    )


@functools.lru_cache(maxsize=1024)
def _actions_url(legs_url: str, leg_sid: str) -> httpx.URL:
    """The actions URL of a leg, parsed once: from a string, httpx would parse and check
    it on every request, which costs more than the rest of what the client adds to a
    send. Calls send several actions to one leg, so recent legs are kept."""
    return httpx.URL(f"{legs_url}{_segment(leg_sid)}/actions")


def _segment(value: str) -> str:
    """Percent-encode one path segment so that no value can change the path."""
    encoded = quote(value, safe="")
    if set(value) == {"."}:
        # "." and ".." survive quote() and would be resolved as relative segments.
        encoded = value.replace(".", "%2E")
    return encoded


_AUTHORITY = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:)?[\\/]*([^/\\?#]*)")


def _check_base_url(base_url: object) -> tuple[str, bool]:
    """The base URL without a trailing slash, and whether its host is a loopback address.

    No message echoes a URL that carried credentials: such a URL is refused first, and
    every other message shows the URL with anything before an ``@`` masked.
    """
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
    text = _text("base_url", base_url)
    authority = _AUTHORITY.match(text)
    if "@" in (authority.group(1) if authority else text) or "@" in text.split("?")[0]:
        # Credentials in the URL would end up in logs, reprs and error messages.
        raise ValueError(
            "base_url must not contain credentials (user:password@); "
            "pass api_key and api_token instead"
        )
    shown = repr(_redacted(text))
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ValueError(f"base_url is not a valid URL ({_redacted(str(exc))}): {shown}") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise ValueError(f"base_url must be an https:// URL, not {shown}")
    if url.userinfo:
        raise ValueError(
            "base_url must not contain credentials (user:password@); "
            "pass api_key and api_token instead"
        )
    if url.port is not None and not 1 <= url.port <= 65535:
        raise ValueError(f"base_url's port must be between 1 and 65535, not {url.port}")
    if url.query or url.fragment:
        raise ValueError("base_url must not have a query or a fragment")
    loopback = _is_loopback(url.host)
    if url.scheme != "https" and not loopback:
        raise ValueError(
            f"base_url must use https:// (http:// is allowed only for loopback hosts): {shown}"
        )
    return str(url).rstrip("/"), loopback


def _redacted(text: str) -> str:
    """``text`` with anything that could be a password (before an ``@``) masked."""
    return re.sub(r"[^\s/@'\"]*@", "***@", text)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _mask(secret: str) -> str:
    return f"{secret[:4]}…" if len(secret) > 8 else "…"


def _clip(text: str | None) -> str | None:
    """A server-supplied string short enough for a one-line message."""
    if text is None or len(text) <= _MAX_MESSAGE:
        return text
    return text[:_MAX_MESSAGE] + "…"


def _cut(host: str, exc: httpx.HTTPError) -> TransportError:
    """The problem of an answer whose body broke off."""
    name, text = type(exc).__name__, str(exc)
    detail = f"{name}: {text}" if text and text != name else name
    return TransportError(f"the answer from {host} broke off ({detail})")


def _dig(body: Any, *keys: str) -> str | None:
    """A string found at ``body[k1][k2]...``, or ``None`` for any other shape."""
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return _sound(body) if isinstance(body, str) else None


def _diagnostics(body: Any) -> list[Diagnostic]:
    """The diagnostics a 400 body lists under ``response.error.diagnostics``, if any."""
    error = body.get("response") if isinstance(body, dict) else None
    error = error.get("error") if isinstance(error, dict) else None
    listed = error.get("diagnostics") if isinstance(error, dict) else None
    if not isinstance(listed, list):
        return []
    found = []
    for item in listed:
        if not isinstance(item, dict):
            continue
        try:
            found.append(
                Diagnostic(
                    code=_sound(str(item["code"])),
                    severity="warning" if item.get("severity") == "warning" else "error",
                    message=_sound(str(item["message"])),
                    line=_position(item.get("line")),
                    column=_position(item.get("column")),
                    hint=_sound(item["hint"]) if isinstance(item.get("hint"), str) else None,
                )
            )
        except (KeyError, TypeError, ValueError, OverflowError):
            continue
    return found


def _position(value: object) -> int:
    """A 1-based line or column from a server's diagnostic; 1 when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**31:
        return 1
    return value


@functools.cache
def _package_version() -> str:
    try:
        return version("exoml-dsl")
    except PackageNotFoundError:
        return "0"
