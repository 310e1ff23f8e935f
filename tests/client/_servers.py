"""Hostile HTTP servers on 127.0.0.1 for the client tests, written on raw sockets.

Each :class:`ScriptedServer` reads one request per connection (headers, and a body of
its ``Content-Length``) and then runs a script that writes whatever it likes: a status
line one byte at a time, a gigabyte of zeros, a decompression bomb, a half answer. The
scripts stop when the client hangs up or the server closes.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import zlib
from collections.abc import Callable
from typing import Any

Script = Callable[[socket.socket, threading.Event], None]

ACCOUNT = "AChostile"
KEY = "hostile-key"
TOKEN = "hostile-token-Zq81"


class ScriptedServer:
    """A TCP server on 127.0.0.1 (port 0) that answers every connection with ``script``."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.stop = threading.Event()
        self.requests: list[bytes] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept, daemon=True)
        self._acceptor.start()

    # The attributes the client tests' helpers expect of a server.
    account_sid = ACCOUNT
    api_key = KEY
    api_token = TOKEN

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        with contextlib.suppress(OSError), connection:
            connection.settimeout(30)
            request = _read_request(connection)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            self.script(connection, self.stop)

    def close(self) -> None:
        self.stop.set()
        # Closing alone does not wake an accept() blocked in another thread (Linux): shut
        # the listener down first, so that no thread outlives the server (a test that
        # forks, such as the linter's -j, runs only in a process without other threads).
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._acceptor.join(timeout=5)
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _read_request(connection: socket.socket) -> bytes | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


# -- scripts -------------------------------------------------------------------------------


def answer(
    status: int,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    length: bool = True,
) -> Script:
    """A complete answer, then the connection is closed."""

    def script(connection: socket.socket, stop: threading.Event) -> None:
        lines = [f"HTTP/1.1 {status} Whatever"]
        fields = {"Content-Type": "application/json", "Connection": "close", **(headers or {})}
        if length:
            fields.setdefault("Content-Length", str(len(body)))
        lines += [f"{k}: {v}" for k, v in fields.items()]
        connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    return script


def raw(data: bytes) -> Script:
    """Exactly these bytes, then the connection is closed."""

    def script(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(data)

    return script


def trickle(prefix: bytes = b"", *, every: float = 0.05, byte: bytes = b"H") -> Script:
    """``prefix`` at once, then one byte every ``every`` seconds until the end of time."""

    def script(connection: socket.socket, stop: threading.Event) -> None:
        connection.sendall(prefix)
        while not stop.is_set():
            connection.sendall(byte)
            stop.wait(every)

    return script


def endless(
    status: int, *, content_length: int | None = 1024**3, gzip_zeros: bool = False
) -> Script:
    """A status line and headers, then zeros (or gzip-compressed zeros) until the client
    hangs up: a gigabyte body, or one without end."""

    def script(connection: socket.socket, stop: threading.Event) -> None:
        head = [f"HTTP/1.1 {status} Whatever", "Content-Type: application/json"]
        if content_length is not None:
            head.append(f"Content-Length: {content_length}")
        else:
            head.append("Connection: close")
        if gzip_zeros:
            head.append("Content-Encoding: gzip")
        connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        block = bytes(65536)
        if gzip_zeros:
            compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
            connection.sendall(compressor.compress(b""))
            while not stop.is_set():
                data = compressor.compress(block * 16) + compressor.flush(zlib.Z_SYNC_FLUSH)
                connection.sendall(data)
        else:
            while not stop.is_set():
                connection.sendall(block)

    return script


def gzip_bomb(size: int = 200 * 1024 * 1024, *, layers: int = 1) -> bytes:
    """``size`` zero bytes gzip-compressed ``layers`` times (200 MiB is about 200 KiB)."""
    data = b""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.flush())
    data = b"".join(parts)
    for _ in range(layers - 1):
        data = gzip.compress(data, 9)
    return data


def nested_json(depth: int, *, inner: Any = None) -> bytes:
    """A JSON value nested ``depth`` lists deep."""
    return b"[" * depth + json.dumps(inner).encode() + b"]" * depth
