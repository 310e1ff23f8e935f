"""The delivery row: 2,000 events from the fake to a receiver, a fifth of first attempts failed.

A correctness row, reported in the table with its counts and its time. The fake
(``FakeLegsAPI``) generates 2,000 events (200 legs, five ``Say`` actions each: a
``say_started`` and a ``say_completed`` per action) and delivers them as Exotel does to
an ``EventReceiver`` under uvicorn on 127.0.0.1. In front of the receiver, a fault layer
fails the first attempt of one event in five, picked by its sid, in the two ways a
delivery goes wrong:

- half of them never reach the receiver (503 at the door: the request was lost);
- the other half reach it, are acknowledged and handled, and the acknowledgement is then
  replaced by a 503 (the answer was lost): Exotel's retry brings the same event again.

The fake retries (up to 3 attempts on 5xx). The target: every event handled (0 lost) and
none handled twice (the receiver's dedup drops the retries of the second kind). The
ratio compares the time to deliver and handle everything with the faults against the
same run without them (same events, same receiver, same run), so it shows what the
retries cost.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

from .harness import CheckFailed, Context, NotAvailable, RowResult, Target, fmt_time

LEGS = 200
QUICK_LEGS = 50  # --quick: a smoke run of 500 events
ACTIONS_PER_LEG = 5
EVENTS_PER_LEG = ACTIONS_PER_LEG * 2  # say_started + say_completed per action
EVENTS = LEGS * EVENTS_PER_LEG
FAIL_ONE_IN = 5
#: Legs whose actions are being sent at once (the fake serves a thread per connection).
IN_FLIGHT = 20

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def _picked(event_sid: str) -> int:
    """0: deliver normally; 1: lose the request; 2: lose the answer (first attempts only)."""
    digest = hashlib.blake2s(event_sid.encode(), digest_size=2).digest()
    value = int.from_bytes(digest, "big")
    if value % FAIL_ONE_IN:
        return 0
    return 1 if (value // FAIL_ONE_IN) % 2 else 2


class Faults:
    """ASGI middleware that fails a fifth of first delivery attempts, on purpose."""

    def __init__(self, app: Any, *, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled
        self.lost_requests = 0
        self.lost_answers = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        request_id = headers.get(b"x-exotel-request-id", b"").decode()
        sid, _, attempt = request_id.rpartition("-")
        fault = _picked(sid) if attempt == "1" else 0
        if fault == 1:
            self.lost_requests += 1
            while (await receive()).get("more_body"):
                pass
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        if fault == 2:
            self.lost_answers += 1

            async def replace_status(message: Message) -> None:
                if message["type"] == "http.response.start" and message["status"] < 300:
                    message = {**message, "status": 503}
                await send(message)

            await self.app(scope, receive, replace_status)
            return
        await self.app(scope, receive, send)


@contextmanager
def _uvicorn(app: Any) -> Iterator[str]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="on", log_config=None, access_log=False, backlog=2048, limit_concurrency=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise CheckFailed("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/exotel/events"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def one_run(*, faults: bool, legs_count: int = LEGS) -> dict[str, Any]:
    """Generate, deliver and handle the events once; the counts and the time taken."""
    from exoml import AsyncLegsClient, Flow
    from exoml.events import Event, EventReceiver
    from exoml.testing import FakeLegsAPI

    handled: Counter[str] = Counter()
    lock = threading.Lock()
    receiver = EventReceiver()

    @receiver.on_any
    def count(event: Event) -> None:
        with lock:
            handled[event.event_sid] += 1

    front = Faults(receiver, enabled=faults)
    legs = [f"LEG{n:04d}" for n in range(legs_count)]
    events = legs_count * EVENTS_PER_LEG
    with _uvicorn(front) as url, FakeLegsAPI() as api:
        for leg in legs:
            api.add_leg(leg, leg_event_endpoint=url)

        async def act() -> None:
            async with AsyncLegsClient(
                api.account_sid, api.api_key, api.api_token, base_url=api.url
            ) as client:
                gate = asyncio.Semaphore(IN_FLIGHT)

                async def one_leg(leg: str) -> None:
                    async with gate:
                        for n in range(ACTIONS_PER_LEG):
                            await client.send(leg, Flow().say(f"Message {n}"))

                await asyncio.gather(*(one_leg(leg) for leg in legs))

        started = time.perf_counter()
        asyncio.run(act())
        api.wait_delivered(timeout=300)
        if not receiver.drain(timeout=300):
            raise CheckFailed("the receiver did not finish its handlers within 300 s")
        seconds = time.perf_counter() - started
        generated = [e["event_sid"] for e in api.events()]
        deliveries = api.deliveries
        stats = receiver.stats
    if len(generated) != events:
        raise CheckFailed(f"the fake generated {len(generated)} events, not {events}")
    first_failed = sum(1 for d in deliveries if d.attempt == 1 and not d.acknowledged)
    return {
        "seconds": seconds,
        "generated": len(generated),
        "lost": sum(1 for sid in generated if handled[sid] == 0),
        "twice": sum(1 for sid in generated if handled[sid] > 1),
        "attempts": len(deliveries),
        "first_attempts_failed": first_failed,
        "lost_requests": front.lost_requests,
        "lost_answers": front.lost_answers,
        "duplicates_dropped": stats.duplicates,
    }


def run(ctx: Context) -> list[RowResult]:
    try:
        import uvicorn  # noqa: F401

        from exoml.events import EventReceiver  # noqa: F401
    except ImportError as exc:
        raise NotAvailable(f"needs exoml.events and uvicorn ({exc})") from None
    legs = QUICK_LEGS if ctx.quick else LEGS
    events = legs * EVENTS_PER_LEG
    row = RowResult(
        key="events_delivery",
        comparison=f"{events:,} events, 1 in {FAIL_ONE_IN} first attempts failed",
        baseline_name="the same events, no failures",
        ratio_meaning="time with the failures and retries / time without (lower is better)",
        target=Target("<=", 0, "0 lost, 0 handled twice", on="exoml"),
    )
    ctx.register(row)
    reps = ctx.reps(3, 1)
    clean: list[dict[str, Any]] = []
    faulty: list[dict[str, Any]] = []
    for rep in range(reps):
        # Alternate which side runs first, as the other rows do.
        order = (False, True) if rep % 2 == 0 else (True, False)
        for with_faults in order:
            result = one_run(faults=with_faults, legs_count=legs)
            (faulty if with_faults else clean).append(result)
    for result in clean:
        if result["lost"] or result["twice"] or result["attempts"] != events:
            raise CheckFailed(f"the run without failures was not clean: {result}")
    lost = sum(r["lost"] for r in faulty)
    twice = sum(r["twice"] for r in faulty)
    failed_first = [r["first_attempts_failed"] for r in faulty]
    expected = events / FAIL_ONE_IN
    if any(not 0.6 * expected <= n <= 1.4 * expected for n in failed_first):
        raise CheckFailed(f"first attempts failed {failed_first}, not about {expected:.0f}")
    faulty_median = sorted(r["seconds"] for r in faulty)[len(faulty) // 2]
    clean_median = sorted(r["seconds"] for r in clean)[len(clean) // 2]
    row.baseline = f"{fmt_time(clean_median)} (0 lost, 0 twice)"
    row.exoml = f"{lost} lost, {twice} handled twice, in {fmt_time(faulty_median)}"
    ratios = [f["seconds"] / c["seconds"] for f, c in zip(faulty, clean, strict=True)]
    row.finish(ratios, exoml_value=float(lost + twice))
    last = faulty[-1]
    row.checks += [
        f"each run: {events:,} events generated by the fake from {legs * ACTIONS_PER_LEG:,} "
        f"actions on {legs} legs, delivered over HTTP to EventReceiver under uvicorn",
        f"first attempts failed per run: {failed_first} (about one in {FAIL_ONE_IN}); "
        f"in the last run {last['lost_requests']} requests lost before the receiver and "
        f"{last['lost_answers']} answers lost after it had handled the event",
        f"delivery attempts in the last run: {last['attempts']:,}; duplicates the receiver "
        f"dropped: {last['duplicates_dropped']}",
        f"events never handled: {lost}; events handled more than once: {twice} "
        f"(over {reps} run(s) with failures)",
        "the runs without failures: every event delivered at the first attempt, handled once",
    ]
    row.details.update(
        {
            "events": events,
            "runs": reps,
            "with_failures": faulty,
            "without_failures": clean,
        }
    )
    return [row]
