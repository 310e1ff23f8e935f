"""Unit tests: Retry-After parsing, the retry policy, the per-leg queues, the rate limiter."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from exoml._pacing import AsyncLegQueues, LegQueues, RateLimiter
from exoml._retry import RetryPolicy, parse_retry_after

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("3", 3.0),
        (" 120 ", 120.0),
        ("1.5", 1.5),
        ("Sun, 01 Mar 2026 12:00:05 GMT", 5.0),
        ("Sunday, 01-Mar-26 12:00:05 GMT", 5.0),  # RFC 850, still allowed by RFC 9110
        ("Sun Mar  1 12:00:05 2026", 5.0),  # asctime
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # in the past
        (None, None),
        ("", None),
        ("-1", None),
        ("soon", None),
        ("1e3", None),
        ("٣", None),  # a non-ASCII digit
        ("Sun, 99 Mar 2026 12:00:05 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_policy_caps_the_total_wait() -> None:
    policy = RetryPolicy(max_retries=10, max_retry_wait=5.0, backoff_base=1.0, backoff_cap=1.0)
    assert policy.delay("rate_limited", attempt=0, retry_after=2.0, waited=0.0) == 2.0
    assert policy.delay("rate_limited", attempt=1, retry_after=2.0, waited=2.0) == 2.0
    assert policy.delay("rate_limited", attempt=2, retry_after=2.0, waited=4.0) is None
    assert policy.delay("rate_limited", attempt=2, retry_after=1.0, waited=4.0) == 1.0
    assert policy.delay("not_sent", attempt=0, waited=4.5) is None  # backoff is 0.5 to 1
    assert RetryPolicy(max_retry_wait=0).delay("rate_limited", attempt=0, retry_after=0) == 0
    assert RetryPolicy(max_retry_wait=0).delay("not_sent", attempt=0) is None


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_retry_wait": -1}, ValueError),
        ({"max_retry_wait": float("nan")}, ValueError),
        ({"max_retry_wait": float("inf")}, ValueError),
        ({"max_retry_wait": "1"}, TypeError),
        ({"max_retries": 101}, ValueError),
        ({"max_retries": True}, TypeError),
    ],
)
def test_policy_refuses_bad_options(options: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        RetryPolicy(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value",
    ["Wed, 21 Oct 99999 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 +99999999999", "9" * 5000],
)
def test_parse_retry_after_never_raises(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None


def test_policy_decisions() -> None:
    policy = RetryPolicy(max_retries=2, backoff_base=1.0, backoff_cap=8.0)
    assert policy.delay("rate_limited", attempt=0, retry_after=2.0) == 2.0
    assert policy.delay("rate_limited", attempt=1, retry_after=0.0) == 0.0
    assert policy.delay("rate_limited", attempt=2, retry_after=0.0) is None
    assert policy.delay("rate_limited", attempt=0, retry_after=61.0) is None
    assert 0.5 <= (policy.delay("rate_limited", attempt=0) or 0) <= 1.0
    assert 0.5 <= (policy.delay("not_sent", attempt=0) or 0) <= 1.0
    assert policy.delay("server_error", attempt=0) is None
    assert policy.delay("maybe_sent", attempt=0) is None
    assert policy.delay("refused", attempt=0) is None
    opted_in = RetryPolicy(retry_server_errors=True)
    assert opted_in.delay("server_error", attempt=0) is not None
    assert opted_in.delay("maybe_sent", attempt=1) is not None
    assert opted_in.delay("refused", attempt=0) is None


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=4.0)
    for attempt, ceiling in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (10, 4.0)]:
        delays = [policy.backoff(attempt) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered


def test_leg_queues_serve_threads_in_arrival_order() -> None:
    queues = LegQueues()
    order: list[int] = []
    gate = threading.Event()

    def first() -> None:
        with queues.hold("leg"):
            gate.wait()
            order.append(0)

    def later(n: int) -> None:
        with queues.hold("leg"):
            order.append(n)

    threads = [threading.Thread(target=first)]
    threads[0].start()
    wait_until(lambda: queues.queued("leg") == 1)
    for n in range(1, 6):
        threads.append(threading.Thread(target=later, args=(n,)))
        threads[-1].start()
        # Thread n is in the queue before thread n + 1 starts.
        wait_until(lambda: queues.queued("leg") == n + 1)  # noqa: B023 (called at once)
    with queues.hold("other"):  # another leg is not blocked
        pass
    gate.set()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4, 5]
    assert queues.busy_legs() == 0


def test_leg_queue_released_on_exception() -> None:
    queues = LegQueues()
    with pytest.raises(RuntimeError), queues.hold("leg"):
        raise RuntimeError
    with queues.hold("leg"):
        assert queues.busy_legs() == 1
    assert queues.busy_legs() == 0


def test_a_thread_interrupted_while_waiting_gives_up_its_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Interrupted(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            raise KeyboardInterrupt

    queues = LegQueues()
    with queues.hold("leg"):
        monkeypatch.setattr(threading, "Event", Interrupted)  # what LegQueues makes
        with pytest.raises(KeyboardInterrupt), queues.hold("leg"):
            pass
        monkeypatch.undo()
        assert queues.queued("leg") == 1
    assert queues.busy_legs() == 0
    with queues.hold("leg"):  # the leg is free again
        assert queues.queued("leg") == 1


def test_async_leg_queues_order_and_cancellation() -> None:
    async def main() -> list[int]:
        queues = AsyncLegQueues()
        order: list[int] = []

        async def use(n: int, pause: float) -> None:
            async with queues.hold("leg"):
                await asyncio.sleep(pause)
                order.append(n)

        tasks = [asyncio.ensure_future(use(n, 0.01)) for n in range(5)]
        await asyncio.sleep(0)
        tasks[2].cancel()  # waiting in the queue
        await asyncio.gather(*tasks, return_exceptions=True)
        assert queues.busy_legs() == 0
        return order

    assert asyncio.run(main()) == [0, 1, 3, 4]


class FakeClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_spaces_slots() -> None:
    clock = FakeClock()
    limiter = RateLimiter(per_minute=6000, clock=clock)  # one slot every 10 ms
    assert [limiter.reserve() for _ in range(5)] == pytest.approx([0, 0.01, 0.02, 0.03, 0.04])
    clock.now += 0.015  # part of the way to the next free slot (at +0.05)
    assert limiter.reserve() == pytest.approx(0.035)
    clock.now += 10
    # Idle time is not banked as a burst: one slot now, the next a full interval later.
    assert limiter.reserve() == 0.0
    assert limiter.reserve() == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("per_minute", "interval"), [(0.01, 6000.0), (1, 60.0), (100, 0.6), (60_000, 0.001)]
)
def test_rate_limiter_interval_at_every_rate(per_minute: float, interval: float) -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(per_minute=per_minute, clock=clock)
    assert [limiter.reserve() for _ in range(3)] == pytest.approx([0, interval, 2 * interval])


@pytest.mark.parametrize("per_minute", [1e-300, 0, -1, float("nan"), float("inf"), 1e9, 10**400])
def test_rate_limiter_refuses_rates_out_of_bounds(per_minute: float) -> None:
    with pytest.raises(ValueError, match=r"rate_limit must be between 0\.01 and 60000"):
        RateLimiter(per_minute=per_minute)


def test_rate_limiter_in_real_time() -> None:
    """A smoke test against the real clock: slots 100 ms apart are waited out (the upper
    bound is only there to catch a hang)."""
    limiter = RateLimiter(per_minute=600)
    started = time.monotonic()
    for _ in range(3):
        time.sleep(limiter.reserve())
    assert 0.2 <= time.monotonic() - started < 30


def test_rate_limiter_is_thread_safe() -> None:
    limiter = RateLimiter(per_minute=60_000, clock=FakeClock())
    delays: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(50):
            delay = limiter.reserve()
            with lock:
                delays.append(delay)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 200 distinct slots, 1 ms apart, none handed out twice.
    assert sorted(delays) == pytest.approx([n * 0.001 for n in range(200)])
