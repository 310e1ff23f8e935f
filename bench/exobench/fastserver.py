"""A minimal, fast stand-in for the Leg Actions endpoint, for the client benchmarks.

It runs in its own process (so it takes no CPU time or GIL from the client under test),
on 127.0.0.1 only, speaks HTTP/1.1 with keep-alive, and answers
``POST /v2/accounts/{sid}/legs/{leg}/actions`` with 202 and the documented JSON body,
after an optional fixed delay that stands for the network and the API's own latency.
It checks what a real server would (the path, Basic auth, a JSON object with an ``exoml``
string) and counts every distinct (path, auth, body) it was sent, so the benchmark can
prove both sides sent the same request every time. ``GET /__stats`` returns the counts;
``POST /__reset`` clears them. It exits by itself after ``--max-seconds``.

Usage: ``python fastserver.py --account-sid S --api-key K --api-token T [--delay-ms N]``;
it prints ``PORT <n>`` on its first line of output.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import re
import sys
from typing import Any

_ACTIONS = re.compile(rb"^/v2/accounts/([^/?]+)/legs/([^/?]+)/actions$")
_REASONS = {200: b"OK", 202: b"Accepted", 400: b"Bad Request", 401: b"Unauthorized"}


class Server:
    def __init__(self, account_sid: str, api_key: str, api_token: str, delay: float) -> None:
        token = base64.b64encode(f"{api_key}:{api_token}".encode()).decode()
        self.auth = f"Basic {token}".encode()
        self.account_sid = account_sid.encode()
        self.delay = delay
        self.served = 0
        self.seen: dict[str, dict[str, Any]] = {}
        self.active = 0  # accepted requests whose answer is not yet written
        self.peak_active = 0
        self.connections = 0  # TCP connections accepted since the last reset

    def stats(self) -> bytes:
        data = {
            "requests": self.served,
            "distinct": self.seen,
            "peak_in_flight": self.peak_active,
            "connections": self.connections,
        }
        return json.dumps(data).encode()

    def route(
        self, method: bytes, target: bytes, headers: dict[bytes, bytes], body: bytes
    ) -> tuple[int, bytes, bool]:
        """Status, body, and whether to apply the delay."""
        if method == b"GET" and target == b"/__stats":
            return 200, self.stats(), False
        if method == b"POST" and target == b"/__reset":
            self.served, self.seen, self.peak_active, self.connections = 0, {}, 0, 0
            return 200, b"{}", False
        m = _ACTIONS.match(target)
        if method != b"POST" or m is None or m[1] != self.account_sid:
            return 404, b'{"http_code": 404, "response": {"error": {"code": "not_found"}}}', False
        self.served += 1
        rid = f"bench-{self.served}"
        auth = headers.get(b"authorization", b"")
        if auth != self.auth:
            return 401, _error(rid, 401, "authentication_failed"), False
        if b"application/json" not in headers.get(b"content-type", b""):
            return 400, _error(rid, 400, "content_type"), False
        try:
            payload = json.loads(body)
        except ValueError:
            return 400, _error(rid, 400, "invalid_json"), False
        if not isinstance(payload, dict) or not isinstance(payload.get("exoml"), str):
            return 400, _error(rid, 400, "missing_exoml"), False
        canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False)
        key = hashlib.sha256(target + b"\0" + auth + b"\0" + canonical.encode()).hexdigest()[:16]
        entry = self.seen.get(key)
        if entry is None:
            entry = self.seen[key] = {
                "count": 0,
                "path": target.decode(),
                "payload": payload,
                "body_bytes": len(body),
            }
        entry["count"] += 1
        leg = m[2].decode()
        answer = {"request_id": rid, "http_code": 202, "response": {"data": {"leg_sid": leg}}}
        return 202, json.dumps(answer).encode(), True

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    break
                lines = head[:-4].split(b"\r\n")
                try:
                    method, target, _version = lines[0].split(b" ", 2)
                except ValueError:
                    break
                headers: dict[bytes, bytes] = {}
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    headers[name.strip().lower()] = value.strip()
                if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
                    body = await _read_chunked(reader)
                else:
                    length = int(headers.get(b"content-length", b"0") or b"0")
                    body = await reader.readexactly(length) if length else b""
                status, payload, delayed = self.route(method, target, headers, body)
                if delayed:
                    self.active += 1
                    self.peak_active = max(self.peak_active, self.active)
                    try:
                        if self.delay:
                            await asyncio.sleep(self.delay)
                    finally:
                        self.active -= 1
                writer.write(
                    b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n%s"
                    % (status, _REASONS.get(status, b"Error"), len(payload), payload)
                )
                await writer.drain()
                if headers.get(b"connection", b"").lower() == b"close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


def _error(rid: str, status: int, code: str) -> bytes:
    body = {"request_id": rid, "http_code": status, "response": {"error": {"code": code}}}
    return json.dumps(body).encode()


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def serve(args: argparse.Namespace) -> None:
    app = Server(args.account_sid, args.api_key, args.api_token, args.delay_ms / 1000)
    server = await asyncio.start_server(app.handle, "127.0.0.1", args.port, backlog=512)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"PORT {port}\n")
    sys.stdout.flush()
    async with server:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(server.serve_forever(), timeout=args.max_seconds)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--account-sid", required=True)
    p.add_argument("--api-key", required=True)
    p.add_argument("--api-token", required=True)
    p.add_argument("--delay-ms", type=float, default=0.0)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=900.0)
    asyncio.run(serve(p.parse_args()))


if __name__ == "__main__":
    main()
