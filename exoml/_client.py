"""Clients for Exotel's Leg Actions API: send ExoML to a live call leg.

:class:`LegsClient` (blocking) and :class:`AsyncLegsClient` (asyncio) share everything
but I/O through :class:`_BaseLegsClient`: URL building, the request body, credentials,
turning responses into :class:`ActionAccepted` or an :class:`~exoml.ApiError`, mapping
httpx's exceptions to :class:`~exoml.TransportError`, and the retry decisions. The two
public clients differ only in how they send, sleep and queue.

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
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar
from urllib.parse import quote

import httpx

from ._diagnostics import Diagnostic
from ._errors import (
    ApiError,
    AuthenticationError,
    BridgeNotFoundError,
    ExomlError,
    InvalidExomlError,
    LegNotFoundError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from ._legs import Bridge, ExternalEvent, Leg, leg_events_from_answer
from ._pacing import AsyncLegQueues, LegQueues, RateLimiter
from ._retry import Failure, RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    from . import Flow

__all__ = ["ActionAccepted", "AsyncLegsClient", "LegStatusField", "LegsClient"]

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

logger = logging.getLogger("exoml.client")

_STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: InvalidExomlError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    429: RateLimitError,
}
# What a 404 means depends on what the request addressed.
Subject = Literal["leg", "bridge", "account"]
_NOT_FOUND: dict[Subject, type[NotFoundError]] = {
    "leg": LegNotFoundError,
    "bridge": BridgeNotFoundError,
    "account": NotFoundError,
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
_T = TypeVar("_T")

# Compact JSON, made once: json.dumps with options builds an encoder on every call.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class ActionAccepted:
    """The API accepted an action (HTTP 202); its effects arrive later as events.

    ``request_id`` identifies the request in Exotel's records (``None`` only if a 2xx
    body carried none, which the documented API never does); ``leg_sid`` is the leg the
    action was sent to (:meth:`LegsClient.send`), ``bridge_sid`` the bridge
    (:meth:`LegsClient.send_to_bridge`, :meth:`LegsClient.stop_bridge`): the other one
    is ``None``; ``http_code`` is the status (202).

    >>> ActionAccepted(request_id="r1", leg_sid="L1", http_code=202).http_code
    202
    """

    request_id: str | None
    leg_sid: str | None
    http_code: int
    bridge_sid: str | None = None


class _Request(Generic[_T]):
    """A request ready to send: validated, encoded, addressed, and how to read its answer.

    ``queue`` serialises requests that share it (the actions on one leg or bridge);
    ``idempotent`` requests (reads) are retried after a 5xx or a read timeout even
    without ``retry_server_errors``; ``read`` builds the result from a 2xx answer's
    decoded body, status, request id and ``sid``, raising ValueError when the answer
    cannot be read.
    """

    __slots__ = ("content", "idempotent", "method", "queue", "read", "sid", "subject", "url")

    def __init__(
        self,
        method: str,
        url: httpx.URL,
        content: bytes | None,
        read: Callable[[Any, int, str | None, str], _T],
        *,
        sid: str,
        subject: Subject,
        queue: str | None = None,
        idempotent: bool = False,
    ) -> None:
        self.method = method
        self.url = url
        self.content = content
        self.read = read
        self.sid = sid
        self.subject = subject
        self.queue = queue
        self.idempotent = idempotent

    @property
    def leg_sid(self) -> str:
        """What the logs name: the sid of the leg or bridge (or what is being created)."""
        return self.sid


class _Retry:
    """An attempt that failed in a way worth retrying after ``delay`` seconds."""

    __slots__ = ("delay",)

    def __init__(self, delay: float) -> None:
        self.delay = delay


class _BaseLegsClient:
    """Everything the two clients share except I/O; not for direct use."""

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
        max_retries: int = 2,
        retry_server_errors: bool = False,
        rate_limit: float | None = None,
    ) -> None:
        _require_text("account_sid", account_sid)
        _require_text("api_key", api_key)
        _require_text("api_token", api_token)
        if region is not None:
            if base_url != DEFAULT_BASE_URL:
                raise ValueError("give base_url or region, not both")
            if region not in REGIONS:
                raise ValueError(f"region must be one of {sorted(REGIONS)}, not {region!r}")
            base_url = REGIONS[region]
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be a number of seconds, not {timeout!r}")
        if not 0 < timeout < float("inf"):
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        self._base_url, self._loopback = _check_base_url(base_url)
        self._host = httpx.URL(self._base_url).host
        self._account_sid = account_sid
        account = f"{self._base_url}/v2/accounts/{_segment(account_sid)}"
        self._legs_url = f"{account}/legs/"
        self._bridges_url = f"{account}/bridges/"
        self._api_key = api_key
        # Only httpx's auth object holds the token; nothing here prints it.
        self._auth = httpx.BasicAuth(api_key, api_token)
        self._timeout = float(timeout)
        self._retry = RetryPolicy(max_retries=max_retries, retry_server_errors=retry_server_errors)
        self._limiter = RateLimiter(rate_limit) if rate_limit is not None else None
        self._headers = {
            "Accept": "application/json",
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

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} account_sid={self._account_sid!r} "
            f"api_key={_mask(self._api_key)!r} api_token='***' base_url={self._base_url!r}>"
        )

    # -- building the requests -----------------------------------------------------------

    def _prepare(
        self, leg_sid: str, exoml: Flow | str, custom_param: str | None, validate: bool
    ) -> _Request[ActionAccepted]:
        """``POST /legs/{leg_sid}/actions``: one action on a leg."""
        _require_text("leg_sid", leg_sid)
        content = _action_body(_document(exoml, validate), custom_param)
        return _Request(
            "POST",
            _actions_url(self._legs_url, leg_sid),
            content,
            _leg_action_accepted,
            sid=leg_sid,
            subject="leg",
            queue=leg_sid,
        )

    def _prepare_bridge_action(
        self, bridge_sid: str, exoml: Flow | str, custom_param: str | None, validate: bool
    ) -> _Request[ActionAccepted]:
        """``POST /bridges/{bridge_sid}/actions``: one action on a bridge."""
        _require_text("bridge_sid", bridge_sid)
        content = _action_body(_bridge_document(exoml, validate), custom_param)
        return _Request(
            "POST",
            _actions_url(self._bridges_url, bridge_sid),
            content,
            _bridge_action_accepted,
            sid=bridge_sid,
            subject="bridge",
            # Actions on one bridge keep their order too; the prefix keeps a bridge sid
            # from sharing a queue with a leg of the same name.
            queue=f"bridge:{bridge_sid}",
        )

    def _prepare_create_leg(
        self, contact_uri: str, exophone: str, leg_event_endpoint: str, options: dict[str, Any]
    ) -> _Request[Leg]:
        """``POST /legs``: place a call."""
        _require_phone("contact_uri", contact_uri)
        _require_phone("exophone", exophone)
        _require_event_endpoint("leg_event_endpoint", leg_event_endpoint)
        body: dict[str, Any] = {
            "contact_uri": contact_uri,
            "exophone": exophone,
            "leg_event_endpoint": leg_event_endpoint,
        }
        for name, value in options.items():
            if value is not None:
                body[name] = _check_leg_option(name, value)
        return _Request(
            "POST",
            httpx.URL(self._legs_url.rstrip("/")),
            _JSON.encode(body).encode("utf-8"),
            _read_created_leg,
            sid=contact_uri,
            subject="account",
        )

    def _prepare_get_leg(self, leg_sid: str, fields: Iterable[str]) -> _Request[Leg]:
        """``GET /legs/{leg_sid}``, with the status fields asked for."""
        _require_text("leg_sid", leg_sid)
        if isinstance(fields, str):
            raise TypeError("fields must be a collection of field names, not a str")
        wanted = []
        for name in fields:
            if name not in _LEG_STATUS_FIELDS:
                known = ", ".join(sorted(_LEG_STATUS_FIELDS))
                raise ValueError(f"unknown leg status field {name!r}: expected one of {known}")
            if name not in wanted:
                wanted.append(name)
        url = httpx.URL(f"{self._legs_url}{_segment(leg_sid)}")
        if wanted:
            url = url.copy_with(params={name: "true" for name in wanted})
        return _Request("GET", url, None, _read_leg, sid=leg_sid, subject="leg", idempotent=True)

    def _prepare_leg_events(
        self, leg_sid: str, event_name: str | None
    ) -> _Request[tuple[ExternalEvent, ...]]:
        """``GET /legs/{leg_sid}/external-events``, optionally of one event name."""
        _require_text("leg_sid", leg_sid)
        url = httpx.URL(f"{self._legs_url}{_segment(leg_sid)}/external-events")
        if event_name is not None:
            _require_text("event_name", event_name)
            url = url.copy_with(params={"event_name": event_name})
        return _Request(
            "GET", url, None, _read_leg_events, sid=leg_sid, subject="leg", idempotent=True
        )

    def _prepare_create_bridge(
        self, leg_sids: Iterable[str], bridge_event_endpoint: str, absorb_dtmf: bool | None
    ) -> _Request[Bridge]:
        """``POST /bridges``: join legs."""
        if isinstance(leg_sids, str):
            raise TypeError("leg_sids must be a collection of leg sids, not a str")
        sids = list(leg_sids)
        if len(sids) < 2:
            raise ValueError(f"a bridge joins at least two legs, not {len(sids)}")
        for sid in sids:
            _require_text("each leg sid", sid)
        if len(set(sids)) != len(sids):
            raise ValueError(f"leg_sids lists a leg twice: {sids!r}")
        _require_event_endpoint("bridge_event_endpoint", bridge_event_endpoint)
        body: dict[str, Any] = {"leg_sids": sids, "bridge_event_endpoint": bridge_event_endpoint}
        if absorb_dtmf is not None:
            body["absorb_dtmf"] = _check_leg_option("absorb_dtmf", absorb_dtmf)
        return _Request(
            "POST",
            httpx.URL(self._bridges_url.rstrip("/")),
            _JSON.encode(body).encode("utf-8"),
            _read_created_bridge,
            sid=",".join(sids),
            # The sids in the body are legs: a 404 here is about one of them.
            subject="leg",
        )

    def _prepare_get_bridge(self, bridge_sid: str) -> _Request[Bridge]:
        """``GET /bridges/{bridge_sid}``."""
        _require_text("bridge_sid", bridge_sid)
        url = httpx.URL(f"{self._bridges_url}{_segment(bridge_sid)}")
        return _Request(
            "GET", url, None, _read_bridge, sid=bridge_sid, subject="bridge", idempotent=True
        )

    def _prepare_stop_bridge(self, bridge_sid: str) -> _Request[ActionAccepted]:
        """``PUT /bridges/{bridge_sid}`` with ``{"action": "stop"}``."""
        _require_text("bridge_sid", bridge_sid)
        url = httpx.URL(f"{self._bridges_url}{_segment(bridge_sid)}")
        return _Request(
            "PUT",
            url,
            b'{"action":"stop"}',
            _bridge_action_accepted,
            sid=bridge_sid,
            subject="bridge",
            queue=f"bridge:{bridge_sid}",
            # Stopping a bridge twice ends it once.
            idempotent=True,
        )

    def _client_options(self) -> dict[str, Any]:
        """Keyword arguments for the httpx client, sync or async."""
        return {
            "auth": self._auth,
            "headers": self._headers,
            "timeout": self._timeout,
            "follow_redirects": False,
            # Proxy settings from the environment are for the real API, not a local fake.
            "trust_env": not self._loopback,
        }

    # -- reading the outcome ------------------------------------------------------------

    def _outcome(self, request: _Request[_T], response: httpx.Response) -> _T | ApiError:
        """The result of one attempt: the answer read, or the error the status maps to."""
        status = response.status_code
        body = _decode(response.content)
        request_id = _dig(body, "request_id")
        if 200 <= status < 300:
            try:
                result = request.read(body, status, request_id, request.sid)
            except ValueError as exc:
                # The server said yes but did not say to what: the caller cannot go on.
                return ApiError(
                    f"unexpected answer to {request.method} {request.url.path}: {exc}",
                    status_code=status,
                    request_id=request_id,
                    body=body,
                )
            logger.debug("%s %r: accepted, request_id %s", request.subject, request.sid, request_id)
            return result
        code = _dig(body, "response", "error", "code")
        message = _dig(body, "response", "error", "message")
        fields: dict[str, Any] = {
            "status_code": status,
            "request_id": request_id,
            "code": code,
            "body": body,
            "diagnostics": _diagnostics(body),
        }
        error_class = _STATUS_ERRORS.get(status)
        if error_class is RateLimitError:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            return RateLimitError(message, retry_after=retry_after, **fields)
        if status == 404:
            error_class = _NOT_FOUND[request.subject]
        elif error_class is None:
            error_class = ServerError if 500 <= status < 600 else ApiError
        return error_class(message, **fields)

    def _transport_error(
        self, exc: httpx.HTTPError, request: _Request[Any] | None = None
    ) -> tuple[TransportError, Failure]:
        """Map an httpx exception, and say whether the request may have reached the server."""
        host = self._host
        name, text = type(exc).__name__, str(exc)
        detail = f"{name}: {text}" if text and text != name else name
        what = "the action" if request is None or request.method != "GET" else "nothing"
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
        elif isinstance(exc, httpx.TimeoutException):
            message = f"no response from {host} within {self._timeout:g} s"
            message += "" if what == "nothing" else "; the action may have run"
            failure = "maybe_sent"
        else:
            message = f"the request to {host} failed ({detail})"
            message += "" if what == "nothing" else "; the action may have run"
            failure = "maybe_sent"
        return TransportError(message), failure

    def _policy(self, request: _Request[Any]) -> RetryPolicy:
        # Reads (and stopping a bridge) can be repeated safely: a 5xx or a read timeout is
        # worth another attempt even when actions are not retried on them.
        if request.idempotent and not self._retry.retry_server_errors:
            return replace(self._retry, retry_server_errors=True)
        return self._retry

    def _after_response(
        self, request: _Request[_T], response: httpx.Response, attempt: int
    ) -> _T | _Retry:
        """The result of an attempt that got a response, or the delay before retrying.

        Raises the mapped :class:`~exoml.ApiError` when the attempt is not to be retried.
        """
        outcome = self._outcome(request, response)
        if not isinstance(outcome, ApiError):
            return outcome
        kind: Failure = "refused"
        if isinstance(outcome, RateLimitError):
            kind = "rate_limited"
        elif isinstance(outcome, ServerError):
            kind = "server_error"
        retry_after = outcome.retry_after if isinstance(outcome, RateLimitError) else None
        delay = self._policy(request).delay(kind, attempt=attempt, retry_after=retry_after)
        if delay is None:
            raise outcome
        self._log_retry(request, outcome, attempt, delay)
        return _Retry(delay)

    def _after_transport_error(
        self, request: _Request[Any], exc: httpx.HTTPError, attempt: int
    ) -> float:
        """The delay before retrying after an httpx exception; raises when not retrying.

        Call it from the ``except`` block: the :class:`~exoml.TransportError` it raises is
        chained ``from`` the httpx exception, which never reaches the caller itself.
        """
        error, kind = self._transport_error(exc, request)
        delay = self._policy(request).delay(kind, attempt=attempt)
        if delay is None:
            raise error from exc
        self._log_retry(request, error, attempt, delay)
        return delay

    def _log_retry(
        self, request: _Request[Any], failure: ExomlError, attempt: int, delay: float
    ) -> None:
        # str(failure) is built from the status, the server's answer and the host only: the
        # credentials cannot appear in it.
        logger.info(
            "%s %r: attempt %d failed (%s); retrying in %.2f s",
            request.subject,
            request.sid,
            attempt + 1,
            failure,
            delay,
        )

    def _pace(self) -> float:
        """Seconds to wait for the next rate-limit slot (0.0 without a rate limit)."""
        return self._limiter.reserve() if self._limiter is not None else 0.0


class LegsClient(_BaseLegsClient):
    """A blocking client for the Leg Actions API; thread-safe, reusing connections.

    Use it as a context manager (or call :meth:`close`). Actions for one leg are sent one
    at a time, in the order :meth:`send` was called, even from several threads; actions
    for different legs go out in parallel. ``rate_limit`` (requests per minute) spaces
    requests evenly; the documented default quota is 100 per minute per account.

    ``region="mumbai"`` or ``"singapore"`` selects a documented host instead of
    ``base_url``; ``base_url`` must be ``https://`` unless it is a loopback address.
    ``transport`` replaces httpx's transport (for example :class:`httpx.MockTransport`).

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
        max_retries: int = 2,
        retry_server_errors: bool = False,
        rate_limit: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(
            account_sid,
            api_key,
            api_token,
            base_url=base_url,
            region=region,
            timeout=timeout,
            max_retries=max_retries,
            retry_server_errors=retry_server_errors,
            rate_limit=rate_limit,
        )
        self._legs = LegQueues()
        self._http = httpx.Client(transport=transport, **self._client_options())

    def send(
        self,
        leg_sid: str,
        exoml: Flow | str,
        *,
        custom_param: str | None = None,
        validate: bool = True,
    ) -> ActionAccepted:
        """Send one ExoML document to a leg; return when the API has accepted it.

        ``exoml`` is a :class:`~exoml.Flow` or a string. A string is checked with
        :func:`exoml.validate` first: with any error, :class:`~exoml.ExomlError` is raised
        carrying the diagnostics and nothing is sent (``validate=False`` skips the check).
        ``custom_param`` comes back as ``action_custom_parameter`` in the leg's events:
        use it to match events to this action.

        Raises an :class:`~exoml.ApiError` subclass for an error status (after the
        retries described in :mod:`exoml._retry`) and :class:`~exoml.TransportError`
        when the request did not complete.
        """
        return self._request(self._prepare(leg_sid, exoml, custom_param, validate))

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
        options = _leg_options(locals())
        return self._request(
            self._prepare_create_leg(contact_uri, exophone, leg_event_endpoint, options)
        )

    def get_leg(self, leg_sid: str, *, fields: Iterable[LegStatusField] = ()) -> Leg:
        """Read a leg's state; ``fields`` asks for status fields (``additional_info``).

        ``fields`` takes any of ``"bridge_status"``, ``"recording_status"``,
        ``"hold_status"``, ``"gather_status"``, ``"play_status"``, ``"tx_audio_status"``
        and ``"rx_audio_status"``. Raises :class:`~exoml.LegNotFoundError` for an
        unknown leg. Reads are retried after a 5xx or a read timeout as well.
        """
        return self._request(self._prepare_get_leg(leg_sid, fields))

    def leg_events(
        self, leg_sid: str, *, event_name: str | None = None
    ) -> tuple[ExternalEvent, ...]:
        """The events Exotel generated for a leg, oldest first, with their delivery record.

        ``event_name`` keeps only the events of that name (the API filters). Each item
        is an :class:`~exoml.ExternalEvent`: the event, and whether the event endpoint
        acknowledged it. Use it to recover events your endpoint missed.
        """
        return self._request(self._prepare_leg_events(leg_sid, event_name))

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
        return self._request(
            self._prepare_create_bridge(leg_sids, bridge_event_endpoint, absorb_dtmf)
        )

    def get_bridge(self, bridge_sid: str) -> Bridge:
        """Read a bridge: its state and the legs in it.

        Raises :class:`~exoml.BridgeNotFoundError` for an unknown bridge.
        """
        return self._request(self._prepare_get_bridge(bridge_sid))

    def stop_bridge(self, bridge_sid: str) -> ActionAccepted:
        """End a bridge (``PUT`` with ``{"action": "stop"}``); its legs stay up.

        The API accepts the request (202); ``leg_left_bridge`` and ``bridge_terminal``
        follow as events. Raises :class:`~exoml.BridgeNotFoundError` for an unknown
        bridge.
        """
        return self._request(self._prepare_stop_bridge(bridge_sid))

    def send_to_bridge(
        self,
        bridge_sid: str,
        exoml: Flow | str,
        *,
        custom_param: str | None = None,
        validate: bool = True,
    ) -> ActionAccepted:
        """Send one ExoML document to a bridge (every leg in it hears the result).

        Bridges take their own, smaller vocabulary (``StartPlay``, ``StopPlay``,
        ``Refer`` with ``bridgeEventEndpoint``): a string is checked against it first,
        as :meth:`send` checks a leg's document. Actions on one bridge keep their order.
        Raises :class:`~exoml.BridgeNotFoundError` for an unknown bridge.
        """
        return self._request(self._prepare_bridge_action(bridge_sid, exoml, custom_param, validate))

    def _request(self, request: _Request[_T]) -> _T:
        """Send one request with the client's pacing, queueing and retries; read its answer."""
        queue = request.queue
        with self._legs.hold(queue) if queue is not None else nullcontext():
            attempt = 0
            while True:
                wait = self._pace()
                if wait:
                    time.sleep(wait)
                try:
                    response = self._http.request(
                        request.method, request.url, content=request.content
                    )
                except httpx.HTTPError as exc:
                    delay = self._after_transport_error(request, exc, attempt)
                else:
                    outcome = self._after_response(request, response, attempt)
                    if not isinstance(outcome, _Retry):
                        return outcome
                    delay = outcome.delay
                time.sleep(delay)
                attempt += 1

    def close(self) -> None:
        """Close the pooled connections. The client cannot send afterwards."""
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
        max_retries: int = 2,
        retry_server_errors: bool = False,
        rate_limit: float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            account_sid,
            api_key,
            api_token,
            base_url=base_url,
            region=region,
            timeout=timeout,
            max_retries=max_retries,
            retry_server_errors=retry_server_errors,
            rate_limit=rate_limit,
        )
        self._legs = AsyncLegQueues()
        self._http = httpx.AsyncClient(transport=transport, **self._client_options())

    async def send(
        self,
        leg_sid: str,
        exoml: Flow | str,
        *,
        custom_param: str | None = None,
        validate: bool = True,
    ) -> ActionAccepted:
        """Send one ExoML document to a leg; see :meth:`LegsClient.send`."""
        # Validation and queueing happen before the first await, so the order of sends to
        # a leg is the order in which they started.
        return await self._request(self._prepare(leg_sid, exoml, custom_param, validate))

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
        options = _leg_options(locals())
        return await self._request(
            self._prepare_create_leg(contact_uri, exophone, leg_event_endpoint, options)
        )

    async def get_leg(self, leg_sid: str, *, fields: Iterable[LegStatusField] = ()) -> Leg:
        """Read a leg's state; see :meth:`LegsClient.get_leg`."""
        return await self._request(self._prepare_get_leg(leg_sid, fields))

    async def leg_events(
        self, leg_sid: str, *, event_name: str | None = None
    ) -> tuple[ExternalEvent, ...]:
        """The events Exotel generated for a leg; see :meth:`LegsClient.leg_events`."""
        return await self._request(self._prepare_leg_events(leg_sid, event_name))

    async def create_bridge(
        self,
        leg_sids: Iterable[str],
        bridge_event_endpoint: str,
        *,
        absorb_dtmf: bool | None = None,
    ) -> Bridge:
        """Join live legs in one conversation; see :meth:`LegsClient.create_bridge`."""
        return await self._request(
            self._prepare_create_bridge(leg_sids, bridge_event_endpoint, absorb_dtmf)
        )

    async def get_bridge(self, bridge_sid: str) -> Bridge:
        """Read a bridge; see :meth:`LegsClient.get_bridge`."""
        return await self._request(self._prepare_get_bridge(bridge_sid))

    async def stop_bridge(self, bridge_sid: str) -> ActionAccepted:
        """End a bridge; see :meth:`LegsClient.stop_bridge`."""
        return await self._request(self._prepare_stop_bridge(bridge_sid))

    async def send_to_bridge(
        self,
        bridge_sid: str,
        exoml: Flow | str,
        *,
        custom_param: str | None = None,
        validate: bool = True,
    ) -> ActionAccepted:
        """Send one ExoML document to a bridge; see :meth:`LegsClient.send_to_bridge`."""
        request = self._prepare_bridge_action(bridge_sid, exoml, custom_param, validate)
        return await self._request(request)

    async def _request(self, request: _Request[_T]) -> _T:
        """Send one request with pacing, queueing and retries; see :meth:`LegsClient._request`."""
        queue = request.queue
        async with self._legs.hold(queue) if queue is not None else nullcontext():
            attempt = 0
            while True:
                wait = self._pace()
                if wait:
                    await asyncio.sleep(wait)
                try:
                    response = await self._http.request(
                        request.method, request.url, content=request.content
                    )
                except httpx.HTTPError as exc:
                    delay = self._after_transport_error(request, exc, attempt)
                else:
                    outcome = self._after_response(request, response, attempt)
                    if not isinstance(outcome, _Retry):
                        return outcome
                    delay = outcome.delay
                await asyncio.sleep(delay)
                attempt += 1

    async def aclose(self) -> None:
        """Close the pooled connections. The client cannot send afterwards."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncLegsClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


# -- helpers ------------------------------------------------------------------------------


def _require_text(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")


def _action_body(document: str, custom_param: str | None) -> bytes:
    if custom_param is not None and not isinstance(custom_param, str):
        raise TypeError(f"custom_param must be a str or None, not {type(custom_param).__name__}")
    body: dict[str, str] = {"exoml": document}
    if custom_param is not None:
        body["action_custom_param"] = custom_param
    return _JSON.encode(body).encode("utf-8")


# -- reading answers (each raises ValueError when a 2xx answer cannot be read) ------------


def _leg_action_accepted(
    body: Any, status: int, request_id: str | None, sid: str
) -> ActionAccepted:
    # The server said it accepted the action: whatever the body, this is success.
    leg = _dig(body, "response", "data", "leg_sid")
    return ActionAccepted(request_id=request_id, leg_sid=leg or sid, http_code=status)


def _bridge_action_accepted(
    body: Any, status: int, request_id: str | None, sid: str
) -> ActionAccepted:
    bridge = _dig(body, "response", "data", "bridge_sid")
    return ActionAccepted(
        request_id=request_id, leg_sid=None, http_code=status, bridge_sid=bridge or sid
    )


def _read_leg(body: Any, status: int, request_id: str | None, sid: str) -> Leg:
    return Leg.from_answer(body, leg_sid=sid)


def _read_created_leg(body: Any, status: int, request_id: str | None, sid: str) -> Leg:
    # A new leg is known only by the sid in the answer.
    return Leg.from_answer(body)


def _read_bridge(body: Any, status: int, request_id: str | None, sid: str) -> Bridge:
    return Bridge.from_answer(body, bridge_sid=sid)


def _read_created_bridge(body: Any, status: int, request_id: str | None, sid: str) -> Bridge:
    return Bridge.from_answer(body)


def _read_leg_events(
    body: Any, status: int, request_id: str | None, sid: str
) -> tuple[ExternalEvent, ...]:
    return leg_events_from_answer(body)


# -- checking arguments ---------------------------------------------------------------------

# A phone number with a leading 0 or a country code ("+" allowed), or a SIP URI.
_PHONE = re.compile(r"\+?[0-9]{3,20}")
_SIP = re.compile(r"sips?:[^\s@]+@?[^\s]*", re.IGNORECASE)
_OPTION_INTS = ("time_limit", "timeout", "setup_timeout", "ring_timeout")
_OPTION_TEXTS = ("custom_param", "requested_dc_code", "requested_nso_code", "reference_leg_sid")
_OPTION_BOOLS = ("amd_enable", "async_amd", "absorb_dtmf")
_OPTION_CHOICES: dict[str, tuple[str, ...]] = {
    "network_type": ("pstn", "voip"),
    "priority": ("normal", "high"),
}
_LEG_OPTIONS = (*_OPTION_CHOICES, *_OPTION_INTS, *_OPTION_TEXTS, "amd_enable", "async_amd")


def _leg_options(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The create-leg options from a method's ``locals()``, in the API's order."""
    return {name: arguments[name] for name in _LEG_OPTIONS}


def _check_leg_option(name: str, value: object) -> object:
    """The value to send for an option, or a ValueError/TypeError naming what is wrong."""
    if name in _OPTION_CHOICES:
        choices = _OPTION_CHOICES[name]
        if value not in choices or not isinstance(value, str):
            listed = " or ".join(repr(c) for c in choices)
            raise ValueError(f"{name} must be {listed}, not {value!r}")
    elif name in _OPTION_INTS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be a whole number of seconds, not {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be at least 1 second, not {value}")
    elif name in _OPTION_BOOLS:
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, not {value!r}")
    elif name in _OPTION_TEXTS:
        _require_text(name, value)
        assert isinstance(value, str)
        if value != value.strip() and name != "custom_param":
            raise ValueError(f"{name} must not start or end with spaces: {value!r}")
    return value


def _require_phone(name: str, value: object) -> None:
    _require_text(name, value)
    assert isinstance(value, str)
    if not (_PHONE.fullmatch(value) or _SIP.fullmatch(value)):
        raise ValueError(
            f"{name} must be a phone number (digits with a leading 0 or a country code, "
            f"'+' allowed) or a sip: URI, not {value!r}"
        )


def _require_event_endpoint(name: str, value: object) -> None:
    """An event endpoint: https://, grpc(s)://host[:port], or http:// on a loopback host."""
    _require_text(name, value)
    assert isinstance(value, str)
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as exc:
        raise ValueError(f"{name} is not a valid URL: {exc}") from None
    scheme = url.scheme
    if scheme not in ("https", "http", "grpc", "grpcs") or not url.host or " " in value:
        raise ValueError(
            f"{name} must be an https:// URL or grpc://host[:port], not {_hide_password(value)!r}"
        )
    if scheme == "http" and not _is_loopback(url.host):
        raise ValueError(
            f"{name} must use https:// (http:// is allowed only for loopback hosts): "
            f"{_hide_password(value)!r}"
        )


def _hide_password(url: str) -> str:
    """The URL with the password of its user part (basic auth for an endpoint) masked."""
    return re.sub(r"(//[^/@:]*:)[^/@]*@", r"\1***@", url, count=1)


def _document(exoml: object, validate: bool) -> str:
    """The ExoML text to send: a Flow rendered, or a string checked (unless told not to)."""
    if isinstance(exoml, str):
        if validate:
            _refuse_invalid(exoml)
        return exoml
    from . import Flow

    if isinstance(exoml, Flow):
        # A Flow is valid by construction: no need to parse what it just rendered.
        return exoml.to_xml()
    raise TypeError(f"exoml must be a Flow or a str, not {type(exoml).__name__}")


def _bridge_document(exoml: object, validate: bool) -> str:
    """The ExoML text to send to a bridge, checked against the bridge vocabulary.

    A Flow is checked too: the builder makes valid leg actions, and a bridge takes fewer.
    """
    document = _document(exoml, validate=False)
    if validate:
        _refuse_invalid(document, dialect="bridge")
    return document


def _refuse_invalid(document: str, dialect: str = "legs") -> None:
    """Raise ExomlError with the diagnostics when ``document`` has errors in ``dialect``."""
    from ._check import has_errors, validate

    # The one place that picks the vocabulary a document is checked against. The check
    # engine knows the leg actions only, so a bridge's document is held to those for now
    # (StartPlay and StopPlay pass; a bridge's Refer does not).
    del dialect
    # Only errors stop a send: a valid document is not searched for warnings, whose
    # positions cost several times the check itself (a multi-verb flow warns EX501).
    if not has_errors(document):
        return
    diagnostics = validate(document)
    errors = [d for d in diagnostics if d.is_error]
    if not errors:
        return
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise ExomlError(
        f"invalid ExoML, nothing sent: line {first.line}, column {first.column}: "
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


def _check_base_url(base_url: str) -> tuple[str, bool]:
    """The base URL without a trailing slash, and whether its host is a loopback address."""
    if not isinstance(base_url, str):
        raise TypeError(f"base_url must be a str, not {type(base_url).__name__}")
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as exc:
        raise ValueError(f"base_url is not a valid URL: {exc}") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise ValueError(f"base_url must be an https:// URL, not {base_url!r}")
    if url.userinfo:
        # Credentials in the URL would end up in logs and reprs.
        raise ValueError("base_url must not contain credentials; pass api_key and api_token")
    if url.query or url.fragment:
        raise ValueError("base_url must not have a query or a fragment")
    loopback = _is_loopback(url.host)
    if url.scheme != "https" and not loopback:
        raise ValueError(
            f"base_url must use https:// (http:// is allowed only for loopback hosts): {base_url!r}"
        )
    return str(url).rstrip("/"), loopback


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _mask(secret: str) -> str:
    return f"{secret[:4]}…" if len(secret) > 8 else "…"


def _decode(content: bytes) -> Any:
    """The JSON body, or its text when it is not JSON (``None`` when empty)."""
    if not content:
        return None
    text = content.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _dig(body: Any, *keys: str) -> str | None:
    """A string found at ``body[k1][k2]...``, or ``None`` for any other shape."""
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body if isinstance(body, str) else None


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
                    code=str(item["code"]),
                    severity="warning" if item.get("severity") == "warning" else "error",
                    message=str(item["message"]),
                    line=int(item.get("line") or 1),
                    column=int(item.get("column") or 1),
                    hint=item["hint"] if isinstance(item.get("hint"), str) else None,
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return found


@functools.cache
def _package_version() -> str:
    try:
        return version("exoml-dsl")
    except PackageNotFoundError:
        return "0"
