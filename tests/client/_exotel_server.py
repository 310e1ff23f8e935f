"""A second, independent server of Exotel's Legs and Bridges REST contract, for the tests.

Written from the reference (EXOML-SOURCES.md, "Legs and bridges (REST)", and
LEG-ACTIONS.md), on asyncio streams, sharing no code with ``exoml.testing.fake_api``: when
the clients work against both, they work against the contract, not against one reading of
it. It answers in the documented envelope but picks the shapes the reference leaves open
differently from the fake (``endpoint_response`` as text, a bridge's legs as objects, the
older ``?fields=a,b`` form of get-leg accepted), and answers any request with a scripted
status when told to.

It holds state (legs, bridges, the events listed for a leg) but plays no call.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ACCOUNT = "ACsecond000000000000000000000000"
KEY = "second-key"
TOKEN = "second-token-Zq9"

_PHRASES = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int


@dataclass
class ExotelServer:
    """An Exotel-like REST server on 127.0.0.1 in a thread of its own (its own event loop)."""

    account_sid: str = ACCOUNT
    api_key: str = KEY
    api_token: str = TOKEN
    legs: dict[str, dict[str, Any]] = field(default_factory=dict)
    bridges: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    _script: deque[tuple[int, bytes | None, dict[str, str]]] = field(default_factory=deque)
    _loop: asyncio.AbstractEventLoop | None = None
    _server: asyncio.AbstractServer | None = None
    _thread: threading.Thread | None = None
    _port: int = 0

    # -- life cycle ----------------------------------------------------------------------

    def __enter__(self) -> ExotelServer:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._server = loop.run_until_complete(
                asyncio.start_server(self._connection, "127.0.0.1", 0)
            )
            self._port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="second-exotel-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    # -- scripting -------------------------------------------------------------------------

    def answer_next(
        self,
        status: int,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests with ``status`` (and ``body``, else the
        documented error body) whatever they ask."""
        for _ in range(times):
            self._script.append((status, body, headers or {}))

    def add_leg(self, leg_sid: str, **fields: Any) -> None:
        self.legs[leg_sid] = {
            "leg_sid": leg_sid,
            "account_sid": self.account_sid,
            "contact_uri": "+919800000001",
            "exophone": "08000000001",
            "state": "in-progress",
            "date_created": "2026-03-01 10:00:00",  # no zone: Exotel's older style
            "events": [],
            **fields,
        }

    # -- HTTP --------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                raw = await reader.readexactly(length) if length else b""
                status, body, extra = self._respond(method, target, headers, raw)
                reason = _PHRASES.get(status, "Unknown")
                out = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}"]
                out.append("Content-Type: application/json")
                out.extend(f"{k}: {v}" for k, v in extra.items())
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _respond(
        self, method: str, target: str, headers: dict[str, str], raw: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query))
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        status, answer, extra = self._route(method, parts.path, query, headers, body)
        self.seen.append(Seen(method, parts.path, query, body, status))
        return status, answer, extra

    def _route(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
    ) -> tuple[int, bytes, dict[str, str]]:
        if self._script:
            status, scripted, extra = self._script.popleft()
            return status, scripted if scripted is not None else _error(status), extra
        expected = base64.b64encode(f"{self.api_key}:{self.api_token}".encode()).decode()
        if headers.get("authorization") != f"Basic {expected}":
            return 401, _error(401, "auth_failed"), {}
        segments = [unquote(s) for s in path.split("/")]
        if segments[:3] != ["", "v2", "accounts"] or len(segments) < 5:
            return 404, _error(404), {}
        if segments[3] != self.account_sid:
            return 403, _error(403), {}
        rest = segments[4:]
        if rest[0] == "legs":
            return self._legs(method, rest[1:], query, body)
        if rest[0] == "bridges":
            return self._bridges(method, rest[1:], body)
        return 404, _error(404), {}

    def _legs(
        self, method: str, rest: list[str], query: dict[str, str], body: Any
    ) -> tuple[int, bytes, dict[str, str]]:
        if not rest and method == "POST":
            if not isinstance(body, dict) or not all(
                isinstance(body.get(k), str)
                for k in ("contact_uri", "exophone", "leg_event_endpoint")
            ):
                return 400, _error(400, "missing_parameter"), {}
            sid = "LEG" + uuid.uuid4().hex[:12]
            self.add_leg(sid, contact_uri=body["contact_uri"], exophone=body["exophone"])
            self.legs[sid]["options"] = body
            data = {
                "leg_sid": sid,
                "created_at": "2026-03-01T10:00:00+05:30",
                "account_sid": self.account_sid,
                "contact_uri": body["contact_uri"],
                "network_type": body.get("network_type", "pstn"),
                "exophone": body["exophone"],
            }
            return 202, _envelope(202, "POST", data), {}
        if not rest:
            return 405, _error(405), {}
        leg = self.legs.get(rest[0])
        if leg is None:
            return 404, _error(404, "leg_not_found"), {}
        if len(rest) == 1 and method == "GET":
            asked = [k for k, v in query.items() if v == "true"]
            asked += [f for f in query.get("fields", "").split(",") if f]
            data = {k: v for k, v in leg.items() if k not in ("events", "options")}
            data["on_call_duration_ms"] = "1500"  # a number as text: the client reads it
            data["additional_info"] = {name: "idle" for name in asked}
            return 200, _envelope(200, "GET", data), {}
        if rest[1:] == ["external-events"] and method == "GET":
            name = query.get("event_name")
            listed = [e for e in leg["events"] if name is None or e["event_name"] == name]
            data = {
                "sid": leg["leg_sid"],
                "event_type": "external_events",
                "account_sid": self.account_sid,
                "external_events": [
                    {
                        "endpoint_response": "200 OK" if i % 2 == 0 else "503",
                        "error": None,
                        "date_created": "2026-03-01T10:00:01Z",
                        "date_updated": "2026-03-01T10:00:02Z",
                        "event_info": json.dumps(event) if i % 2 else event,
                    }
                    for i, event in enumerate(listed)
                ],
            }
            return 200, _envelope(200, "GET", data), {}
        if rest[1:] == ["actions"] and method == "POST":
            if not isinstance(body, dict) or not isinstance(body.get("exoml"), str):
                return 400, _error(400, "invalid_exoml"), {}
            leg.setdefault("actions", []).append(body)
            return 202, _envelope(202, "POST", {"leg_sid": leg["leg_sid"]}), {}
        return 405, _error(405), {}

    def _bridges(
        self, method: str, rest: list[str], body: Any
    ) -> tuple[int, bytes, dict[str, str]]:
        if not rest and method == "POST":
            if not isinstance(body, dict) or not isinstance(body.get("leg_sids"), list):
                return 400, _error(400, "invalid_parameter"), {}
            for sid in body["leg_sids"]:
                if sid not in self.legs:
                    return 404, _error(404, "leg_not_found"), {}
            sid = "BR" + uuid.uuid4().hex[:12]
            self.bridges[sid] = {
                "bridge_sid": sid,
                "account_sid": self.account_sid,
                "legs": [{"leg_sid": leg, "state": "joined"} for leg in body["leg_sids"]],
                "state": "active",
                "bridge_event_endpoint": body.get("bridge_event_endpoint"),
                "absorb_dtmf": "true" if body.get("absorb_dtmf") else "false",
                "actions": [],
            }
            data = {
                "bridge_sid": sid,
                "created_at": "2026-03-01T10:05:00.5Z",
                "account_sid": self.account_sid,
                "leg_sids": body["leg_sids"],
                "bridge_event_endpoint": body.get("bridge_event_endpoint"),
            }
            return 202, _envelope(202, "POST", data), {}
        if not rest:
            return 405, _error(405), {}
        bridge = self.bridges.get(rest[0])
        if bridge is None:
            return 404, _error(404, "bridge_not_found"), {}
        if len(rest) == 1 and method == "GET":
            data = {k: v for k, v in bridge.items() if k != "actions"}
            return 200, _envelope(200, "GET", data), {}
        if len(rest) == 1 and method == "PUT":
            if body != {"action": "stop"}:
                return 400, _error(400, "invalid_action"), {}
            bridge["state"] = "terminated"
            return 202, _envelope(202, "PUT", {"bridge_sid": rest[0], "action": "stop"}), {}
        if rest[1:] == ["actions"] and method == "POST":
            if not isinstance(body, dict) or not isinstance(body.get("exoml"), str):
                return 400, _error(400, "invalid_exoml"), {}
            bridge["actions"].append(body)
            return 202, _envelope(202, "POST", {"bridge_sid": rest[0]}), {}
        return 405, _error(405), {}


def _envelope(status: int, method: str, data: Any) -> bytes:
    return json.dumps(
        {
            "request_id": uuid.uuid4().hex,
            "method": method,
            "http_code": status,
            "response": {"code": status, "error_data": None, "status": "success", "data": data},
        }
    ).encode()


def _error(status: int, code: str | None = None) -> bytes:
    return json.dumps(
        {
            "request_id": "req-" + uuid.uuid4().hex[:8],
            "method": "ANY",
            "http_code": status,
            "response": {
                "code": status,
                "status": "failure",
                "data": None,
                "error_data": {"code": status, "message": _PHRASES.get(status, "error")},
                "error": {
                    "code": code or f"error_{status}",
                    "message": f"{_PHRASES.get(status, 'error')} from the second server",
                    "description": "scripted",
                },
            },
        }
    ).encode()
