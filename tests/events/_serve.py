"""One receiver process of the two-process test; run from the repository root as
``python -m tests.events._serve REDIS_URL COUNTS_KEY``.

It prints ``PORT <n>`` once it listens on 127.0.0.1, counts each handled event in the
Redis hash ``COUNTS_KEY`` (field: the event sid) and shuts down cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import sys

import redis
import uvicorn

from exoml.events import Event, EventReceiver, RedisDedup

from ._servers import listening_socket


def main(argv: list[str]) -> None:
    url, key = argv
    counts = redis.Redis.from_url(url)
    receiver = EventReceiver(dedup=RedisDedup.from_url(url, prefix="two-processes:"))

    @receiver.on_any
    def count(event: Event) -> None:
        counts.hincrby(key, event.event_sid, 1)

    sock = listening_socket()
    print("PORT", sock.getsockname()[1], flush=True)
    config = uvicorn.Config(receiver, lifespan="on", log_config=None, access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1:])
