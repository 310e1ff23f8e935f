"""Concurrency: many sends at once, one action at a time per leg, and the rate limit."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from exoml import AsyncLegsClient, LegsClient, RateLimitError, ServerError
from exoml.testing import FakeLegsAPI

from .conftest import credentials

HELLO = "<Flow><Say>Hello</Say></Flow>"


class SharedClock:
    """A fake monotonic clock for a client and a FakeLegsAPI: it moves only when the
    client sleeps, so rate decisions are tested without depending on real time."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def install(self, client: LegsClient | AsyncLegsClient) -> None:
        client._clock = self
        if isinstance(client, LegsClient):
            client._sleep = self.sleep
        else:

            async def sleep(seconds: float) -> None:
                # Concurrent tasks sleep side by side: the clock stands still, so every
                # reservation is measured from the same instant.
                self.sleeps.append(seconds)
                await asyncio.sleep(0)

            client._sleep = sleep


def test_200_concurrent_async_sends_are_each_recorded_once() -> None:
    async def main(api: FakeLegsAPI) -> list[str | None]:
        async with AsyncLegsClient(**credentials(api), base_url=api.url) as client:
            results = await asyncio.gather(
                *(client.send(f"LEG{n}", HELLO, custom_param=str(n)) for n in range(200))
            )
        return [r.request_id for r in results]

    # The latency keeps each request open long enough for the others to pile up.
    with FakeLegsAPI(latency=0.3) as api:
        request_ids = asyncio.run(main(api))
        actions = api.actions
        assert sorted(int(a.custom_param or -1) for a in actions) == list(range(200))
        assert sorted(a.request_id for a in actions) == sorted(r for r in request_ids if r)
        assert len(set(request_ids)) == 200
        assert all(a.leg_sid == f"LEG{a.custom_param}" for a in actions)
        assert [r.status for r in api.requests] == [202] * 200
        # They really were in flight together (at most 100: httpx's default pool size).
        assert 20 <= api.peak_concurrency() <= 100


def test_async_sends_to_one_leg_go_one_at_a_time_in_order() -> None:
    legs = [f"LEG{n}" for n in range(4)]

    async def main(api: FakeLegsAPI) -> None:
        async with AsyncLegsClient(**credentials(api), base_url=api.url) as client:
            await asyncio.gather(
                *(
                    client.send(leg, HELLO, custom_param=f"{leg}:{n}")
                    for n in range(8)
                    for leg in legs
                )
            )
            assert client._legs.busy_legs() == 0

    with FakeLegsAPI(latency=0.005) as api:
        asyncio.run(main(api))
        for leg in legs:
            assert [a.custom_param for a in api.actions_for(leg)] == [
                f"{leg}:{n}" for n in range(8)
            ]
            assert api.peak_concurrency(leg) == 1
        # Different legs proceeded in parallel.
        assert api.peak_concurrency() > 1


def test_a_cancelled_async_send_does_not_block_the_leg() -> None:
    async def main(api: FakeLegsAPI) -> None:
        async with AsyncLegsClient(**credentials(api), base_url=api.url) as client:
            first = asyncio.ensure_future(client.send("LEG", HELLO, custom_param="1"))
            second = asyncio.ensure_future(client.send("LEG", HELLO, custom_param="2"))
            third = asyncio.ensure_future(client.send("LEG", HELLO, custom_param="3"))
            await asyncio.sleep(0.05)  # the first is in flight, the others queue
            second.cancel()
            await asyncio.gather(first, third)
            assert second.cancelled()

    with FakeLegsAPI(latency=0.1) as api:
        asyncio.run(main(api))
        assert [a.custom_param for a in api.actions] == ["1", "3"]


def test_threaded_sends_to_one_leg_go_one_at_a_time_in_order() -> None:
    with (
        FakeLegsAPI() as api,
        LegsClient(**credentials(api), base_url=api.url) as client,
    ):
        threads: list[threading.Thread] = []

        def start(leg: str, n: int) -> None:
            thread = threading.Thread(
                target=client.send, args=(leg, HELLO), kwargs={"custom_param": str(n)}
            )
            thread.start()
            threads.append(thread)
            # Wait until it has its place in the queue, so that the order is known.
            deadline = time.monotonic() + 5
            while client._legs.queued(leg) < n + 1:
                assert time.monotonic() < deadline
                time.sleep(0.001)

        # The first send on each leg stalls at the server, so the later ones must queue
        # (for long enough that both legs' first sends are surely in flight together).
        api.stall_next(2, seconds=1.0)
        for n in range(6):
            for leg in ("A", "B"):
                start(leg, n)
        for thread in threads:
            thread.join()
        for leg in ("A", "B"):
            assert [a.custom_param for a in api.actions_for(leg)] == [str(n) for n in range(6)]
            assert api.peak_concurrency(leg) == 1
        # The two legs' first sends were in flight together.
        assert api.peak_concurrency() == 2
        assert client._legs.busy_legs() == 0


def test_a_failed_send_releases_the_leg() -> None:
    with (
        FakeLegsAPI() as api,
        LegsClient(**credentials(api), base_url=api.url, max_retries=0) as client,
    ):
        api.fail_next(1, status=500)
        with pytest.raises(ServerError):
            client.send("LEG", HELLO)
        client.send("LEG", HELLO)
        assert len(api.actions) == 1


def test_rate_limit_spaces_sync_requests() -> None:
    clock = SharedClock()
    with (
        FakeLegsAPI(clock=clock) as api,
        LegsClient(**credentials(api), base_url=api.url, rate_limit=600) as client,
    ):
        clock.install(client)
        for n in range(4):
            client.send(f"LEG{n}", HELLO)
        times = [a.monotonic - 1000.0 for a in api.actions]
    assert clock.sleeps == pytest.approx([0.1, 0.1, 0.1])
    assert times == pytest.approx([0.0, 0.1, 0.2, 0.3])


def test_rate_limit_spaces_concurrent_async_requests() -> None:
    clock = SharedClock()

    async def main(api: FakeLegsAPI) -> None:
        async with AsyncLegsClient(**credentials(api), base_url=api.url, rate_limit=600) as c:
            clock.install(c)
            await asyncio.gather(*(c.send(f"LEG{n}", HELLO) for n in range(5)))

    with FakeLegsAPI() as api:
        asyncio.run(main(api))
        assert len(api.actions) == 5
    # Five sends started together: one at once, the others 0.1 s apart.
    assert sorted(clock.sleeps) == pytest.approx([0.1, 0.2, 0.3, 0.4])


def test_rate_limit_in_real_time() -> None:
    """A smoke test against the real clock (the upper bound only catches a hang)."""
    with (
        FakeLegsAPI() as api,
        LegsClient(**credentials(api), base_url=api.url, rate_limit=600) as client,
    ):
        started = time.monotonic()
        for n in range(3):
            client.send(f"LEG{n}", HELLO)
        assert 0.2 <= time.monotonic() - started < 30
        assert len(api.actions) == 3


def test_rate_limit_avoids_the_servers_429s() -> None:
    # The fake allows 3 requests per 0.5 s; a burst of 5 collects 429s...
    clock = SharedClock()
    with FakeLegsAPI(rate_limit=3, rate_window=0.5, clock=clock) as api:
        with LegsClient(**credentials(api), base_url=api.url, max_retries=0) as client:
            clock.install(client)
            statuses = []
            for n in range(5):
                try:
                    statuses.append(client.send(f"LEG{n}", HELLO).http_code)
                except RateLimitError as exc:
                    statuses.append(exc.status_code)
        assert statuses == [202, 202, 202, 429, 429]

    # ...while one request every 0.2 s (300 a minute) never does.
    with FakeLegsAPI(rate_limit=3, rate_window=0.5, clock=clock) as api:
        with LegsClient(
            **credentials(api), base_url=api.url, max_retries=0, rate_limit=300
        ) as client:
            clock.install(client)
            for n in range(5):
                client.send(f"LEG{n}", HELLO)
        assert [r.status for r in api.requests] == [202] * 5
