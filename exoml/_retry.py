"""When the Leg Actions clients retry a request, and how long they wait first.

The rule, shared by :class:`~exoml.LegsClient` and :class:`~exoml.AsyncLegsClient`:

- a 429 is retried after its ``Retry-After`` (seconds or an HTTP date), or after a capped,
  jittered exponential backoff when the header is absent; a ``Retry-After`` longer than
  :attr:`RetryPolicy.max_retry_after` is not waited out, the error is raised at once;
- a request that never reached the server (connection refused, connect timeout, no free
  pooled connection) is retried after the backoff;
- a 5xx, a read timeout or a connection lost mid-request is retried only with
  ``retry_server_errors=True``: the action may already have run, and running it twice
  (two ``Say``, two recordings) is worse than reporting the error.

>>> policy = RetryPolicy(max_retries=2)
>>> policy.delay("rate_limited", attempt=0, retry_after=1.5)
1.5
>>> policy.delay("rate_limited", attempt=2, retry_after=1.5) is None
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Literal

__all__ = ["Failure", "RetryPolicy", "parse_retry_after"]

Failure = Literal["rate_limited", "server_error", "not_sent", "maybe_sent", "refused"]


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry, which failures qualify, and the backoff between attempts.

    Use :meth:`delay` after a failed attempt: it returns the seconds to wait before the
    next attempt, or ``None`` when the failure must be raised.

    >>> RetryPolicy(max_retries=0).delay("not_sent", attempt=0) is None
    True
    """

    max_retries: int = 2
    retry_server_errors: bool = False
    backoff_base: float = 0.5
    backoff_cap: float = 8.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise TypeError(f"max_retries must be an int, not {self.max_retries!r}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, not {self.max_retries}")

    def delay(
        self, failure: Failure, *, attempt: int, retry_after: float | None = None
    ) -> float | None:
        """Seconds to wait before retrying after failed attempt number ``attempt`` (0-based).

        ``failure`` says what went wrong: ``"rate_limited"`` (a 429, with its parsed
        ``retry_after``), ``"server_error"`` (a 5xx), ``"not_sent"`` (the request never
        reached the server), ``"maybe_sent"`` (the connection failed or timed out after
        the request was sent) or ``"refused"`` (any other error status: never retried).

        >>> RetryPolicy(retry_server_errors=True, backoff_base=0.0).delay(
        ...     "server_error", attempt=0)
        0.0
        """
        if attempt >= self.max_retries or failure == "refused":
            return None
        if failure == "rate_limited":
            if retry_after is None:
                return self.backoff(attempt)
            # Waiting minutes inside one call hides the problem; let the caller decide.
            return retry_after if retry_after <= self.max_retry_after else None
        if failure == "not_sent" or self.retry_server_errors:
            return self.backoff(attempt)
        return None

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
        seconds = float(text)
        return seconds if seconds != float("inf") else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are always GMT; a zone-less parse means "-0000", i.e. UTC.
        when = when.replace(tzinfo=timezone.utc)
    reference = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - reference).total_seconds())
