"""Remembering which events were seen, so that Exotel's retries reach handlers once.

A dedup store answers one question per event: "is this the first time this event sid is
claimed?" (:meth:`claim`, atomic). :class:`MemoryDedup` keeps the answer in the process,
:class:`RedisDedup` in Redis, shared by every worker process and machine that uses the
same server and prefix.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from .._errors import ExomlError

__all__ = ["Dedup", "MemoryDedup", "RedisDedup"]


@runtime_checkable
class Dedup(Protocol):
    """What :class:`EventReceiver` needs from a dedup store; write your own to this shape.

    ``claim`` returns True exactly once per key within the store's time to live, however
    many threads, processes or machines ask; ``release`` forgets a key (the receiver calls
    it when it claimed an event it could not acknowledge). ``aclaim`` and ``arelease``
    are the same for asyncio code.
    """

    def claim(self, key: str) -> bool:
        """True when ``key`` was not claimed before (and claim it), False for a repeat."""
        ...

    def release(self, key: str) -> None:
        """Forget ``key``, so that its next claim succeeds."""
        ...

    async def aclaim(self, key: str) -> bool:
        """:meth:`claim` for asyncio code."""
        ...

    async def arelease(self, key: str) -> None:
        """:meth:`release` for asyncio code."""
        ...


class MemoryDedup:
    """Dedup in this process's memory: bounded in size, each sid kept for ``ttl`` seconds.

    The default of :class:`EventReceiver`. Right for one worker process; with several
    (``uvicorn --workers 4``, gunicorn, several machines) each keeps its own memory and a
    retry that reaches another worker is handled again: use :class:`RedisDedup` there.

    Exotel retries within seconds, so the default ``ttl`` of an hour is generous; when
    ``max_size`` sids are remembered the oldest is forgotten first. ``clock`` returns
    seconds (default :func:`time.monotonic`); tests pass their own.

    >>> from exoml.events import MemoryDedup
    >>> now = [0.0]
    >>> seen = MemoryDedup(ttl=60, clock=lambda: now[0])
    >>> seen.claim("E1"), seen.claim("E1")
    (True, False)
    >>> now[0] = 61.0
    >>> seen.claim("E1")
    True
    """

    def __init__(
        self,
        max_size: int = 100_000,
        ttl: float = 3600.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 1:
            raise ValueError(f"max_size must be a positive integer, not {max_size!r}")
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not ttl > 0:
            raise ValueError(f"ttl must be a positive number of seconds, not {ttl!r}")
        self.max_size = max_size
        self.ttl = float(ttl)
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()
        # No remembered key expires before this time (-inf: look at the oldest first).
        self._first_expiry = -math.inf
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryDedup(max_size={self.max_size}, ttl={self.ttl:g}, remembered={len(self)})"

    def __len__(self) -> int:
        return len(self._expiry)

    def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed within ``ttl`` seconds, else False."""
        now = self._clock()
        lock = self._lock
        lock.acquire()  # rather than `with`, which costs more on every event
        try:
            expiry = self._expiry
            if self._first_expiry <= now:
                # Keys are kept in the order they were claimed, so the expired ones are first.
                while expiry:
                    oldest, until = next(iter(expiry.items()))
                    if until > now:
                        break
                    del expiry[oldest]
                # An empty store's bound is -inf: the next claim looks at its first key.
                self._first_expiry = next(iter(expiry.values())) if expiry else -math.inf
            until = now + self.ttl
            if expiry.setdefault(key, until) is not until:  # one lookup: seen, or now claimed
                return False
            if len(expiry) > self.max_size:
                expiry.popitem(last=False)
                self._first_expiry = next(iter(expiry.values()))
            return True
        finally:
            lock.release()

    def release(self, key: str) -> None:
        """Forget ``key``."""
        with self._lock:
            self._expiry.pop(key, None)
            # The oldest may have gone: recompute lazily at the next claim.
            self._first_expiry = -math.inf

    async def aclaim(self, key: str) -> bool:
        """:meth:`claim` (it never blocks for long, so it runs on the event loop)."""
        return self.claim(key)

    async def arelease(self, key: str) -> None:
        """:meth:`release`."""
        self.release(key)


class RedisDedup:
    """Dedup shared through Redis: ``SET <prefix><sid> 1 NX PX <ttl>``, atomic across processes.

    Use it when several worker processes or machines receive events for one endpoint:
    whichever sees a sid first claims it, the others answer 200 and hand nothing to
    handlers. Give it a redis-py client (``pip install 'exoml-dsl[redis]'``): a
    :class:`redis.Redis` (used as it is by WSGI apps, and from a thread by ASGI apps),
    a :class:`redis.asyncio.Redis` (used by ASGI apps), or both; :meth:`from_url` makes
    both from one URL. ``prefix`` separates receivers that share a server.

    When Redis cannot be reached, :meth:`claim` raises, and the receiver answers 503 so
    that Exotel tries again.

    ::

        from exoml.events import EventReceiver, RedisDedup

        receiver = EventReceiver(dedup=RedisDedup.from_url("redis://127.0.0.1:6379/0"))
    """

    def __init__(
        self,
        client: Any = None,
        *,
        async_client: Any = None,
        ttl: float = 3600.0,
        prefix: str = "exoml:event:",
    ) -> None:
        if client is not None and _is_async_client(client):
            if async_client is not None:
                raise ValueError("client is an asyncio client and async_client is given too")
            client, async_client = None, client
        if async_client is not None and not _is_async_client(async_client):
            raise ValueError("async_client must be a redis.asyncio.Redis client")
        if client is None and async_client is None:
            raise ValueError("RedisDedup needs a redis client (or use RedisDedup.from_url)")
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not ttl > 0:
            raise ValueError(f"ttl must be a positive number of seconds, not {ttl!r}")
        if not isinstance(prefix, str):
            raise ValueError(f"prefix must be a string, not {prefix!r}")
        self.client = client
        self.async_client = async_client
        self.ttl = float(ttl)
        self.prefix = prefix
        self._ttl_ms = max(1, round(self.ttl * 1000))

    @classmethod
    def from_url(cls, url: str, *, ttl: float = 3600.0, prefix: str = "exoml:event:") -> RedisDedup:
        """A store on the Redis server at ``url`` (``redis://host:port/db``), sync and asyncio."""
        try:
            import redis
            import redis.asyncio
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise ExomlError("RedisDedup needs redis-py: pip install 'exoml-dsl[redis]'") from exc
        return cls(
            redis.Redis.from_url(url),
            async_client=redis.asyncio.Redis.from_url(url),
            ttl=ttl,
            prefix=prefix,
        )

    def __repr__(self) -> str:
        # Never the client's repr: its connection details may hold a password.
        kinds = [k for k, c in (("sync", self.client), ("asyncio", self.async_client)) if c]
        return f"RedisDedup({'+'.join(kinds)}, ttl={self.ttl:g}, prefix={self.prefix!r})"

    def claim(self, key: str) -> bool:
        """True when this call set the key (the first claim of the sid), else False."""
        if self.client is None:
            raise ExomlError(
                "this RedisDedup has only an asyncio client: give it a redis.Redis too "
                "(or use RedisDedup.from_url) to use it from WSGI or other threads"
            )
        return bool(self.client.set(self.prefix + key, b"1", nx=True, px=self._ttl_ms))

    def release(self, key: str) -> None:
        """Delete the key."""
        if self.client is None:
            raise ExomlError("this RedisDedup has only an asyncio client")
        self.client.delete(self.prefix + key)

    async def aclaim(self, key: str) -> bool:
        """:meth:`claim` with the asyncio client, or the sync one in a thread."""
        if self.async_client is None:
            return await asyncio.to_thread(self.claim, key)
        return bool(await self.async_client.set(self.prefix + key, b"1", nx=True, px=self._ttl_ms))

    async def arelease(self, key: str) -> None:
        """:meth:`release` with the asyncio client, or the sync one in a thread."""
        if self.async_client is None:
            await asyncio.to_thread(self.release, key)
            return
        await self.async_client.delete(self.prefix + key)

    def close(self) -> None:
        """Close the sync client's connections."""
        if self.client is not None:
            self.client.close()

    async def aclose(self) -> None:
        """Close both clients' connections."""
        self.close()
        if self.async_client is not None:
            await self.async_client.aclose()


def _is_async_client(client: Any) -> bool:
    try:
        import redis.asyncio
    except ImportError:  # pragma: no cover - depends on the installation
        return False
    return isinstance(client, (redis.asyncio.Redis, redis.asyncio.RedisCluster))
