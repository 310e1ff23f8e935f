"""Fixtures of the event tests: a real Redis server for the session."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._servers import PATIENCE, listening_socket, wait_for


def _redis_missing() -> None:
    message = (
        "redis-server is not installed (Debian: apt-get install redis-server); "
        "`make test` and .ci/run install it"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message + ": in CI the Redis tests must run", pytrace=False)
    pytest.skip(message)


def _answers(client: Any, proc: subprocess.Popen[bytes]) -> bool:
    """Wait until the new server answers PING (True) or its process ends (False)."""
    import redis

    def up() -> bool:
        if proc.poll() is not None:
            return True
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    try:
        wait_for(up, "redis-server to answer PING", PATIENCE)
    finally:
        client.close()
    return proc.poll() is None


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free 127.0.0.1 port, without persistence; its URL."""
    executable = shutil.which("redis-server")
    if executable is None:
        _redis_missing()
    assert executable is not None
    redis = pytest.importorskip("redis")
    workdir: Path = tmp_path_factory.mktemp("redis")
    for _ in range(3):  # the free port may be taken between our probe and Redis's bind
        probe = listening_socket()
        port = probe.getsockname()[1]
        probe.close()
        log = (workdir / "redis.log").open("wb")
        proc = subprocess.Popen(
            [
                executable,
                "--port", str(port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", str(workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        if _answers(redis.Redis(host="127.0.0.1", port=port, socket_timeout=5), proc):
            break
        log.close()
    else:
        raise AssertionError("redis-server did not start: " + (workdir / "redis.log").read_text())
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def redis_db(redis_url: str) -> str:
    """The session's Redis, emptied before the test."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return redis_url
