"""Typed leg and bridge events: :class:`Event` and :func:`parse_event`.

Exotel posts one JSON object per event. What this module promises:

- a body with a non-empty string ``event_sid`` and ``event_name`` is an event, whatever
  else it holds: unknown event names and unknown fields are kept, never refused;
- the fields exoml types (``event_type``, ``action_sid``, ``action_custom_parameter``,
  ``event_data`` and ``data``) must have their JSON type when present (a string, or an
  object for the last two; ``null`` counts as absent), else the body is refused;
- ``event_timestamp`` is read leniently: an event whose timestamp is missing, has no
  offset, or cannot be read is kept with ``event_timestamp=None`` (``raw`` still holds
  what was sent), because refusing it would lose the event for good (Exotel does not
  retry a 400);
- anything else raises :class:`~exoml.EventError` and nothing but it: bytes that are not
  UTF-8, text that is not JSON, ``NaN`` or infinite numbers, integers of more than
  4,300 digits, nesting deeper than 64 levels. An object with a key twice keeps the
  last value, as JSON parsers generally do.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias

from .._errors import EventError

if TYPE_CHECKING:
    from .._catalogue import EventSpec

__all__ = ["Event", "Headers", "parse_event"]

#: Headers as a mapping, or as (name, value) pairs of str or bytes (ASGI's form).
Headers: TypeAlias = Mapping[str, str] | Iterable[tuple[str | bytes, str | bytes]]

MAX_DEPTH = 64
MAX_INT_DIGITS = 4300  # CPython's own default limit for int(str)
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Event:
    """One event Exotel delivered to an event endpoint, typed and read-only.

    Build it with :func:`parse_event` (an :class:`EventReceiver` does that for you). The
    fields are the documented ones; every field of the body, known or not, stays in
    ``raw`` (a read-only mapping: objects are read-only mappings, arrays are tuples).

    - ``event_timestamp`` is a timezone-aware :class:`~datetime.datetime`, or ``None``
      when the body has no timestamp exoml can read (see :func:`parse_event`);
    - ``leg_sid`` is the leg the event is about: ``data.leg_sid``, else
      ``event_data.data.leg_sid`` or ``event_data.leg_sid`` (bridge events);
    - ``attempt`` is Exotel's delivery attempt (1 to 3) from the ``X-Exotel-Request-Id``
      header, ``None`` without headers;
    - ``digits`` (gather events), ``bridge_sid`` (bridge and dial events) and ``data``
      (the leg's state) save digging in ``event_data``;
    - ``known`` is the catalogue's entry for the name (its types and evidence), ``None``
      for a name no source shows.

    >>> from exoml.events import parse_event
    >>> event = parse_event(
    ...     b'{"event_sid": "E1", "event_type": "leg_action_event",'
    ...     b' "event_name": "gather_success", "event_timestamp": "2024-05-01T10:00:00.250Z",'
    ...     b' "event_data": {"data": {"digits": "42"}}, "data": {"leg_sid": "L1"}}',
    ...     headers={"X-Exotel-Request-Id": "E1-2"},
    ... )
    >>> event.event_name, event.leg_sid, event.digits, event.attempt
    ('gather_success', 'L1', '42', 2)
    >>> event.event_timestamp.isoformat()
    '2024-05-01T10:00:00.250000+00:00'
    """

    event_sid: str
    event_name: str
    event_type: str | None
    event_timestamp: datetime | None
    action_sid: str | None
    action_custom_parameter: str | None
    event_data: Mapping[str, Any]
    leg_sid: str | None
    attempt: int | None
    raw: Mapping[str, Any]
    #: The ``X-Exotel-Request-Id`` header (``<event_sid>-<attempt>``), when given.
    request_id: str | None = None

    def __hash__(self) -> int:
        # The mappings are not hashable; two deliveries of one event differ in attempt.
        return hash((self.event_sid, self.event_name, self.attempt))

    @property
    def data(self) -> Mapping[str, Any]:
        """The body's ``data`` object (the leg: ``leg_sid``, ``state``, ...), or ``{}``."""
        found = self.raw.get("data")
        return found if isinstance(found, Mapping) else _EMPTY

    @property
    def digits(self) -> str | None:
        """The digits a gather collected (``event_data.data.digits``), when a string."""
        found = _dig(self.event_data, "data", "digits")
        return found if isinstance(found, str) else None

    @property
    def bridge_sid(self) -> str | None:
        """The bridge the event is about: ``event_data.bridge_sid`` or its ``data``'s."""
        for found in (
            _dig(self.event_data, "bridge_sid"),
            _dig(self.event_data, "data", "bridge_sid"),
            self.data.get("bridge_sid"),
        ):
            if isinstance(found, str) and found:
                return found
        return None

    @property
    def known(self) -> EventSpec | None:
        """The catalogue's entry for ``event_name``: its event types and evidence."""
        from .._catalogue import EVENTS

        return _known(EVENTS).get(self.event_name)

    def as_dict(self) -> dict[str, Any]:
        """The whole body as plain, mutable JSON values (dicts and lists), e.g. to store it."""
        thawed: dict[str, Any] = _thaw(self.raw)
        return thawed


class _Unfrozen:
    """:class:`Event`'s slots, in the same order, without the frozen dataclass's guard.

    :func:`_new_event` fills one with plain slot stores (what a frozen dataclass's
    ``__init__`` cannot do) and then makes it an :class:`Event`: Python allows the
    ``__class__`` change between two classes of the same slots.
    """

    __slots__ = Event.__slots__

    def __init__(
        self,
        event_sid: str,
        event_name: str,
        event_type: str | None,
        event_timestamp: datetime | None,
        action_sid: str | None,
        action_custom_parameter: str | None,
        event_data: Mapping[str, Any],
        leg_sid: str | None,
        attempt: int | None,
        raw: Mapping[str, Any],
        request_id: str | None,
    ) -> None:
        self.event_sid = event_sid
        self.event_name = event_name
        self.event_type = event_type
        self.event_timestamp = event_timestamp
        self.action_sid = action_sid
        self.action_custom_parameter = action_custom_parameter
        self.event_data = event_data
        self.leg_sid = leg_sid
        self.attempt = attempt
        self.raw = raw
        self.request_id = request_id


def _new_event(*fields: Any) -> Event:
    """``Event(...)`` at a third of the cost: each slot stored once, without the frozen
    dataclass's ``object.__setattr__`` per field (the receiver makes one per event).
    ``fields`` are :class:`_Unfrozen`'s arguments, which name and type them."""
    event: Any = _Unfrozen(*fields)
    event.__class__ = Event
    return event  # type: ignore[no-any-return]


_NEW = object.__new__

if tuple(f.name for f in dataclasses.fields(Event)) != Event.__slots__:  # pragma: no cover
    raise AssertionError("Event's slots must be its fields, in order")


# The fields _parse reads, in the order it names them.
_USUAL_FIELDS = itemgetter(
    "event_sid",
    "event_name",
    "event_type",
    "event_timestamp",
    "action_sid",
    "action_custom_parameter",
    "event_data",
    "data",
)

_KNOWN: dict[int, dict[str, EventSpec]] = {}


def _known(events: tuple[EventSpec, ...]) -> dict[str, EventSpec]:
    table = _KNOWN.get(id(events))
    if table is None:
        table = _KNOWN[id(events)] = {e.name: e for e in events}
    return table


def parse_event(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any], headers: Headers | None = None
) -> Event:
    """Read one event from its body (bytes, text or an already parsed mapping).

    ``headers`` are the request's headers, looked up without regard to case; from
    ``X-Exotel-Request-Id`` (``<event_sid>-<attempt>``) comes ``attempt``. Raises
    :class:`~exoml.EventError`, and nothing else, for a body that is not an event; see
    :class:`Event` for what is kept and how.

    >>> from exoml.events import parse_event
    >>> parse_event({"event_sid": "E9", "event_name": "some_future_event", "extra": [1]}).raw
    mappingproxy({'event_sid': 'E9', 'event_name': 'some_future_event', 'extra': (1,)})
    """
    request_id = _header(headers, "x-exotel-request-id") if headers is not None else None
    return _parse(body, request_id)


def _parse(body: object, request_id: str | None) -> Event:
    """:func:`parse_event` with the request id header already found.

    :func:`_check` and :func:`_build` in one pass for the usual event (each field looked
    up once); anything unusual goes through them.
    """
    raw: Any = None
    if type(body) is bytes:
        # _decode's usual case, inlined (see there). The scan succeeds on an object only
        # if the text starts with "{": anything else it reads is left to _decode.
        try:
            text = body.decode()
            if "[" not in text and text.count("{") < MAX_DEPTH:
                raw, end = _SCAN_FROZEN(text, 0)
                if end != len(text) and text[end:].strip(" \t\n\r"):
                    raw = None
        except Exception:  # told apart and worded by _decode
            raw = None
    if type(raw) is not MappingProxyType:
        raw = _decode(body)
    try:
        # Exotel sends every one of these fields, null where it has nothing: one C call.
        event_sid, event_name, event_type, when, action_sid, custom, event_data, data = (
            _USUAL_FIELDS(raw)
        )
    except KeyError:  # one is missing: each looked up on its own (subscripts and `in`
        # rather than .get: a mappingproxy's get looks the dict's get up by name each call)
        event_sid = raw["event_sid"] if "event_sid" in raw else None  # noqa: SIM401
        event_name = raw["event_name"] if "event_name" in raw else None  # noqa: SIM401
        event_type = raw["event_type"] if "event_type" in raw else None  # noqa: SIM401
        when = raw["event_timestamp"] if "event_timestamp" in raw else None  # noqa: SIM401
        action_sid = raw["action_sid"] if "action_sid" in raw else None  # noqa: SIM401
        # The short name, action_custom_param, where the long one is absent.
        key = (
            "action_custom_parameter" if "action_custom_parameter" in raw else "action_custom_param"
        )
        custom = raw[key] if key in raw else None  # noqa: SIM401
        event_data = raw["event_data"] if "event_data" in raw else None  # noqa: SIM401
        data = raw["data"] if "data" in raw else None  # noqa: SIM401
    if not (
        type(event_sid) is str
        and type(event_name) is str
        # Not empty and not blank: the first character sorts from "!" on (what sorts
        # before is a control character or " ", and of the printable characters only " "
        # is white space). A sid that starts with " " is left to _check.
        and event_sid >= "!"
        and event_name >= "!"
        and len(event_sid) <= 256
        and len(event_name) <= 256
        and event_sid.isprintable()
        and event_name.isprintable()
        and (type(event_data) is MappingProxyType or event_data is None)
        and (type(data) is MappingProxyType or data is None)
        and (type(event_type) is str or event_type is None)
        and (type(action_sid) is str or action_sid is None)
        and (type(custom) is str or custom is None)
    ):
        event_sid, event_name = _check(raw)
        return _build(raw, event_sid, event_name, request_id)
    if event_data is None:
        event_data = _EMPTY
    leg_sid = data["leg_sid"] if data is not None and "leg_sid" in data else None
    if type(leg_sid) is not str or not leg_sid:
        leg_sid = _nested_leg_sid(event_data)
    # The usual header, "<event_sid>-1" (what _attempt reads it as), else _attempt.
    if request_id is None:
        attempt = None
    elif request_id == event_sid + "-1":
        attempt = 1
    else:
        attempt = _attempt(request_id, event_sid)
    timestamp = when
    if (
        type(timestamp) is str
        and len(timestamp) == 24
        and timestamp[23] == "Z"
        and timestamp[10] == "T"
        and _FROMISO_Z
    ):
        # Exotel's own shape, 2024-05-01T10:00:00.123Z, as parse_timestamp reads it.
        try:
            when = _FROMISOFORMAT(timestamp)
        except ValueError:
            when = parse_timestamp(timestamp)
    else:
        when = parse_timestamp(timestamp)
    # _new_event(...) inlined: the slots stored here, without a call to __init__.
    event: Any = _NEW(_Unfrozen)
    event.event_sid = event_sid
    event.event_name = event_name
    event.event_type = event_type
    event.event_timestamp = when
    event.action_sid = action_sid
    event.action_custom_parameter = custom
    event.event_data = event_data
    event.leg_sid = leg_sid
    event.attempt = attempt
    event.raw = raw
    event.request_id = request_id
    event.__class__ = Event
    return event  # type: ignore[no-any-return]


def _decode(body: object) -> Mapping[str, Any]:
    """The read-only JSON object of a body; :class:`~exoml.EventError` if there is none."""
    if type(body) is bytes and body[:1] == b"{":
        # The usual event: UTF-8, no array, and fewer objects than MAX_DEPTH (so none
        # nested deeper), read into mappingproxies by the C scanner at once. Anything
        # unusual, errors among them, takes the general path below.
        try:
            text = body.decode("utf-8")
            if "[" not in text and text.count("{") < MAX_DEPTH:
                value, end = _SCAN_FROZEN(text, 0)
                if end == len(text) or not text[end:].strip(" \t\n\r"):
                    return value  # type: ignore[no-any-return]
        except Exception:  # told apart and worded by the general path below
            pass
    if isinstance(body, (bytes, bytearray, memoryview)):
        try:
            data = bytes(body)
            text = (data[3:] if data[:3] == b"\xef\xbb\xbf" else data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EventError(f"not an event: the body is not UTF-8 ({exc.reason})") from None
        raw = _loads(text)
    elif isinstance(body, str):
        raw = _loads(body)
    elif isinstance(body, Mapping):
        raw = _freeze(body, 0)
    else:
        raise EventError(
            f"not an event: expected bytes, str or a mapping, got {type(body).__name__}"
        )
    if type(raw) is not MappingProxyType and not isinstance(raw, Mapping):
        raise EventError(f"not an event: the body is a JSON {_json_type(raw)}, not an object")
    return raw


def _check(raw: Mapping[str, Any]) -> tuple[str, str]:
    """Everything that makes a decoded object not an event; its sid and name if it is one.

    The receiver calls it before answering (a refused body gets its 400 then); what is
    left to :func:`_build` cannot fail.
    """
    # Plain lookups for the common case, the helpers (which word the error) for the rest.
    event_sid = raw.get("event_sid")
    if not (
        type(event_sid) is str
        and 0 < len(event_sid) <= 256
        and event_sid.isprintable()
        and not event_sid.isspace()
    ):
        event_sid = _required(raw, "event_sid")
    event_name = raw.get("event_name")
    if not (
        type(event_name) is str
        and 0 < len(event_name) <= 256
        and event_name.isprintable()
        and not event_name.isspace()
    ):
        event_name = _required(raw, "event_name")
    value = raw.get("event_data")
    if value is not None and type(value) is not MappingProxyType:
        _object(raw, "event_data")
    value = raw.get("data")
    if value is not None and type(value) is not MappingProxyType:
        _object(raw, "data")
    value = raw.get("action_custom_parameter")
    if type(value) is not str:
        _custom_parameter(raw)  # null, absent (then the short name), or an error
    value = raw.get("event_type")
    if value is not None and type(value) is not str:
        _optional_str(raw, "event_type")
    value = raw.get("action_sid")
    if value is not None and type(value) is not str:
        _optional_str(raw, "action_sid")
    return event_sid, event_name


def _custom_parameter(raw: Mapping[str, Any]) -> str | None:
    """``action_custom_parameter``, or its short name ``action_custom_param`` when absent."""
    key = "action_custom_parameter" if "action_custom_parameter" in raw else "action_custom_param"
    custom = raw.get(key)
    if custom is None or type(custom) is str:
        return custom
    return _optional_str(raw, key)


def _build(
    raw: Mapping[str, Any], event_sid: str, event_name: str, request_id: str | None
) -> Event:
    """The :class:`Event` of an object that passed :func:`_check` (this cannot fail)."""
    event_data = raw.get("event_data")
    if event_data is None:
        event_data = _EMPTY
    data = raw.get("data")
    leg_sid = None if data is None else data.get("leg_sid")
    if type(leg_sid) is not str or not leg_sid:
        leg_sid = _nested_leg_sid(event_data)
    return _new_event(
        event_sid,
        event_name,
        raw.get("event_type"),
        parse_timestamp(raw.get("event_timestamp")),
        raw.get("action_sid"),
        custom
        if type(custom := raw.get("action_custom_parameter")) is str
        else _custom_parameter(raw),
        event_data,
        leg_sid,
        _attempt(request_id, event_sid) if request_id else None,
        raw,
        request_id,
    )


def _required(raw: Mapping[str, Any], key: str) -> str:
    """The field ``key`` as a string, or the EventError that says what is wrong with it."""
    if key not in raw or raw[key] is None:
        raise EventError(f"not an event: the body has no {key}")
    value = raw[key]
    if not isinstance(value, str):
        raise EventError(f"not an event: {key} is a JSON {_json_type(value)}, not a string")
    if not value.strip():
        raise EventError(f"not an event: {key} is empty")
    if len(value) > 256:
        raise EventError(f"not an event: {key} is {len(value)} characters long (at most 256)")
    if not value.isprintable():
        if _has_surrogate(value):
            raise EventError(f"not an event: {key} holds a lone surrogate (not UTF-8)")
        raise EventError(f"not an event: {key} holds control or unprintable characters")
    return value


def _optional_str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None or isinstance(value, str):
        return value
    raise EventError(f"not an event: {key} is a JSON {_json_type(value)}, not a string")


def _object(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if value is None:
        return _EMPTY
    if type(value) is MappingProxyType or isinstance(value, Mapping):
        return value
    raise EventError(f"not an event: {key} is a JSON {_json_type(value)}, not an object")


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _dig(mapping: Mapping[str, Any], *keys: str) -> Any:
    found: Any = mapping
    for key in keys:
        if type(found) is not MappingProxyType and not isinstance(found, Mapping):
            return None
        found = found.get(key)
    return found


def _header(headers: Headers, name: str) -> str | None:
    """The value of header ``name`` (lower case), case-insensitively; the first if repeated."""
    items: Iterable[tuple[str | bytes, str | bytes]]
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.encode("latin-1")
    for key, value in items:
        if key == wanted:  # ASGI's form: lower-case bytes
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
        k = key.decode("latin-1") if isinstance(key, bytes) else key
        if k.lower() == name:
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


_SMALL_ATTEMPTS = {str(n): n for n in range(1, 10)}


def _attempt(request_id: str | None, event_sid: str) -> int | None:
    """The attempt number in ``<event_sid>-<attempt>``; None when the header says otherwise."""
    if not request_id:
        return None
    # The usual header, "<event_sid>-1": what the general path below reads it as.
    cut = len(event_sid)
    if request_id[cut : cut + 1] == "-" and request_id[:cut] == event_sid:
        found = _SMALL_ATTEMPTS.get(request_id[cut + 1 :])
        if found is not None:
            return found
    prefix, sep, number = request_id.strip().rpartition("-")
    if not sep or not (number.isascii() and number.isdigit()):
        return None
    # HTTP trims a header value's surrounding white space: compare the sid trimmed too.
    if prefix != event_sid and prefix.strip() != event_sid.strip():
        return None
    if len(number) > 6:
        return None
    attempt = int(number)
    return attempt if attempt >= 1 else None


# --- timestamps ------------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?"
    r"\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))",
    re.ASCII,
)


# Python 3.11's fromisoformat reads a "Z" itself (3.10's does not).
_FROMISO_Z = sys.version_info >= (3, 11)
_FROMISOFORMAT = datetime.fromisoformat  # bound once: a classmethod binds on every lookup


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 timestamp with an offset (``2024-05-01T10:00:00.250Z``) as an aware datetime.

    None for anything else: no value, not a string, no offset (exoml does not guess the
    zone), or a date that does not exist.
    """
    if not isinstance(value, str) or len(value) > 64:
        return None
    if len(value) == 24 and value[23] == "Z" and value[10] == "T":
        # Exotel's own shape, 2024-05-01T10:00:00.123Z: the C parser.
        try:
            if _FROMISO_Z:
                return _FROMISOFORMAT(value)
            return datetime.fromisoformat(value[:23]).replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    match = _TIMESTAMP.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    try:
        if zulu:
            tz = timezone.utc
        else:
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            if offset >= timedelta(hours=24):
                return None
            tz = timezone(-offset if sign == "-" else offset)
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError:
        return None


# --- JSON ------------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise EventError(f"not an event: the body holds {name}, which JSON does not allow")


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise EventError(f"not an event: the number {text[:20]}... is out of range")
    return value


def _parse_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise EventError(f"not an event: a number has more than {MAX_INT_DIGITS} digits")
    return int(text)


def _freeze_object(obj: dict[str, Any]) -> Mapping[str, Any]:
    """A freshly decoded JSON object made read-only in place: objects as mappingproxy,
    arrays as tuples."""
    for key, value in obj.items():
        kind = type(value)
        if kind is dict:
            obj[key] = _freeze_object(value)
        elif kind is list:
            obj[key] = _freeze_array(value)
    return MappingProxyType(obj)


def _freeze_array(items: list[Any]) -> tuple[Any, ...]:
    return tuple(
        _freeze_object(v) if type(v) is dict else _freeze_array(v) if type(v) is list else v
        for v in items
    )


_DECODER = json.JSONDecoder(
    parse_float=_parse_float,
    parse_int=_parse_int,
    parse_constant=_refuse_constant,
)


# A body without arrays comes out of this one read-only already: the C scanner calls
# MappingProxyType on each object itself, with no Python frame in between.
_FROZEN_DECODER = json.JSONDecoder(
    object_hook=MappingProxyType,
    parse_float=_parse_float,
    parse_int=_parse_int,
    parse_constant=_refuse_constant,
)
# JSONDecoder sets them in __init__ (the C scanner); typeshed does not declare them.
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
_SCAN_FROZEN: Callable[[str, int], tuple[Any, int]] = _FROZEN_DECODER.scan_once  # type: ignore[attr-defined]


def _loads(text: str) -> Any:
    """Decode and freeze a JSON text; objects nested deeper than MAX_DEPTH are refused."""
    # No array, and fewer objects than MAX_DEPTH (so none nested deeper): frozen as read.
    frozen = text[:1] == "{" and "[" not in text and text.count("{") < MAX_DEPTH
    try:
        if text[:1] == "{":
            # The decoder's C scanner straight away (what JSONDecoder.decode does around
            # it: skip white space, scan, refuse anything but white space after).
            try:
                value, end = (_SCAN_FROZEN if frozen else _SCAN)(text, 0)
            except StopIteration as stop:
                raise json.JSONDecodeError("Expecting value", text, stop.value) from None
            if end != len(text) and text[end:].strip(" \t\n\r"):
                raise json.JSONDecodeError("Extra data", text, end)
        else:
            value = _DECODER.decode(text)
    except EventError:
        raise
    except json.JSONDecodeError as exc:
        raise EventError(
            f"not an event: the body is not JSON ({exc.msg} at {exc.lineno}:{exc.colno})"
        ) from None
    except RecursionError:
        raise EventError("not an event: the body is nested too deeply") from None
    except (ValueError, OverflowError, MemoryError) as exc:
        raise EventError(f"not an event: the body is not JSON ({exc})") from None
    if frozen or type(value) is not dict:
        return value  # read-only already, or not an event whatever it holds
    # Fewer than MAX_DEPTH brackets cannot nest deeper: only then is the walk needed.
    if text.count("{") + text.count("[") > MAX_DEPTH:
        _check_depth(value, 0)
    return _freeze_object(value)


def _check_depth(value: Any, depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise EventError(f"not an event: the body is nested deeper than {MAX_DEPTH} levels")
    if type(value) is dict:
        for item in value.values():
            if type(item) is dict or type(item) is list:
                _check_depth(item, depth + 1)
    elif type(value) is list:
        for item in value:
            if type(item) is dict or type(item) is list:
                _check_depth(item, depth + 1)


def _freeze(value: Any, depth: int) -> Any:
    """A read-only copy of a JSON value (objects as mappingproxy, arrays as tuples).

    Checks what a parsed mapping handed in by a caller may hold: JSON types only, finite
    numbers, string keys, at most :data:`MAX_DEPTH` levels.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, (str, int)):  # subclasses, bool among them
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EventError("not an event: the body holds NaN or an infinite number")
        return value
    if depth >= MAX_DEPTH:
        raise EventError(f"not an event: the body is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, Mapping):
        frozen = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EventError(f"not an event: an object has a key of type {type(key).__name__}")
            frozen[key] = _freeze(item, depth + 1)
        return MappingProxyType(frozen)
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item, depth + 1) for item in value)
    raise EventError(f"not an event: the body holds a {type(value).__name__}, not a JSON value")


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (tuple, list)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    if value is None:
        return "null"
    return type(value).__name__


def _nested_leg_sid(event_data: Mapping[str, Any]) -> str | None:
    """The leg's sid where ``data`` does not give it: ``event_data.data.leg_sid``, then
    ``event_data.leg_sid`` (a non-empty string, or None)."""
    for found in (_dig(event_data, "data", "leg_sid"), event_data.get("leg_sid")):
        if isinstance(found, str) and found:
            return found
    return None
