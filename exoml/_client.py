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
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Generic, Literal, NamedTuple, TypeVar
from urllib.parse import quote

import httpx

from ._diagnostics import Diagnostic
from ._errors import (
    ApiError,
    AuthenticationError,
    BridgeNotFoundError,
    ClientClosedError,
    ExomlError,
    InvalidExomlError,
    LegNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    _reason_phrase,
)
from ._legs import Bridge, ExternalEvent, Leg, leg_events_from_answer
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
    from ._catalogue import DialectName

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
    429: RateLimitError,
}

#: The status fields :meth:`LegsClient.get_leg` can ask for (``additional_info``).
LegStatusField = Literal[
    "bridge_status",
    "recording_status",
    "hold_status",
    "gather_status",
    "play_status",
    "tx_audio_status",
    "rx_audio_status",
]
_LEG_STATUS_FIELDS: frozenset[str] = frozenset(LegStatusField.__args__)  # type: ignore[attr-defined]
NetworkType = Literal["pstn", "voip"]
Priority = Literal["normal", "high"]

_ClientT = TypeVar("_ClientT", bound="_BaseLegsClient")

#: asyncio.timeout (Python 3.11 and later), or None.
_timeout: Callable[[float], Any] | None = getattr(asyncio, "timeout", None)
_T = TypeVar("_T")

# Compact JSON, made once: json.dumps with options builds an encoder on every call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class ActionAccepted:
    """The API accepted an action (HTTP 202); its effects arrive later as events.

    ``request_id`` identifies the request in Exotel's records (``None`` when the 2xx
    answer's body could not be read or carried none, which the documented API never
    does); ``leg_sid`` is the leg the action was sent to (:meth:`LegsClient.send`),
    ``bridge_sid`` the bridge (:meth:`LegsClient.send_to_bridge`,
    :meth:`LegsClient.stop_bridge`): the other one is ``None``; ``http_code`` is the
    status (202). Any 2xx status is an acceptance, whatever its body.

    >>> ActionAccepted(request_id="r1", leg_sid="L1", http_code=202).http_code
    202
    """

    request_id: str | None
    leg_sid: str | None
    http_code: int
    bridge_sid: str | None = None


class _Action(NamedTuple):
    """A request ready to send: validated, encoded, addressed."""

    leg_sid: str
    url: httpx.URL
    content: bytes


class _Call(Generic[_T]):
    """A request of a legs or bridges endpoint, ready to send, and how to read its answer.

    ``queue`` serialises the calls that share it (the actions on one bridge);
    ``not_found`` is what a 404 means here; ``idempotent`` calls (reads, stopping a
    bridge) are retried after a 5xx or a read timeout even without
    ``retry_server_errors``; ``read`` builds the result from a 2xx answer's decoded
    body, raising ValueError when it cannot.
    """

    __slots__ = ("content", "idempotent", "method", "not_found", "queue", "read", "subject", "url")

    def __init__(
        self,
        method: str,
        url: httpx.URL,
        content: bytes | None,
        read: Callable[[Any, int], _T],
        *,
        subject: str,
        not_found: type[NotFoundError],
        queue: str | None = None,
        idempotent: bool = False,
    ) -> None:
        self.method = method
        self.url = url
        self.content = content
        self.read = read
        self.subject = subject
        self.not_found = not_found
        self.queue = queue
        self.idempotent = idempotent


class _Reply(NamedTuple):
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
        account = f"{self._base_url}/v2/accounts/{_segment(account_sid)}"
        self._legs_url = f"{account}/legs/"
        self._bridges_url = f"{account}/bridges/"
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
        document = _document(exoml, validate)
        if not issubclass(type(exoml), (str, bytes, bytearray)):
            # Checked again as text: a Flow subclass could render anything. (Text given
            # as text, or as bytes, was checked as it was read.)
            document = _text("exoml", document, empty=True)
        body: dict[str, str] = {"exoml": document}
        if custom_param is not None:
            body["action_custom_param"] = custom_param
        content = _JSON.encode(body).encode("utf-8")
        return _Action(leg_sid, _actions_url(self._legs_url, leg_sid), content)

    def _prepare_bridge_action(
        self, bridge_sid: object, exoml: object, custom_param: object, validate: bool
    ) -> _Call[ActionAccepted]:
        """``POST /bridges/{bridge_sid}/actions``: one action on a bridge."""
        sid = _text("bridge_sid", bridge_sid)
        if custom_param is not None:
            if not isinstance(custom_param, str):
                raise TypeError(
                    f"custom_param must be a str or None, not {type(custom_param).__name__}"
                )
            custom_param = _text("custom_param", custom_param, empty=True)
        body: dict[str, str] = {"exoml": _bridge_document(exoml, validate)}
        if custom_param is not None:
            body["action_custom_param"] = custom_param
        return _Call(
            "POST",
            _actions_url(self._bridges_url, sid),
            _JSON.encode(body).encode("utf-8"),
            functools.partial(_bridge_action_accepted, sid),
            subject=f"bridge {sid!r}",
            not_found=BridgeNotFoundError,
            # Actions on one bridge keep their order too; the prefix keeps a bridge sid
            # from sharing a queue with a leg of the same name.
            queue=f"bridge:{sid}",
        )

    def _prepare_create_leg(
        self, contact_uri: object, exophone: object, endpoint: object, options: dict[str, Any]
    ) -> _Call[Leg]:
        """``POST /legs``: place a call."""
        contact = _phone("contact_uri", contact_uri)
        body: dict[str, Any] = {
            "contact_uri": contact,
            "exophone": _phone("exophone", exophone),
            "leg_event_endpoint": _event_endpoint("leg_event_endpoint", endpoint),
        }
        for name, value in options.items():
            if value is not None:
                body[name] = _leg_option(name, value)
        return _Call(
            "POST",
            httpx.URL(self._legs_url.rstrip("/")),
            _JSON.encode(body).encode("utf-8"),
            functools.partial(_read_leg, None),
            subject=f"new leg to {_redacted(contact)!r}",
            # A 404 here is about the account or the endpoint, not about a leg.
            not_found=NotFoundError,
        )

    def _prepare_get_leg(self, leg_sid: object, fields: Iterable[str]) -> _Call[Leg]:
        """``GET /legs/{leg_sid}``, with the status fields asked for."""
        sid = _text("leg_sid", leg_sid)
        if isinstance(fields, (str, bytes)):
            raise TypeError("fields must be a collection of field names, not a str")
        wanted: list[str] = []
        for name in fields:
            if name not in _LEG_STATUS_FIELDS:
                known = ", ".join(sorted(_LEG_STATUS_FIELDS))
                raise ValueError(f"unknown leg status field {name!r}: expected one of {known}")
            if name not in wanted:
                wanted.append(name)
        url = httpx.URL(f"{self._legs_url}{_segment(sid)}")
        if wanted:
            # The newer page's form: one flag per field.
            url = url.copy_with(params={name: "true" for name in wanted})
        return _Call(
            "GET",
            url,
            None,
            functools.partial(_read_leg, sid),
            subject=f"leg {sid!r}",
            not_found=LegNotFoundError,
            idempotent=True,
        )

    def _prepare_leg_events(
        self, leg_sid: object, event_name: object
    ) -> _Call[tuple[ExternalEvent, ...]]:
        """``GET /legs/{leg_sid}/external-events``, optionally of one event name."""
        sid = _text("leg_sid", leg_sid)
        url = httpx.URL(f"{self._legs_url}{_segment(sid)}/external-events")
        if event_name is not None:
            url = url.copy_with(params={"event_name": _text("event_name", event_name)})
        return _Call(
            "GET",
            url,
            None,
            _read_leg_events,
            subject=f"leg {sid!r}",
            not_found=LegNotFoundError,
            idempotent=True,
        )

    def _prepare_create_bridge(
        self, leg_sids: object, endpoint: object, absorb_dtmf: object
    ) -> _Call[Bridge]:
        """``POST /bridges``: join legs."""
        if isinstance(leg_sids, (str, bytes)) or not isinstance(leg_sids, Iterable):
            raise TypeError("leg_sids must be a collection of leg sids, not a str")
        sids = [_text("each leg sid", sid) for sid in leg_sids]
        if len(sids) < 2:
            raise ValueError(f"a bridge joins at least two legs, not {len(sids)}")
        if len(set(sids)) != len(sids):
            raise ValueError(f"leg_sids lists a leg twice: {sids!r}")
        body: dict[str, Any] = {
            "leg_sids": sids,
            "bridge_event_endpoint": _event_endpoint("bridge_event_endpoint", endpoint),
        }
        if absorb_dtmf is not None:
            body["absorb_dtmf"] = _leg_option("absorb_dtmf", absorb_dtmf)
        return _Call(
            "POST",
            httpx.URL(self._bridges_url.rstrip("/")),
            _JSON.encode(body).encode("utf-8"),
            functools.partial(_read_bridge, None),
            subject=f"new bridge of {sids!r}",
            # The sids in the body are legs: a 404 here is about one of them.
            not_found=LegNotFoundError,
        )

    def _prepare_get_bridge(self, bridge_sid: object) -> _Call[Bridge]:
        """``GET /bridges/{bridge_sid}``."""
        sid = _text("bridge_sid", bridge_sid)
        return _Call(
            "GET",
            httpx.URL(f"{self._bridges_url}{_segment(sid)}"),
            None,
            functools.partial(_read_bridge, sid),
            subject=f"bridge {sid!r}",
            not_found=BridgeNotFoundError,
            idempotent=True,
        )

    def _prepare_stop_bridge(self, bridge_sid: object) -> _Call[ActionAccepted]:
        """``PUT /bridges/{bridge_sid}`` with ``{"action": "stop"}``."""
        sid = _text("bridge_sid", bridge_sid)
        return _Call(
            "PUT",
            httpx.URL(f"{self._bridges_url}{_segment(sid)}"),
            b'{"action":"stop"}',
            functools.partial(_bridge_action_accepted, sid),
            subject=f"bridge {sid!r}",
            not_found=BridgeNotFoundError,
            queue=f"bridge:{sid}",
            # Stopping a bridge twice ends it once.
            idempotent=True,
        )

    def _result(self, call: _Call[_T], reply: _Reply) -> _T:
        """What a 2xx answer means for ``call``; an ApiError when it cannot be read."""
        body = reply.data()
        try:
            return call.read(body, reply.status)
        except ValueError as exc:
            # The server said yes but not to what: the caller cannot go on.
            raise ApiError(
                f"unexpected answer to {call.method} {call.url.path}: {exc}",
                status_code=reply.status,
                request_id=_clip(_dig(body, "request_id")),
                body=body,
            ) from None

    def _policy(self, idempotent: bool) -> RetryPolicy:
        # Reads (and stopping a bridge) change nothing when repeated: a 5xx or a lost
        # answer is worth another attempt even when actions are not retried after one.
        if idempotent and not self._retry.retry_server_errors:
            return replace(self._retry, retry_server_errors=True)
        return self._retry

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

    def _outcome(
        self, raw: _Raw, not_found: type[NotFoundError] = LegNotFoundError
    ) -> _Reply | ApiError:
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
            message = f"{_reason_phrase(status)}; the answer's body was not read: {raw.problem}"
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
        if status == 404:
            error_class = not_found
        elif error_class is None:
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
        if logger.isEnabledFor(logging.DEBUG):
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
        self,
        subject: str,
        raw: _Raw,
        attempt: int,
        waited: float,
        idempotent: bool = False,
        not_found: type[NotFoundError] = LegNotFoundError,
    ) -> _Reply | float:
        """The reply of an attempt that got a 2xx, or the delay before retrying.

        Raises the mapped :class:`~exoml.ApiError` when the attempt is not to be retried.
        """
        outcome = self._outcome(raw, not_found)
        if isinstance(outcome, _Reply):
            return outcome
        kind: Failure = "refused"
        if isinstance(outcome, RateLimitError):
            kind = "rate_limited"
        elif isinstance(outcome, ServerError):
            kind = "server_error"
        retry_after = outcome.retry_after if isinstance(outcome, RateLimitError) else None
        policy = self._policy(idempotent)
        delay = policy.delay(kind, attempt=attempt, retry_after=retry_after, waited=waited)
        if delay is None:
            self._log_give_up(subject, kind, attempt, retry_after, waited)
            raise outcome
        self._log_retry(subject, outcome, attempt, delay)
        return delay

    def _after_transport_error(
        self,
        subject: str,
        exc: httpx.HTTPError,
        attempt: int,
        waited: float,
        late: bool,
        idempotent: bool = False,
    ) -> float:
        """The delay before retrying after an httpx exception; raises when not retrying.

        Call it from the ``except`` block: the :class:`~exoml.TransportError` it raises is
        chained ``from`` the httpx exception, which never reaches the caller itself.
        """
        error, kind = self._transport_error(exc, late)
        delay = self._policy(idempotent).delay(kind, attempt=attempt, waited=waited)
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

    def create_leg(
        self,
        contact_uri: str,
        exophone: str,
        leg_event_endpoint: str,
        *,
        network_type: NetworkType | None = None,
        custom_param: str | None = None,
        time_limit: int | None = None,
        timeout: int | None = None,
        setup_timeout: int | None = None,
        ring_timeout: int | None = None,
        requested_dc_code: str | None = None,
        requested_nso_code: str | None = None,
        reference_leg_sid: str | None = None,
        amd_enable: bool | None = None,
        async_amd: bool | None = None,
        priority: Priority | None = None,
    ) -> Leg:
        """Place a call: create a leg that dials ``contact_uri`` from ``exophone``.

        ``contact_uri`` is a phone number (with a leading 0 or a country code, ``+``
        allowed) or a ``sip:`` URI; ``exophone`` is your Exotel number;
        ``leg_event_endpoint`` is where the leg's events go (an ``https://`` URL, or
        ``grpc://host[:port]``; ``http://`` only on a loopback host). Every other
        argument is one of the API's documented options, sent only when given:
        ``network_type`` (``"pstn"``, the API's default, or ``"voip"``), ``custom_param``
        (echoed in the leg's events), ``time_limit`` (seconds the call may last; 14400 by
        default), ``timeout``, ``setup_timeout`` and ``ring_timeout`` (seconds; 30 by
        default), ``requested_dc_code`` and ``requested_nso_code``,
        ``reference_leg_sid`` (place the leg beside one you mean to bridge it with),
        ``amd_enable`` and ``async_amd`` (answering-machine detection) and ``priority``
        (``"normal"`` or ``"high"``). A bad value raises :class:`ValueError` (or
        :class:`TypeError`) before anything is sent.

        Returns the :class:`~exoml.Leg` the API created (sid, ``created_at``); the call's
        progress arrives as events (``leg_ringing``, ``leg_answered``, ...). Errors and
        retries are those of :meth:`send`: a 5xx is not retried unless
        ``retry_server_errors=True``, since a second attempt could place a second call.
        """
        options = {name: value for name, value in locals().items() if name in _LEG_OPTIONS}
        return self._call(
            self._prepare_create_leg(contact_uri, exophone, leg_event_endpoint, options)
        )

    def get_leg(self, leg_sid: str, *, fields: Iterable[LegStatusField] = ()) -> Leg:
        """Read a leg's state; ``fields`` asks for status fields (``additional_info``).

        ``fields`` takes any of ``"bridge_status"``, ``"recording_status"``,
        ``"hold_status"``, ``"gather_status"``, ``"play_status"``, ``"tx_audio_status"``
        and ``"rx_audio_status"``. Raises :class:`~exoml.LegNotFoundError` for an
        unknown leg. Reads are retried after a 5xx or a read timeout as well.
        """
        return self._call(self._prepare_get_leg(leg_sid, fields))

    def leg_events(
        self, leg_sid: str, *, event_name: str | None = None
    ) -> tuple[ExternalEvent, ...]:
        """The events Exotel generated for a leg, oldest first, with their delivery record.

        ``event_name`` keeps only the events of that name (the API filters). Each item
        is an :class:`~exoml.ExternalEvent`: the event, and whether the event endpoint
        acknowledged it. Use it to recover events your endpoint missed.
        """
        return self._call(self._prepare_leg_events(leg_sid, event_name))

    def create_bridge(
        self,
        leg_sids: Iterable[str],
        bridge_event_endpoint: str,
        *,
        absorb_dtmf: bool | None = None,
    ) -> Bridge:
        """Join two or more live legs in one conversation; returns the :class:`~exoml.Bridge`.

        ``bridge_event_endpoint`` receives the bridge's events (``bridge_created``,
        ``leg_joined_bridge``, ``leg_left_bridge``, ``bridge_terminal``);
        ``absorb_dtmf=True`` keeps the legs from hearing each other's key presses. A
        404 (a leg that does not exist) raises :class:`~exoml.LegNotFoundError`.
        """
        return self._call(self._prepare_create_bridge(leg_sids, bridge_event_endpoint, absorb_dtmf))

    def get_bridge(self, bridge_sid: str) -> Bridge:
        """Read a bridge: its state and the legs in it.

        Raises :class:`~exoml.BridgeNotFoundError` for an unknown bridge.
        """
        return self._call(self._prepare_get_bridge(bridge_sid))

    def stop_bridge(self, bridge_sid: str) -> ActionAccepted:
        """End a bridge (``PUT`` with ``{"action": "stop"}``); its legs stay up.

        The API accepts the request (202); ``leg_left_bridge`` and ``bridge_terminal``
        follow as events. Raises :class:`~exoml.BridgeNotFoundError` for an unknown
        bridge.
        """
        return self._call(self._prepare_stop_bridge(bridge_sid))

    def send_to_bridge(
        self,
        bridge_sid: str,
        exoml: Flow | Verb | str | bytes,
        *,
        custom_param: str | None = None,
        validate: bool = True,
    ) -> ActionAccepted:
        """Send one ExoML document to a bridge (every leg in it hears the result).

        Bridges take their own, smaller vocabulary (``StartPlay``, ``StopPlay``,
        ``Refer`` with ``bridgeEventEndpoint``): the document is checked against it
        first, as :meth:`send` checks a leg's (``validate=False`` skips the check).
        Actions on one bridge keep their order. Raises
        :class:`~exoml.BridgeNotFoundError` for an unknown bridge.
        """
        return self._call(self._prepare_bridge_action(bridge_sid, exoml, custom_param, validate))

    def _call(self, call: _Call[_T]) -> _T:
        """Run one endpoint call through :meth:`_request`, in its queue when it has one."""
        self._check_open()
        with self._legs.hold(call.queue) if call.queue is not None else nullcontext():
            reply = self._request(
                call.method,
                call.url,
                content=call.content,
                subject=call.subject,
                idempotent=call.idempotent,
                not_found=call.not_found,
            )
        return self._result(call, reply)

    def _request(
        self,
        method: str,
        url: httpx.URL,
        *,
        content: bytes | None = None,
        subject: str,
        idempotent: bool = False,
        not_found: type[NotFoundError] = LegNotFoundError,
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
                delay = self._after_transport_error(subject, exc, attempt, waited, late, idempotent)
            except RuntimeError:
                # httpx's "the client has been closed", when close() raced this call.
                if self._closed:
                    self._check_open()
                raise
            else:
                outcome = self._after_response(subject, raw, attempt, waited, idempotent, not_found)
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
        http = self._http
        token = _DEADLINE.set((deadline, self._clock))
        try:
            # What http.stream() does, without its generator-based context manager.
            response = http.send(http.build_request(method, url, content=content), stream=True)
            try:
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
                response.close()
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

    async def create_leg(
        self,
        contact_uri: str,
        exophone: str,
        leg_event_endpoint: str,
        *,
        network_type: NetworkType | None = None,
        custom_param: str | None = None,
        time_limit: int | None = None,
        timeout: int | None = None,
        setup_timeout: int | None = None,
        ring_timeout: int | None = None,
        requested_dc_code: str | None = None,
        requested_nso_code: str | None = None,
        reference_leg_sid: str | None = None,
        amd_enable: bool | None = None,
        async_amd: bool | None = None,
        priority: Priority | None = None,
    ) -> Leg:
        """Place a call; see :meth:`LegsClient.create_leg`."""
        options = {name: value for name, value in locals().items() if name in _LEG_OPTIONS}
        return await self._call(
            self._prepare_create_leg(contact_uri, exophone, leg_event_endpoint, options)
        )

    async def get_leg(self, leg_sid: str, *, fields: Iterable[LegStatusField] = ()) -> Leg:
        """Read a leg's state; see :meth:`LegsClient.get_leg`."""
        return await self._call(self._prepare_get_leg(leg_sid, fields))

    async def leg_events(
        self, leg_sid: str, *, event_name: str | None = None
    ) -> tuple[ExternalEvent, ...]:
        """The events Exotel generated for a leg; see :meth:`LegsClient.leg_events`."""
        return await self._call(self._prepare_leg_events(leg_sid, event_name))

    async def create_bridge(
        self,
        leg_sids: Iterable[str],
        bridge_event_endpoint: str,
        *,
        absorb_dtmf: bool | None = None,
    ) -> Bridge:
        """Join live legs in one conversation; see :meth:`LegsClient.create_bridge`."""
        return await self._call(
            self._prepare_create_bridge(leg_sids, bridge_event_endpoint, absorb_dtmf)
        )

    async def get_bridge(self, bridge_sid: str) -> Bridge:
        """Read a bridge; see :meth:`LegsClient.get_bridge`."""
        return await self._call(self._prepare_get_bridge(bridge_sid))

    async def stop_bridge(self, bridge_sid: str) -> ActionAccepted:
        """End a bridge; see :meth:`LegsClient.stop_bridge`."""
        return await self._call(self._prepare_stop_bridge(bridge_sid))

    async def send_to_bridge(
        self,
        bridge_sid: str,
        exoml: Flow | Verb | str | bytes,
        *,
        custom_param: str | None = None,
        validate: bool = True,
    ) -> ActionAccepted:
        """Send one ExoML document to a bridge; see :meth:`LegsClient.send_to_bridge`."""
        call = self._prepare_bridge_action(bridge_sid, exoml, custom_param, validate)
        return await self._call(call)

    async def _call(self, call: _Call[_T]) -> _T:
        """Run one endpoint call; see :meth:`LegsClient._call`."""
        self._check_open()
        self._check_loop()
        async with self._legs.hold(call.queue) if call.queue is not None else nullcontext():
            reply = await self._request(
                call.method,
                call.url,
                content=call.content,
                subject=call.subject,
                idempotent=call.idempotent,
                not_found=call.not_found,
            )
        return self._result(call, reply)

    async def _request(
        self,
        method: str,
        url: httpx.URL,
        *,
        content: bytes | None = None,
        subject: str,
        idempotent: bool = False,
        not_found: type[NotFoundError] = LegNotFoundError,
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
                delay = self._after_transport_error(subject, exc, attempt, waited, late, idempotent)
            except RuntimeError:
                if self._closed:
                    self._check_open()
                raise
            else:
                outcome = self._after_response(subject, raw, attempt, waited, idempotent, not_found)
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
            if _timeout is None:  # Python 3.10
                return await asyncio.wait_for(
                    self._exchange_now(method, url, content, progress), self._deadline
                )
            # Cancels this task at the deadline; wait_for would run each attempt in a
            # task of its own, which costs more than the rest of the client's share.
            async with _timeout(self._deadline):
                return await self._exchange_now(method, url, content, progress)
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
        http = self._http
        # What http.stream() does, without its generator-based context manager.
        request = http.build_request(method, url, content=content)
        response = await http.send(request, stream=True)
        try:
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
        finally:
            await response.aclose()

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
    if not issubclass(type(value), str):  # not value.__class__, which an object may fake
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    # The base type's own copy: a str subclass cannot change what is sent or checked.
    text = str.__str__(value)
    if not text and not empty:
        raise ValueError(f"{name} must not be empty")
    if not text.isascii():  # (isascii costs nothing: CPython knows it of every str)
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
    kind = type(exoml)  # not exoml.__class__, which an object may fake
    if issubclass(kind, (bytes, bytearray)):
        data = bytes(memoryview(exoml))  # type: ignore[arg-type]
        try:
            exoml = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"exoml bytes are not UTF-8 (byte 0x{data[exc.start]:02x} at offset "
                f"{exc.start}); pass UTF-8 bytes, a str or a Flow"
            ) from None
    if issubclass(type(exoml), str):
        text = _text("exoml", exoml, empty=True)
        if validate:
            _refuse_invalid(text)
        return text
    from . import Flow, Verb

    # Tested on the type itself: an object that only claims a class through __class__
    # is neither, and its to_xml is never called.
    if issubclass(kind, Flow):
        # A Flow is valid by construction: no need to parse what it just rendered.
        return exoml.to_xml()  # type: ignore[attr-defined,no-any-return]
    if issubclass(kind, Verb):
        return Flow(exoml).to_xml()  # type: ignore[arg-type]
    raise TypeError(
        f"exoml must be a Flow, a verb, or the document as a str or UTF-8 bytes, "
        f"not {type(exoml).__name__}"
    )


def _bridge_document(exoml: object, validate: bool) -> str:
    """The ExoML text to send to a bridge, checked against the bridge dialect.

    A Flow is checked too: the builder makes valid leg actions, and a bridge takes fewer.
    """
    document = _document(exoml, validate=False)
    if validate:
        _refuse_invalid(document, dialect="bridge")
    return document


def _refuse_invalid(document: str, dialect: DialectName = "legs") -> None:
    """Raise ExomlError with the diagnostics when ``document`` has errors in ``dialect``."""
    from ._check import has_errors, validate

    # Only errors stop a send: a valid document is not searched for warnings, whose
    # positions cost several times the check itself (a multi-verb flow warns EX501).
    if not has_errors(document, dialect=dialect):
        return
    diagnostics = validate(document, dialect=dialect)
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


# -- reading answers (each raises ValueError when a 2xx answer cannot be read) ------------


def _bridge_action_accepted(sid: str, body: Any, status: int) -> ActionAccepted:
    bridge = _dig(body, "response", "data", "bridge_sid")
    return ActionAccepted(
        request_id=_clip(_dig(body, "request_id")),
        leg_sid=None,
        http_code=status,
        bridge_sid=bridge or sid,
    )


def _read_leg(sid: str | None, body: Any, status: int) -> Leg:
    # A new leg is known only by the sid in the answer; a read one by the one asked for.
    return Leg.from_answer(body, leg_sid=sid)


def _read_bridge(sid: str | None, body: Any, status: int) -> Bridge:
    return Bridge.from_answer(body, bridge_sid=sid)


def _read_leg_events(body: Any, status: int) -> tuple[ExternalEvent, ...]:
    return leg_events_from_answer(body)


# -- checking arguments ---------------------------------------------------------------------

# A phone number with a leading 0 or a country code ("+" allowed), or a SIP URI.
_PHONE = re.compile(r"\+?[0-9]{3,20}")
_SIP = re.compile(r"sips?:[^\s]+", re.IGNORECASE)
_OPTION_INTS = ("time_limit", "timeout", "setup_timeout", "ring_timeout")
_OPTION_TEXTS = ("custom_param", "requested_dc_code", "requested_nso_code", "reference_leg_sid")
_OPTION_BOOLS = ("amd_enable", "async_amd", "absorb_dtmf")
_OPTION_CHOICES: dict[str, tuple[str, ...]] = {
    "network_type": ("pstn", "voip"),
    "priority": ("normal", "high"),
}
_LEG_OPTIONS = frozenset(
    {*_OPTION_CHOICES, *_OPTION_INTS, *_OPTION_TEXTS, "amd_enable", "async_amd"}
)
#: The longest time any create-leg option may give, in seconds (a day).
_MAX_OPTION_SECONDS = 86_400


def _leg_option(name: str, value: object) -> object:
    """The value to send for an option, or a ValueError/TypeError naming what is wrong."""
    if name in _OPTION_CHOICES:
        choices = _OPTION_CHOICES[name]
        if not isinstance(value, str) or value not in choices:
            listed = " or ".join(repr(c) for c in choices)
            raise ValueError(f"{name} must be {listed}, not {_show(value)}")
        return str.__str__(value)
    if name in _OPTION_INTS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be a whole number of seconds, not {_show(value)}")
        if not 1 <= value <= _MAX_OPTION_SECONDS:
            raise ValueError(
                f"{name} must be at least 1 second and at most {_MAX_OPTION_SECONDS}, "
                f"not {_show(value)}"
            )
        return int(value)
    if name in _OPTION_BOOLS:
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, not {_show(value)}")
        return value
    text = _text(name, value)
    if text != text.strip() and name != "custom_param":
        raise ValueError(f"{name} must not start or end with spaces: {text!r}")
    return text


def _phone(name: str, value: object) -> str:
    text = _text(name, value)
    if not (_PHONE.fullmatch(text) or _SIP.fullmatch(text)):
        raise ValueError(
            f"{name} must be a phone number (digits with a leading 0 or a country code, "
            f"'+' allowed) or a sip: URI, not {_show(text)}"
        )
    return text


def _event_endpoint(name: str, value: object) -> str:
    """An event endpoint: https://, grpc(s)://host[:port], or http:// on a loopback host."""
    text = _text(name, value)
    hidden = _hide_password(text)
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL:
        raise ValueError(f"{name} is not a valid URL: {hidden!r}") from None
    if url.scheme not in ("https", "http", "grpc", "grpcs") or not url.host or " " in text:
        raise ValueError(f"{name} must be an https:// URL or grpc://host[:port], not {hidden!r}")
    if url.scheme == "http" and not _is_loopback(url.host):
        raise ValueError(
            f"{name} must use https:// (http:// is allowed only for loopback hosts): {hidden!r}"
        )
    return text


def _show(value: object) -> str:
    """A value as an error message shows it: never huge, never a password's worth."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return shown(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _hide_password(url: str) -> str:
    """The URL with the password of its user part (basic auth for an endpoint) masked."""
    return re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", url, count=1)


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
