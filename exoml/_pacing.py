"""Pacing for the Leg Actions clients: one action at a time per leg, and a rate limit.

Exotel advises against concurrent actions on one leg, so each client keeps, per leg, a
first-in-first-out queue of the sends in progress: a send waits until every send to the
same leg started before it has finished (retries included), while sends to other legs
proceed in parallel. :class:`LegQueues` does this for threads, :class:`AsyncLegQueues`
for one asyncio event loop.

:class:`RateLimiter` spaces requests evenly (a request every ``60 / per_minute`` seconds)
so that a burst is smoothed out instead of being answered with 429s.

>>> queues = LegQueues()
>>> with queues.hold("leg-1"):
...     pass
>>> queues.busy_legs()
0
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from ._retry import shown

# What waits in a key's queue: a thread's event or a task's.
_Waiter = TypeVar("_Waiter", threading.Event, asyncio.Event)

__all__ = ["MAX_RATE", "MIN_RATE", "AsyncLegQueues", "LegQueues", "RateLimiter"]

#: The bounds of ``rate_limit``, in requests per minute: one request every 100 minutes,
#: and a thousand a second.
MIN_RATE = 0.01
MAX_RATE = 60_000.0


class LegQueues:
    """Per-key FIFO mutual exclusion for threads.

    Use ``with queues.hold(leg_sid):`` around everything one send does. Unlike a plain
    :class:`threading.Lock`, waiters are served in the order they arrived. Idle keys are
    forgotten, so the memory used is bounded by the legs with sends in progress.

    >>> queues = LegQueues()
    >>> with queues.hold("a"), queues.hold("b"):
    ...     queues.busy_legs()
    2
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        # Per key, the holder's place (None) then the waiters' events, in arrival order.
        self._queues: dict[str, deque[threading.Event | None]] = {}

    def hold(self, key: str) -> _Hold:
        """Wait for this key's earlier holders to finish, then hold it until the block ends."""
        return _Hold(self, key)

    def busy_legs(self) -> int:
        """How many keys have a holder or waiters (for tests and introspection)."""
        with self._mutex:
            return len(self._queues)

    def queued(self, key: str) -> int:
        """How many sends hold or wait for ``key`` (for tests and introspection)."""
        with self._mutex:
            return len(self._queues.get(key, ()))


class _Hold:
    """One send's place in a :class:`LegQueues` queue, as a context manager.

    A send to an idle leg, by far the common case, takes the lock twice and creates
    nothing else; an event is made only for a send that has to wait.
    """

    __slots__ = ("_key", "_owner", "_ticket")

    def __init__(self, owner: LegQueues, key: str) -> None:
        self._owner = owner
        self._key = key
        self._ticket: threading.Event | None = None

    def __enter__(self) -> None:
        owner, key = self._owner, self._key
        with owner._mutex:
            queue = owner._queues.get(key)
            if queue is None:
                owner._queues[key] = deque((None,))
                return
            self._ticket = ticket = threading.Event()
            queue.append(ticket)
        try:
            ticket.wait()
        except BaseException:  # interrupted while waiting: give the place up
            self.__exit__()
            raise

    def __exit__(self, *exc_info: object) -> None:
        owner = self._owner
        with owner._mutex:
            _leave(owner._queues, self._key, self._ticket)


class AsyncLegQueues:
    """Per-key FIFO mutual exclusion for the tasks of one asyncio event loop.

    Use ``async with queues.hold(leg_sid):``. The place in the queue is taken when
    :meth:`hold` is entered, before the first suspension, so sends are served in the
    order they started. A cancelled waiter leaves the queue without blocking the others.
    """

    def __init__(self) -> None:
        # Per key, the holder's place (None, or the event it waited on) then the
        # waiters' events, in arrival order.
        self._queues: dict[str, deque[asyncio.Event | None]] = {}

    def hold(self, key: str) -> _AsyncHold:
        """Wait for this key's earlier holders to finish, then hold it until the block ends."""
        return _AsyncHold(self, key)

    def busy_legs(self) -> int:
        """How many keys have a holder or waiters (for tests and introspection)."""
        return len(self._queues)

    def queued(self, key: str) -> int:
        """How many sends hold or wait for ``key`` (for tests and introspection)."""
        return len(self._queues.get(key, ()))


class _AsyncHold:
    """One send's place in an :class:`AsyncLegQueues` queue, as an async context manager.

    As :class:`_Hold`: a send to an idle leg creates nothing but this object and never
    suspends; an event is made only for a send that has to wait. No lock is needed:
    nothing here suspends between reading and updating a queue.
    """

    __slots__ = ("_key", "_owner", "_ticket")

    def __init__(self, owner: AsyncLegQueues, key: str) -> None:
        self._owner = owner
        self._key = key
        self._ticket: asyncio.Event | None = None

    async def __aenter__(self) -> None:
        queues, key = self._owner._queues, self._key
        queue = queues.get(key)
        if queue is None:
            queues[key] = deque((None,))
            return
        self._ticket = ticket = asyncio.Event()
        queue.append(ticket)
        try:
            await ticket.wait()
        except BaseException:  # cancelled while waiting: give the place up
            self._leave()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self._leave()

    def _leave(self) -> None:
        _leave(self._owner._queues, self._key, self._ticket)


class RateLimiter:
    """Evenly spaced request slots: at most ``per_minute`` requests in any minute.

    Call :meth:`reserve` before each request and sleep for the delay it returns (with
    :func:`time.sleep` or :func:`asyncio.sleep`). Reserving is thread-safe and never
    blocks, so the same limiter serves both clients. ``clock`` (default
    :func:`time.monotonic`) is the time source, replaceable in tests.

    >>> now = [100.0]
    >>> limiter = RateLimiter(per_minute=120, clock=lambda: now[0])
    >>> limiter.reserve(), limiter.reserve(), limiter.reserve()
    (0.0, 0.5, 1.0)
    >>> now[0] += 10  # idle time is not banked as a burst
    >>> limiter.reserve(), limiter.reserve()
    (0.0, 0.5)
    """

    def __init__(self, per_minute: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if isinstance(per_minute, bool) or not isinstance(per_minute, (int, float)):
            raise TypeError(
                f"rate_limit must be a number of requests per minute, "
                f"not {type(per_minute).__name__}"
            )
        # NaN fails the comparison; the bounds keep every interval a sleepable number.
        if not MIN_RATE <= per_minute <= MAX_RATE:
            raise ValueError(
                f"rate_limit must be between {MIN_RATE:g} and {MAX_RATE:g} requests per "
                f"minute, not {shown(per_minute)}"
            )
        self.per_minute = float(per_minute)
        self._interval = 60.0 / self.per_minute
        self._next_slot: float | None = None
        self._clock = clock
        self._mutex = threading.Lock()

    def reserve(self) -> float:
        """Take the next free slot and return the seconds until it begins (0.0 if now)."""
        with self._mutex:
            now = self._clock()
            if self._next_slot is None:
                self._next_slot = now
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
            return slot - now


def _leave(queues: dict[str, deque[_Waiter | None]], key: str, ticket: _Waiter | None) -> None:
    """Leave ``key``'s queue (sync or async: under the caller's lock, if any); if this
    send was at its head, the next waiter now holds the key and is woken (only the first
    holder of an idle key has no event)."""
    queue = queues[key]
    if ticket is None or queue[0] is ticket:  # the holder leaves
        queue.popleft()
        if queue:
            successor = queue[0]
            assert successor is not None
            successor.set()
    else:  # a waiter gives up its place
        queue.remove(ticket)
    if not queue:
        del queues[key]
