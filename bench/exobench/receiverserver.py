"""The server side of the receiver row: one uvicorn process serving both sides.

Every event is posted to ``/event``; which side answers it is chosen between bursts, so
every side gets byte-for-byte the same requests on the same connections:

- ``bare``: the baseline, an ASGI app that reads the body and answers 200;
- ``events``: an :class:`exoml.events.EventReceiver` (basic auth, MemoryDedup) whose
  ``async def`` handler counts each event's sid;
- ``events-sync``: the same with a plain-function handler (run on the receiver's threads);
- ``POST /__reset?side=NAME``: sends the next events to side NAME and clears the counts;
- ``GET /__drain``: waits until both receivers have handled everything they acknowledged,
  then answers their stats, what the sides saw and ``last_ns``, the
  :func:`time.monotonic_ns` at which the last handler finished (or the bare app
  answered), as JSON;
- ``GET /__handled?side=NAME``: how many distinct sids the side's handler saw, how many
  it saw more than once, and a SHA-256 of the sorted sids (to compare with what was sent).
Usage: ``python receiverserver.py --user U --password P``; prints ``PORT <n>`` and
``LOOP <name> HTTP <name>`` once listening on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import socket
import sys
import time
from typing import Any

import uvicorn

from exoml.events import Event, EventReceiver


def build(user: str, password: str) -> Any:
    counts = {"bare": 0, "bare_bytes": 0}
    # Per side, how many times the handler saw each sid.
    handled: dict[str, dict[str, int]] = {"events": {}, "events-sync": {}}
    current = ["bare"]
    # When the last handler finished (the bare app: answered), on the monotonic clock the
    # client reads too: the end of a burst, without timing a round trip to ask for it.
    last_ns = [0]
    receiver = EventReceiver(username=user, password=password)
    sync_receiver = EventReceiver(username=user, password=password)

    @receiver.on_any
    async def record(event: Event) -> None:
        seen = handled["events"]
        seen[event.event_sid] = seen.get(event.event_sid, 0) + 1
        last_ns[0] = time.monotonic_ns()

    @sync_receiver.on_any
    def record_sync(event: Event) -> None:
        seen = handled["events-sync"]
        seen[event.event_sid] = seen.get(event.event_sid, 0) + 1
        last_ns[0] = time.monotonic_ns()

    async def bare(scope: Any, receive: Any, send: Any) -> None:
        size = 0
        while True:
            message = await receive()
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        counts["bare"] += 1
        counts["bare_bytes"] += size
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}
        )
        await send({"type": "http.response.body", "body": b""})
        last_ns[0] = time.monotonic_ns()

    async def answer(send: Any, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receiver(scope, receive, send)
            return
        path = scope["path"]
        if path == "/event":
            side = current[0]
            if side == "bare":
                await bare(scope, receive, send)
            elif side == "events":
                await receiver(scope, receive, send)
            else:
                await sync_receiver(scope, receive, send)
        elif path == "/__drain":
            drained = await receiver.adrain(60) and await sync_receiver.adrain(60)
            await answer(
                send,
                {
                    "drained": drained,
                    "bare": counts["bare"],
                    "bare_bytes": counts["bare_bytes"],
                    "events": dataclasses.asdict(receiver.stats),
                    "events_sync": dataclasses.asdict(sync_receiver.stats),
                    "handled": len(handled["events"]),
                    "handled_sync": len(handled["events-sync"]),
                    "last_ns": last_ns[0],
                },
            )
        elif path == "/__handled":
            seen = handled[scope["query_string"].decode().removeprefix("side=")]
            digest = hashlib.sha256("\n".join(sorted(seen)).encode()).hexdigest()
            repeated = sum(1 for n in seen.values() if n != 1)
            await answer(send, {"distinct": len(seen), "repeated": repeated, "sha256": digest})
        elif path == "/__reset":
            side = scope["query_string"].decode().removeprefix("side=")
            if side not in ("bare", "events", "events-sync"):
                await answer(send, {"error": f"no side {side!r}"})
                return
            current[0] = side
            counts.update(bare=0, bare_bytes=0)
            for seen in handled.values():
                seen.clear()
            await answer(send, {"reset": True})
        else:
            await answer(send, {"error": "no such path"})

    return app


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    args = p.parse_args()
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    try:
        import httptools  # noqa: F401

        http = "httptools"
    except ImportError:
        http = "h11"
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    print(f"LOOP {loop} HTTP {http}", flush=True)
    config = uvicorn.Config(
        build(args.user, args.password),
        loop=loop,  # type: ignore[arg-type]
        http=http,  # type: ignore[arg-type]
        lifespan="on",
        log_config=None,
        access_log=False,
        backlog=1024,
    )
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
