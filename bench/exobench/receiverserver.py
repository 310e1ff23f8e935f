"""The server side of the receiver row: one uvicorn process serving both sides.

Paths:

- ``/bare``: the baseline, an ASGI app that reads the body and answers 200;
- ``/events``: an :class:`exoml.events.EventReceiver` (basic auth, MemoryDedup) whose
  ``async def`` handler records each event's sid;
- ``/events-sync``: the same with a plain-function handler (run on the receiver's threads);
- ``GET /__drain``: waits until both receivers have handled everything they acknowledged,
  then answers their stats and what each side saw, as JSON;
- ``POST /__reset``: clears the counts.

Both sides go through the same router, the same uvicorn, the same connections' settings.
Usage: ``python receiverserver.py --user U --password P``; prints ``PORT <n>`` and
``LOOP <name> HTTP <name>`` once listening on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import socket
import sys
from typing import Any

import uvicorn

from exoml.events import Event, EventReceiver


def build(user: str, password: str) -> Any:
    counts = {"bare": 0, "bare_bytes": 0}
    handled: dict[str, set[str]] = {"events": set(), "events-sync": set()}
    receiver = EventReceiver(username=user, password=password)
    sync_receiver = EventReceiver(username=user, password=password)

    @receiver.on_any
    async def record(event: Event) -> None:
        handled["events"].add(event.event_sid)

    @sync_receiver.on_any
    def record_sync(event: Event) -> None:
        handled["events-sync"].add(event.event_sid)

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
        if path == "/bare":
            await bare(scope, receive, send)
        elif path == "/events":
            await receiver(scope, receive, send)
        elif path == "/events-sync":
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
                },
            )
        elif path == "/__reset":
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
