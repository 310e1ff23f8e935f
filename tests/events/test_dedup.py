"""MemoryDedup and RedisDedup, and two receiver processes sharing one real Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from exoml import ExomlError
from exoml.events import Dedup, EventReceiver, MemoryDedup, RedisDedup

from ._servers import PATIENCE, event_body, exotel_headers, uvicorn_server

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_memory_dedup_ttl_and_bound() -> None:
    clock = Clock()
    seen = MemoryDedup(max_size=3, ttl=10, clock=clock)
    assert isinstance(seen, Dedup)
    assert [seen.claim(k) for k in ("a", "a", "b", "c")] == [True, False, True, True]
    clock.now += 9.9
    assert seen.claim("a") is False  # still within its ttl
    clock.now += 0.1
    assert seen.claim("a") is True  # expired: a new claim
    assert len(seen) == 1  # b and c expired with it
    for k in ("x", "y", "z"):
        assert seen.claim(k)
    assert len(seen) == 3  # bounded: "a", the oldest, was forgotten
    assert seen.claim("a") is True
    assert seen.claim("y") is False
    seen.release("y")
    assert seen.claim("y") is True
    assert "remembered=3" in repr(seen)


def test_memory_dedup_async_face() -> None:
    seen = MemoryDedup()

    async def run() -> list[bool]:
        first = await seen.aclaim("k")
        second = await seen.aclaim("k")
        await seen.arelease("k")
        return [first, second, await seen.aclaim("k")]

    assert asyncio.run(run()) == [True, False, True]


def test_memory_dedup_one_winner_among_threads() -> None:
    seen = MemoryDedup()
    start = threading.Barrier(8, timeout=PATIENCE)
    wins: list[bool] = []

    def claim() -> None:
        start.wait()
        wins.extend(seen.claim(f"sid-{i}") for i in range(500))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(PATIENCE)
    assert wins.count(True) == 500
    assert len(wins) == 4000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"max_size": 0}, "max_size"), ({"ttl": 0}, "ttl"), ({"ttl": float("nan")}, "ttl")],
)
def test_memory_dedup_arguments(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MemoryDedup(**kwargs)  # type: ignore[arg-type]


def test_redis_dedup_sync_and_async(redis_db: str) -> None:
    import redis
    import redis.asyncio

    sync_client = redis.Redis.from_url(redis_db)
    store = RedisDedup(sync_client, ttl=60, prefix="t:")
    assert isinstance(store, Dedup)
    assert store.claim("E1") is True
    assert store.claim("E1") is False
    assert 0 < int(sync_client.pttl("t:E1")) <= 60_000
    store.release("E1")
    assert store.claim("E1") is True

    async def run() -> list[bool]:
        async_client = redis.asyncio.Redis.from_url(redis_db)
        only_async = RedisDedup(async_client, prefix="t:")
        try:
            got = [await only_async.aclaim("E1"), await only_async.aclaim("E2")]
            await only_async.arelease("E2")
            got.append(await only_async.aclaim("E2"))
            got.append(await store.aclaim("E3"))  # the sync client, from a thread
            with pytest.raises(ExomlError, match="only an asyncio client"):
                only_async.claim("E4")
            return got
        finally:
            await only_async.aclose()

    assert asyncio.run(run()) == [False, True, True, True]
    store.close()


def test_redis_dedup_from_url_and_repr(redis_db: str) -> None:
    store = RedisDedup.from_url(redis_db.replace("redis://", "redis://:hunter2@"), ttl=5)
    assert "hunter2" not in repr(store)
    assert "sync+asyncio" in repr(store)
    store.close()
    with pytest.raises(ValueError, match="needs a redis client"):
        RedisDedup()


def test_receiver_on_redis_under_uvicorn(redis_db: str) -> None:
    store = RedisDedup.from_url(redis_db, prefix="one:")
    receiver = EventReceiver(dedup=store)
    seen: list[str] = []
    receiver.on_any(lambda e: seen.append(e.event_sid))
    with uvicorn_server(receiver) as url, httpx.Client(timeout=PATIENCE) as client:
        for attempt in (1, 2, 3):
            r = client.post(url, content=event_body("E1"), headers=exotel_headers("E1", attempt))
            assert r.status_code == 200
        assert receiver.drain(PATIENCE)
    assert seen == ["E1"]
    store.close()


@contextlib.contextmanager
def receiver_process(redis_url: str, key: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """A receiver in a process of its own (``tests/events/_serve.py``); its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.events._serve", redis_url, key],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("PORT "), f"the receiver process did not start: {line!r}"
        yield f"http://127.0.0.1:{int(line.split()[1])}/", proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(PATIENCE)
        if proc.stdout is not None:
            proc.stdout.close()


def stop(proc: subprocess.Popen[str]) -> None:
    """Stop a receiver process the way a process manager does: it drains, then exits."""
    proc.send_signal(signal.SIGTERM)
    # uvicorn shuts down (lifespan: the receiver drains), then re-raises the signal.
    assert proc.wait(PATIENCE) in (0, -signal.SIGTERM)


def test_two_receiver_processes_share_one_redis(redis_db: str) -> None:
    import redis

    key = "handled"
    sids = [f"EV{i:03d}" for i in range(40)]
    with (
        receiver_process(redis_db, key) as (url_a, proc_a),
        receiver_process(redis_db, key) as (url_b, proc_b),
        httpx.Client(timeout=PATIENCE) as client,
    ):
        # Each event reaches both processes at once (attempts 1 and 2), then a third time.
        def deliver(url: str, sid: str, attempt: int, ready: threading.Barrier) -> None:
            ready.wait()
            r = client.post(url, content=event_body(sid), headers=exotel_headers(sid, attempt))
            statuses.append(r.status_code)

        statuses: list[int] = []
        for sid in sids:
            ready = threading.Barrier(2, timeout=PATIENCE)
            both = [
                threading.Thread(target=deliver, args=(url, sid, attempt, ready))
                for url, attempt in ((url_a, 1), (url_b, 2))
            ]
            for t in both:
                t.start()
            for t in both:
                t.join(PATIENCE)
            third = client.post(url_a, content=event_body(sid), headers=exotel_headers(sid, 3))
            statuses.append(third.status_code)
        stop(proc_a)
        stop(proc_b)
    assert statuses == [200] * (3 * len(sids))
    counts = redis.Redis.from_url(redis_db).hgetall(key)
    handled = {(k if isinstance(k, str) else k.decode()): int(v) for k, v in counts.items()}
    assert handled == dict.fromkeys(sids, 1)


def test_without_redis_server_ci_fails_and_elsewhere_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import _redis_missing

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="in CI the Redis tests must run"):
        _redis_missing()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="redis-server is not installed"):
        _redis_missing()


def test_memory_dedup_after_it_was_empty() -> None:
    """Every key expired or released: the next claims start afresh and still expire."""
    clock = Clock()
    seen = MemoryDedup(max_size=2, ttl=10, clock=clock)
    assert seen.claim("a")
    clock.now += 10
    assert seen.claim("b")  # "a" expired: the store held only "b" then
    assert len(seen) == 1
    assert seen.claim("b") is False
    clock.now += 5
    assert seen.claim("c")
    clock.now += 5
    assert seen.claim("b")  # expired, claimed anew; "c" is still within its ttl
    assert seen.claim("c") is False
    seen.release("b")
    seen.release("c")
    assert len(seen) == 0
    assert seen.claim("c")
    assert [seen.claim(k) for k in ("c", "d", "e", "c")] == [False, True, True, True]
    assert len(seen) == 2  # bounded: "c", the oldest, was forgotten, then claimed again
