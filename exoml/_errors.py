"""The exception tree of exoml.

Every exception exoml raises on purpose derives from :class:`ExomlError`::

    ExomlError
    ├── FlowError (also ValueError)      a value refused by the builder, at the call that made it
    ├── EventError (also ValueError)     a body that is not a leg or bridge event
    ├── ApiError                          Exotel's API answered with an error
    │   ├── InvalidExomlError             400: invalid ExoML or parameters
    │   ├── AuthenticationError           401: wrong API key or token
    │   ├── PermissionDeniedError         403: not authorised for this account or leg
    │   ├── NotFoundError                 404: no such leg, bridge or endpoint
    │   │   ├── LegNotFoundError          404: no such leg
    │   │   └── BridgeNotFoundError       404: no such bridge
    │   ├── RateLimitError                429: too many requests (``retry_after``)
    │   └── ServerError                   5xx: the API failed
    ├── TransportError                    the request did not complete (connection, timeout)
    │   └── ResponseTooLargeError         the answer was larger than ``max_response_bytes``
    └── ClientClosedError (also RuntimeError)  the client was used after ``close()``

Documents that fail validation raise a plain :class:`ExomlError` whose ``diagnostics``
lists every problem found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._diagnostics import Diagnostic

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BridgeNotFoundError",
    "ClientClosedError",
    "EventError",
    "ExomlError",
    "FlowError",
    "InvalidExomlError",
    "LegNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "TransportError",
]


class ExomlError(Exception):
    """Base class of every error exoml raises.

    Catch it to handle anything exoml refuses, from a bad builder value to an API error.
    ``diagnostics`` holds the problems found in a document (empty when the error is not
    about a document).

    >>> from exoml import ExomlError, Flow
    >>> try:
    ...     Flow.parse("<Flow><Say>Hi</Say><Gather numDigits='0'/></Flow>")
    ... except ExomlError as exc:
    ...     [(d.code, d.line, d.column) for d in exc.diagnostics]
    [('EX301', 1, 28)]
    """

    diagnostics: tuple[Diagnostic, ...]

    def __init__(self, message: str, diagnostics: Iterable[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics = tuple(diagnostics)

    def __str__(self) -> str:
        return self.message


class FlowError(ExomlError, ValueError):
    """A value the builder refuses, raised at the call that supplied it.

    The message names the verb, the attribute (its ExoML and Python names), the value
    and the rule; the same parts are attributes, for code that reports them its own way.
    It is also a :class:`ValueError`.

    >>> from exoml import Flow, FlowError
    >>> try:
    ...     Flow().start_play("https://example.com/a.wav", loop=11)
    ... except FlowError as exc:
    ...     print(exc)
    ...     exc.verb, exc.attribute, exc.argument, exc.value
    StartPlay loop (loop=11): must be between 0 and 10
    ('StartPlay', 'loop', 'loop', 11)
    """

    def __init__(
        self,
        message: str,
        *,
        verb: str | None = None,
        attribute: str | None = None,
        argument: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.verb = verb
        self.attribute = attribute
        self.argument = argument
        self.value = value


class EventError(ExomlError, ValueError):
    """A body that is not a leg or bridge event: not JSON, not an object, or missing fields.

    :func:`exoml.events.parse_event` raises it, and :class:`exoml.events.EventReceiver`
    answers such a body with 400 (which Exotel does not retry). The message says what is
    wrong without repeating the body; it is also a :class:`ValueError`.

    >>> from exoml import EventError
    >>> from exoml.events import parse_event
    >>> try:
    ...     parse_event(b'{"event_name": "play_started"}')
    ... except EventError as exc:
    ...     print(exc)
    not an event: the body has no event_sid
    """


class TransportError(ExomlError):
    """The request did not complete: the connection failed or timed out.

    The message says whether the request may have reached the server ("nothing was
    sent" or "the action may have run"); the httpx exception, when there was one, is
    chained as ``__cause__`` but never raised to the caller.
    """


class ResponseTooLargeError(TransportError):
    """The answer was larger than the client's ``max_response_bytes`` (``limit``).

    Counted both as received and after decompression, and raised without reading more
    than the limit; the request itself may have run.
    """

    def __init__(self, message: str, *, limit: int) -> None:
        super().__init__(message)
        self.limit = limit


class ClientClosedError(ExomlError, RuntimeError):
    """The client was used after ``close()`` (or ``aclose()``); make a new one.

    It is also a :class:`RuntimeError`, which httpx raised in this case before.
    """


class ApiError(ExomlError):
    """Exotel's API (leg actions, legs, bridges) answered with an error status.

    Catch it to handle any refusal by the API; catch a subclass for one status. The
    attributes come from the response:

    - ``status_code``: the HTTP status;
    - ``request_id``: the body's ``request_id``, or ``None`` when the body has none;
    - ``code`` and ``message``: the server's error code and message, from the documented
      ``response.error`` object; when the body has no message, ``message`` is the
      status's reason phrase (``"Not Found"``) and ``code`` is ``None``;
    - ``body``: the decoded JSON body, or the raw text when it was not JSON;
    - ``diagnostics``: for a 400 about the ExoML, the problems the server reported, when
      it reported them in the shape :func:`exoml.validate` uses.

    ``str(exc)`` is a one-line summary of all of it, for example
    ``HTTP 404 leg_not_found: no leg 'L1' (request_id 7f3a...)``.

    >>> err = ApiError("no leg 'L1'", status_code=404, code="leg_not_found", request_id="r1")
    >>> str(err)
    "HTTP 404 leg_not_found: no leg 'L1' (request_id r1)"
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int,
        request_id: str | None = None,
        code: str | None = None,
        body: Any = None,
        diagnostics: Iterable[Diagnostic] = (),
    ) -> None:
        super().__init__(message or _reason_phrase(status_code), diagnostics)
        self.status_code = status_code
        self.request_id = request_id
        self.code = code
        self.body = body

    def __str__(self) -> str:
        summary = f"HTTP {self.status_code}"
        if self.code:
            summary += f" {self.code}"
        summary += f": {self.message}"
        if self.request_id:
            summary += f" (request_id {self.request_id})"
        return summary


def _reason_phrase(status_code: int) -> str:
    """The standard reason phrase of a status, for errors whose body carries no message."""
    # Imported here: the lint path imports this module and never needs http.
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "unexpected status"


class InvalidExomlError(ApiError):
    """400: the API rejected the ExoML or the parameters."""


class AuthenticationError(ApiError):
    """401: the API key or token is wrong."""


class PermissionDeniedError(ApiError):
    """403: the credentials may not act on this account or leg."""


class NotFoundError(ApiError):
    """404: the API knows no such leg, bridge or endpoint; catch it for any of them."""


class LegNotFoundError(NotFoundError):
    """404: the API knows no such leg (or the leg has ended)."""


class BridgeNotFoundError(NotFoundError):
    """404: the API knows no such bridge."""


class RateLimitError(ApiError):
    """429: the account's request quota is used up; ``retry_after`` is in seconds."""

    def __init__(
        self, message: str | None = None, *, retry_after: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the API failed; the action may or may not have run."""
