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
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar
from urllib.parse import quote

import httpx

from ._diagnostics import Diagnostic
from ._errors import (
    ApiError,
    AuthenticationError,
    ExomlError,
    InvalidExomlError,
    LegNotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from ._pacing import AsyncLegQueues, LegQueues, RateLimiter
from ._retry import Failure, RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    from . import Flow

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

    ``request_id`` identifies the request in Exotel's records (``None`` only if a 2xx
    body carried none, which the documented API never does); ``leg_sid`` is the leg the
    action was sent to; ``http_code`` is the status (202).

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
        self._legs_url = f"{self._base_url}/v2/accounts/{_segment(account_sid)}/legs/"
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

    # -- building the request -----------------------------------------------------------

    def _prepare(
        self, leg_sid: str, exoml: Flow | str, custom_param: str | None, validate: bool
    ) -> _Action:
        _require_text("leg_sid", leg_sid)
        if custom_param is not None and not isinstance(custom_param, str):
            raise TypeError(
                f"custom_param must be a str or None, not {type(custom_param).__name__}"
            )
        document = _document(exoml, validate)
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
            "timeout": self._timeout,
            "follow_redirects": False,
            # Proxy settings from the environment are for the real API, not a local fake.
            "trust_env": not self._loopback,
        }

    # -- reading the outcome ------------------------------------------------------------

    def _outcome(self, action: _Action, response: httpx.Response) -> ActionAccepted | ApiError:
        """The result of one attempt: accepted, or the error the status maps to."""
        status = response.status_code
        body = _decode(response.content)
        request_id = _dig(body, "request_id")
        if 200 <= status < 300:
            # The server said it accepted the action: whatever the body, this is success.
            leg = _dig(body, "response", "data", "leg_sid")
            logger.debug("leg %r: accepted, request_id %s", action.leg_sid, request_id)
            return ActionAccepted(
                request_id=request_id, leg_sid=leg or action.leg_sid, http_code=status
            )
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
        if error_class is None:
            error_class = ServerError if 500 <= status < 600 else ApiError
        return error_class(message, **fields)

    def _transport_error(self, exc: httpx.HTTPError) -> tuple[TransportError, Failure]:
        """Map an httpx exception, and say whether the request may have reached the server."""
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
        elif isinstance(exc, httpx.TimeoutException):
            message = f"no response from {host} within {self._timeout:g} s; the action may have run"
            failure = "maybe_sent"
        else:
            message = f"the request to {host} failed ({detail}); the action may have run"
            failure = "maybe_sent"
        return TransportError(message), failure

    def _after_response(
        self, action: _Action, response: httpx.Response, attempt: int
    ) -> ActionAccepted | float:
        """The result of an attempt that got a response, or the delay before retrying.

        Raises the mapped :class:`~exoml.ApiError` when the attempt is not to be retried.
        """
        outcome = self._outcome(action, response)
        if isinstance(outcome, ActionAccepted):
            return outcome
        kind: Failure = "refused"
        if isinstance(outcome, RateLimitError):
            kind = "rate_limited"
        elif isinstance(outcome, ServerError):
            kind = "server_error"
        retry_after = outcome.retry_after if isinstance(outcome, RateLimitError) else None
        delay = self._retry.delay(kind, attempt=attempt, retry_after=retry_after)
        if delay is None:
            raise outcome
        self._log_retry(action, outcome, attempt, delay)
        return delay

    def _after_transport_error(self, action: _Action, exc: httpx.HTTPError, attempt: int) -> float:
        """The delay before retrying after an httpx exception; raises when not retrying.

        Call it from the ``except`` block: the :class:`~exoml.TransportError` it raises is
        chained ``from`` the httpx exception, which never reaches the caller itself.
        """
        error, kind = self._transport_error(exc)
        delay = self._retry.delay(kind, attempt=attempt)
        if delay is None:
            raise error from exc
        self._log_retry(action, error, attempt, delay)
        return delay

    def _log_retry(self, action: _Action, failure: ExomlError, attempt: int, delay: float) -> None:
        # str(failure) is built from the status, the server's answer and the host only: the
        # credentials cannot appear in it.
        logger.info(
            "leg %r: attempt %d failed (%s); retrying in %.2f s",
            action.leg_sid,
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
        action = self._prepare(leg_sid, exoml, custom_param, validate)
        with self._legs.hold(action.leg_sid):
            attempt = 0
            while True:
                wait = self._pace()
                if wait:
                    time.sleep(wait)
                try:
                    response = self._http.post(action.url, content=action.content)
                except httpx.HTTPError as exc:
                    delay = self._after_transport_error(action, exc, attempt)
                else:
                    outcome = self._after_response(action, response, attempt)
                    if isinstance(outcome, ActionAccepted):
                        return outcome
                    delay = outcome
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
        action = self._prepare(leg_sid, exoml, custom_param, validate)
        async with self._legs.hold(action.leg_sid):
            attempt = 0
            while True:
                wait = self._pace()
                if wait:
                    await asyncio.sleep(wait)
                try:
                    response = await self._http.post(action.url, content=action.content)
                except httpx.HTTPError as exc:
                    delay = self._after_transport_error(action, exc, attempt)
                else:
                    outcome = self._after_response(action, response, attempt)
                    if isinstance(outcome, ActionAccepted):
                        return outcome
                    delay = outcome
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


def _document(exoml: object, validate: bool) -> str:
    """The ExoML text to send: a Flow rendered, or a string checked (unless told not to)."""
    kind = type(exoml)  # not exoml.__class__, which an object may fake
    if issubclass(kind, str):
        # the characters themselves: what is checked is what is sent
        text = str.__str__(exoml)
        if validate:
            _refuse_invalid(text)
        return text
    from . import Flow

    if issubclass(kind, Flow):
        # A Flow is valid by construction: no need to parse what it just rendered.
        return Flow.to_xml(exoml)  # type: ignore[arg-type]
    raise TypeError(f"exoml must be a Flow or a str, not {type(exoml).__name__}")


def _refuse_invalid(document: str) -> None:
    from ._check import has_errors, validate

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
