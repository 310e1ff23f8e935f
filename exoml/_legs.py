"""What the Legs and Bridges endpoints answer: legs, bridges and a leg's delivered events.

The clients build these records from the ``response.data`` object of Exotel's answer. Every
documented field is a typed attribute (``None`` when the answer lacks it); timestamps are
timezone-aware :class:`~datetime.datetime` values; the whole decoded answer stays in
``raw``, so a field Exotel adds later is never lost.

>>> leg = Leg.from_answer({"request_id": "r1", "http_code": 202, "response": {"data": {
...     "leg_sid": "L1", "contact_uri": "+919876543210",
...     "created_at": "2026-01-05T10:00:00.250Z"}}})
>>> leg.leg_sid, leg.created_at.isoformat(), leg.state
('L1', '2026-01-05T10:00:00.250000+00:00', None)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .events import Event

__all__ = ["Bridge", "ExternalEvent", "Leg", "answer_data", "parse_timestamp"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def answer_data(body: Any) -> Any:
    """The ``response.data`` of an answer body (``None`` when the body has no such part)."""
    if not isinstance(body, Mapping):
        return None
    response = body.get("response")
    if not isinstance(response, Mapping):
        return None
    return response.get("data")


def parse_timestamp(value: Any) -> datetime | None:
    """A timezone-aware datetime from an ISO 8601 string (``Z`` or an offset), else ``None``.

    Exotel writes UTC timestamps; one written without an offset is read as UTC. A value
    that is not a readable timestamp gives ``None`` (the record's ``raw`` keeps it).

    >>> parse_timestamp("2026-01-05T10:00:00.250Z").isoformat()
    '2026-01-05T10:00:00.250000+00:00'
    >>> parse_timestamp("2026-01-05 15:30:00+05:30").utcoffset().total_seconds()
    19800.0
    >>> parse_timestamp("yesterday") is None
    True
    """
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python before 3.11 reads only 3 or 6 fraction digits; Exotel writes milliseconds.
    text = _FRACTION.sub(lambda m: m.group(1) + m.group(2)[:6].ljust(6, "0"), text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


_FRACTION = re.compile(r"(\d\d:\d\d:\d\d\.)(\d+)")


def _str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _bool(data: Mapping[str, Any], key: str) -> bool | None:
    value: object = data.get(key)
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    return None


def _mapping(value: Any) -> Mapping[str, Any]:
    """A read-only copy of a JSON object, all the way down (arrays become tuples)."""
    return _freeze(value) if isinstance(value, Mapping) else _EMPTY


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _envelope(body: Any) -> tuple[Mapping[str, Any], str | None, int | None]:
    """The ``data`` object, the request id and the http code of an answer body."""
    data = answer_data(body)
    request_id = body.get("request_id") if isinstance(body, Mapping) else None
    http_code = body.get("http_code") if isinstance(body, Mapping) else None
    return (
        data if isinstance(data, Mapping) else _EMPTY,
        request_id if isinstance(request_id, str) else None,
        http_code if isinstance(http_code, int) and not isinstance(http_code, bool) else None,
    )


@dataclass(frozen=True)
class Leg:
    """One call leg, as Exotel's Legs API describes it (create leg, get leg).

    Use :meth:`~exoml.LegsClient.create_leg` to place a call and
    :meth:`~exoml.LegsClient.get_leg` to read its state; events tell you the same thing
    sooner. Every field is ``None`` when the answer lacks it: the create answer carries
    only ``leg_sid``, ``created_at``, ``account_sid``, ``contact_uri``, ``network_type``
    and ``exophone``. ``state`` is Exotel's word for where the call is (``connected``,
    ``in-progress``, ``terminal``, ...); ``additional_info`` holds the status fields asked
    for with ``get_leg(..., fields=...)``. ``raw`` is the whole decoded answer.

    >>> leg = Leg.from_answer({"response": {"data": {"leg_sid": "L1", "state": "terminal",
    ...     "terminal_status": "completed", "on_call_duration_ms": 61250,
    ...     "end_time": "2026-01-05T10:01:02.000Z"}}})
    >>> leg.state, leg.terminal_status, leg.on_call_duration_ms, leg.end_time.minute
    ('terminal', 'completed', 61250, 1)
    """

    leg_sid: str
    account_sid: str | None = None
    contact_uri: str | None = None
    exophone: str | None = None
    caller_id: str | None = None
    direction: str | None = None
    network_type: str | None = None
    time_limit: int | None = None
    state: str | None = None
    terminal_status: str | None = None
    created_at: datetime | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    on_call_duration_ms: int | None = None
    additional_info: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, hash=False)
    request_id: str | None = None
    http_code: int | None = None
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, repr=False, compare=False)

    @classmethod
    def from_answer(cls, body: Any, *, leg_sid: str | None = None) -> Leg:
        """The leg described by an answer body; ``leg_sid`` fills in a missing sid.

        Raises :class:`ValueError` when the answer names no leg at all.
        """
        data, request_id, http_code = _envelope(body)
        sid = _str(data, "leg_sid") or leg_sid
        if sid is None:
            raise ValueError("the answer names no leg (no response.data.leg_sid)")
        return cls(
            leg_sid=sid,
            account_sid=_str(data, "account_sid"),
            contact_uri=_str(data, "contact_uri"),
            exophone=_str(data, "exophone"),
            caller_id=_str(data, "caller_id"),
            direction=_str(data, "direction"),
            network_type=_str(data, "network_type"),
            time_limit=_int(data, "time_limit"),
            state=_str(data, "state"),
            terminal_status=_str(data, "terminal_status"),
            created_at=parse_timestamp(data.get("created_at")),
            date_created=parse_timestamp(data.get("date_created")),
            date_updated=parse_timestamp(data.get("date_updated")),
            start_time=parse_timestamp(data.get("start_time")),
            end_time=parse_timestamp(data.get("end_time")),
            on_call_duration_ms=_int(data, "on_call_duration_ms"),
            additional_info=_mapping(data.get("additional_info")),
            request_id=request_id,
            http_code=http_code,
            raw=_mapping(body),
        )


@dataclass(frozen=True)
class Bridge:
    """One bridge (legs joined in one conversation), as the Bridges API describes it.

    Use :meth:`~exoml.LegsClient.create_bridge` to join legs and
    :meth:`~exoml.LegsClient.get_bridge` to read one. ``leg_sids`` is a tuple (empty when
    the answer lists none); ``state`` is Exotel's word for where the bridge is; ``raw``
    is the whole decoded answer. ``absorb_dtmf`` is ``None`` when the answer does not
    say.

    >>> bridge = Bridge.from_answer({"http_code": 202, "response": {"data": {
    ...     "bridge_sid": "B1", "leg_sids": ["L1", "L2"],
    ...     "bridge_event_endpoint": "https://example.com/bridge-events"}}})
    >>> bridge.bridge_sid, bridge.leg_sids, bridge.http_code
    ('B1', ('L1', 'L2'), 202)
    """

    bridge_sid: str
    account_sid: str | None = None
    leg_sids: tuple[str, ...] = ()
    bridge_event_endpoint: str | None = field(default=None, repr=False)
    state: str | None = None
    absorb_dtmf: bool | None = None
    created_at: datetime | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    request_id: str | None = None
    http_code: int | None = None
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, repr=False, compare=False)

    @classmethod
    def from_answer(cls, body: Any, *, bridge_sid: str | None = None) -> Bridge:
        """The bridge described by an answer body; ``bridge_sid`` fills in a missing sid.

        Raises :class:`ValueError` when the answer names no bridge at all.
        """
        data, request_id, http_code = _envelope(body)
        sid = _str(data, "bridge_sid") or bridge_sid
        if sid is None:
            raise ValueError("the answer names no bridge (no response.data.bridge_sid)")
        legs = data.get("leg_sids")
        if not isinstance(legs, (list, tuple)):
            # "the legs in it" may come as objects with a leg_sid each.
            legs = data.get("legs")
        leg_sids: list[str] = []
        for item in legs if isinstance(legs, (list, tuple)) else ():
            if isinstance(item, str) and item:
                leg_sids.append(item)
            elif isinstance(item, Mapping) and _str(item, "leg_sid"):
                leg_sids.append(item["leg_sid"])
        return cls(
            bridge_sid=sid,
            account_sid=_str(data, "account_sid"),
            leg_sids=tuple(leg_sids),
            bridge_event_endpoint=_str(data, "bridge_event_endpoint"),
            state=_str(data, "state"),
            absorb_dtmf=_bool(data, "absorb_dtmf"),
            created_at=parse_timestamp(data.get("created_at")),
            date_created=parse_timestamp(data.get("date_created")),
            date_updated=parse_timestamp(data.get("date_updated")),
            request_id=request_id,
            http_code=http_code,
            raw=_mapping(body),
        )


@dataclass(frozen=True)
class ExternalEvent:
    """One event Exotel generated for a leg, with what happened when it was delivered.

    :meth:`~exoml.LegsClient.leg_events` returns these, oldest first. ``event`` is the
    event, typed as :func:`exoml.events.parse_event` reads it (its ``raw`` is the body
    as it was delivered); ``delivered`` is ``True`` when the endpoint acknowledged it
    with a 2xx, ``False`` when delivery failed, ``None`` when the answer does not say;
    ``endpoint_response`` and ``error`` are Exotel's record of the delivery as given
    (their shape is not documented); ``raw`` is the whole entry.

    >>> entry = ExternalEvent.from_entry({
    ...     "endpoint_response": 200, "error": None, "date_created": "2026-01-05T10:00:01Z",
    ...     "event_info": {"event_sid": "E1", "event_name": "leg_answered",
    ...                    "data": {"leg_sid": "L1"}}})
    >>> entry.event.event_name, entry.event.leg_sid, entry.delivered
    ('leg_answered', 'L1', True)
    """

    event: Event
    delivered: bool | None
    endpoint_response: Any = field(repr=False, hash=False)
    error: Any = field(repr=False, hash=False)
    date_created: datetime | None = None
    date_updated: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=lambda: _EMPTY, repr=False, compare=False)

    @property
    def event_name(self) -> str:
        """The event's name, as ``event.event_name``."""
        return self.event.event_name

    @classmethod
    def from_entry(cls, entry: Mapping[str, Any]) -> ExternalEvent:
        """One entry of ``external_events``.

        Raises :class:`~exoml.EventError` (a ValueError) when its ``event_info`` is not an
        event (given as an object, or as JSON text).
        """
        from .events import parse_event

        info = entry.get("event_info")
        event = parse_event(info if isinstance(info, (str, bytes, Mapping)) else b"")
        response = entry.get("endpoint_response")
        error = entry.get("error")
        return cls(
            event=event,
            delivered=_delivered(response, error),
            endpoint_response=response,
            error=error,
            date_created=parse_timestamp(entry.get("date_created")),
            date_updated=parse_timestamp(entry.get("date_updated")),
            raw=_mapping(entry),
        )


def _delivered(response: Any, error: Any) -> bool | None:
    """Whether an external event reached its endpoint, from Exotel's delivery record."""
    if error not in (None, "", {}, []):
        return False
    status: Any = response
    if isinstance(response, Mapping):
        for key in ("http_code", "status_code", "status", "code"):
            if key in response:
                status = response[key]
                break
        else:
            return None
    if isinstance(status, bool):
        return status
    if isinstance(status, str):
        head = status.strip().split(" ", 1)[0]
        status = int(head) if head.isascii() and head.isdigit() and len(head) == 3 else None
    if isinstance(status, int):
        return 200 <= status < 300
    return None


def leg_events_from_answer(body: Any) -> tuple[ExternalEvent, ...]:
    """The external events listed by an answer of ``GET /legs/{sid}/external-events``.

    ``response.data`` is one object with ``external_events`` (or a list of such objects);
    raises :class:`ValueError` when it is neither.
    """
    data = answer_data(body)
    pages = data if isinstance(data, list) else [data]
    found: list[ExternalEvent] = []
    for page in pages:
        if not isinstance(page, Mapping):
            raise ValueError("the answer has no response.data object")
        entries = page.get("external_events", ())
        if entries is None:
            entries = ()
        if not isinstance(entries, (list, tuple)):
            raise ValueError("response.data.external_events is not a list")
        for entry in entries:
            if isinstance(entry, Mapping):
                found.append(ExternalEvent.from_entry(entry))
    return tuple(found)
