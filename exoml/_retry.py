"""When the Leg Actions clients retry a request, and how long they wait first.

The rule, shared by :class:`~exoml.LegsClient` and :class:`~exoml.AsyncLegsClient`:

- a 429 is retried after its ``Retry-After`` (seconds or an HTTP date), or after a capped,
  jittered exponential backoff when the header is absent;
- a request that never reached the server (connection refused, connect timeout, no free
  pooled connection) is retried after the backoff;
- a 5xx, a read timeout or a connection lost mid-request is retried only with
  ``retry_server_errors=True``: the action may already have run, and running it twice
  (two ``Say``, two recordings) is worse than reporting the error;
- the waits of one call add up to at most :attr:`RetryPolicy.max_retry_wait` seconds: a
  wait that would go past it is not waited out, the failure is raised at once (a
  :class:`~exoml.RateLimitError` keeps its ``retry_after``).

>>> policy = RetryPolicy(max_retries=2)
>>> policy.delay("rate_limited", attempt=0, retry_after=1.5)
1.5
>>> policy.delay("rate_limited", attempt=2, retry_after=1.5) is None
True
>>> policy.delay("rate_limited", attempt=1, retry_after=10.0, waited=55.0) is None
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Literal

__all__ = [
    "MAX_RETRIES",
    "MAX_SECONDS",
    "Failure",
    "RetryPolicy",
    "parse_retry_after",
    "seconds",
    "shown",
]

#: The most retries a client accepts.
MAX_RETRIES = 100
#: The longest time option (timeout, deadline, retry wait) a client accepts: a day.
MAX_SECONDS = 86_400.0

Failure = Literal["rate_limited", "server_error", "not_sent", "maybe_sent", "refused"]


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry, which failures qualify, and the backoff between attempts.

    Use :meth:`delay` after a failed attempt: it returns the seconds to wait before the
    next attempt, or ``None`` when the failure must be raised. ``max_retry_wait`` caps
    the total of the waits of one call (0 means never wait).

    >>> RetryPolicy(max_retries=0).delay("not_sent", attempt=0) is None
    True
    """

    max_retries: int = 2
    retry_server_errors: bool = False
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    max_retry_wait: float = 60.0

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise TypeError(f"max_retries must be an int, not {self.max_retries!r}")
        if not 0 <= self.max_retries <= MAX_RETRIES:
            raise ValueError(
                f"max_retries must be between 0 and {MAX_RETRIES}, not {self.max_retries}"
            )
        object.__setattr__(
            self,
            "max_retry_wait",
            seconds("max_retry_wait", self.max_retry_wait, zero=True),
        )

    def delay(
        self,
        failure: Failure,
        *,
        attempt: int,
        retry_after: float | None = None,
        waited: float = 0.0,
    ) -> float | None:
        """Seconds to wait before retrying after failed attempt number ``attempt`` (0-based).

        ``failure`` says what went wrong: ``"rate_limited"`` (a 429, with its parsed
        ``retry_after``), ``"server_error"`` (a 5xx), ``"not_sent"`` (the request never
        reached the server), ``"maybe_sent"`` (the connection failed or timed out after
        the request was sent) or ``"refused"`` (any other error status: never retried).
        ``waited`` is the time already spent waiting in this call: a wait that would take
        the total past :attr:`max_retry_wait` is refused.

        >>> RetryPolicy(retry_server_errors=True, backoff_base=0.0).delay(
        ...     "server_error", attempt=0)
        0.0
        """
        if attempt >= self.max_retries or failure == "refused":
            return None
        if failure == "rate_limited":
            wait = self.backoff(attempt) if retry_after is None else retry_after
        elif failure == "not_sent" or self.retry_server_errors:
            wait = self.backoff(attempt)
        else:
            return None
        # Waiting minutes inside one call hides the problem; let the caller decide.
        return wait if waited + wait <= self.max_retry_wait else None

    def backoff(self, attempt: int) -> float:
        """Exponential backoff, capped, with jitter so that many clients do not retry in step.

        >>> 0.25 <= RetryPolicy(backoff_base=0.5).backoff(0) <= 0.5
        True
        """
        ceiling = min(self.backoff_cap, self.backoff_base * 2**attempt)
        return float(ceiling * random.uniform(0.5, 1.0))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header value, or ``None``.

    Accepts delay-seconds (``"3"``; a decimal such as ``"1.5"`` is tolerated) and an HTTP
    date (``"Wed, 21 Oct 2026 07:28:00 GMT"``), which is measured against ``now`` (the
    current time by default). A date in the past means zero; anything unparseable,
    negative or not finite means ``None``, as if the header were absent.

    >>> parse_retry_after("3")
    3.0
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT",
    ...                   now=datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc))
    10.0
    >>> parse_retry_after("soon") is None
    True
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.replace(".", "", 1).isdigit():
        delay = float(text)
        return delay if delay != float("inf") else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are always GMT; a zone-less parse means "-0000", i.e. UTC.
        when = when.replace(tzinfo=timezone.utc)
    reference = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - reference).total_seconds())


def seconds(name: str, value: object, *, zero: bool = False) -> float:
    """``value`` as a number of seconds, checked: finite, positive (or 0 with ``zero``),
    at most :data:`MAX_SECONDS`; a :class:`TypeError` or :class:`ValueError` naming
    ``name`` otherwise.

    >>> seconds("timeout", 2)
    2.0
    >>> seconds("timeout", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: timeout must be a number of seconds above 0 and at most 86400, not nan
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    # Compared before converting: float() of a huge int overflows; NaN fails both tests.
    low_ok = value >= 0 if zero else value > 0
    if not (low_ok and value <= MAX_SECONDS):
        bound = "0 or more" if zero else "above 0"
        raise ValueError(
            f"{name} must be a number of seconds {bound} and at most {MAX_SECONDS:g}, "
            f"not {shown(value)}"
        )
    return float(value)


def shown(value: float) -> str:
    """A number as an error message shows it (``repr`` fails on ints of 4,300 digits)."""
    if isinstance(value, int) and abs(value) > 10**30:
        return "a number with more than 30 digits"
    return repr(value)
