"""The fake's telephone exchange: legs that ring and answer, actions that play, bridges.

Written from Exotel's contract (:file:`EXOML-SOURCES.md`: "Leg events", "Legs and bridges
(REST)"), not from exoml's client. Which events a verb emits comes from the catalogue
(:attr:`VerbSpec.events`); how long things take comes from the fake's settings and its
clock, so that a test can make every duration zero, or hold time still with a
:class:`ManualClock` and move it by hand.
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import urlsplit

from ._delivery import Deliverer, Delivery

__all__ = ["CallError", "Exchange", "ManualClock"]

logger = logging.getLogger("exoml.testing.fake_api")

State = Literal["connecting", "ringing", "in-progress", "terminal"]
Reason = Literal["busy", "no-answer", "failed", "canceled"]


class CallError(Exception):
    """A request the exchange refuses: ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ManualClock:
    """A clock for :class:`~exoml.testing.FakeLegsAPI` that moves only when told to.

    Ringing, playback, speech, gather time-outs and time limits elapse on the fake's
    clock. With a ``ManualClock`` they elapse only in :meth:`advance`, which runs
    whatever fell due, in order, before it returns: a test decides exactly when a
    prompt ends or a gather times out, whatever the machine's speed.

    >>> from exoml.testing import FakeLegsAPI, ManualClock
    >>> clock = ManualClock()
    >>> with FakeLegsAPI(clock=clock, ring_seconds=2.0) as api:
    ...     clock.advance(2.0)
    >>> clock.now()
    2.0
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        """The clock's time, in seconds."""
        return self._now

    def __call__(self) -> float:
        """The clock's time: a ManualClock also serves where a ``time.monotonic`` would."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds`` and run everything that fell due."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds!r})")
        with self._lock:
            self._now += seconds
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def _subscribe(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def _unsubscribe(self, listener: Callable[[], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)


class _Timer:
    __slots__ = ("cancelled", "due", "fn")

    def __init__(self, due: float, fn: Callable[[], None]) -> None:
        self.due = due
        self.fn = fn
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class _Scheduler:
    """Runs callbacks when they fall due, on the real clock (a thread) or a ManualClock."""

    def __init__(self, clock: ManualClock | None) -> None:
        self._clock = clock
        self._heap: list[tuple[float, int, _Timer]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._running = threading.Lock()  # one runner of due callbacks at a time
        self._thread: threading.Thread | None = None
        if clock is not None:
            clock._subscribe(self.run_due)

    def now(self) -> float:
        return self._clock.now() if self._clock is not None else time.monotonic()

    def call_later(self, delay: float, fn: Callable[[], None]) -> _Timer:
        timer = _Timer(self.now() + max(0.0, delay), fn)
        with self._cond:
            if self._closed:
                return timer
            heapq.heappush(self._heap, (timer.due, next(self._seq), timer))
            if self._clock is None and self._thread is None:
                # The real clock's runner starts with the first timer, not before.
                self._thread = threading.Thread(target=self._loop, name="fake-clock", daemon=True)
                self._thread.start()
            self._cond.notify()
        return timer

    def run_due(self) -> None:
        with self._running:
            while True:
                with self._cond:
                    if not self._heap or self._heap[0][0] > self.now() or self._closed:
                        return
                    _, _, timer = heapq.heappop(self._heap)
                if not timer.cancelled:
                    try:
                        timer.fn()
                    except Exception:  # a bug in the exchange must not stop the clock
                        logger.exception("fake exchange: a scheduled step failed")

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                wait = None if not self._heap else self._heap[0][0] - time.monotonic()
                if wait is None or wait > 0:
                    self._cond.wait(wait)
                    continue
            self.run_due()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._cond.notify_all()
        if self._clock is not None:
            self._clock._unsubscribe(self.run_due)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)


# -- the parties: legs and bridges --------------------------------------------------------


@dataclass
class _Verb:
    element: str
    attrs: dict[str, str]
    text: str
    children: list[_Verb] = field(default_factory=list)


@dataclass
class _Action:
    sid: str
    custom_param: str | None


@dataclass
class _Activity:
    """What a leg or bridge is busy with: playing, speaking, gathering, dialling."""

    kind: Literal["play", "say", "gather", "dial"]
    element: str
    action: _Action | None
    timer: _Timer | None = None
    digits: str = ""
    num_digits: int | None = None
    finish_on_key: str | None = None
    second_leg: str | None = None
    bridge_sid: str | None = None
    absorb_dtmf: bool = False


@dataclass
class _Party:
    sid: str
    account_sid: str
    endpoint: str | None
    created: datetime
    updated: datetime
    activity: _Activity | None = None
    pending: deque[tuple[_Verb, _Action | None]] = field(default_factory=deque)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Leg(_Party):
    contact_uri: str = ""
    exophone: str = ""
    network_type: str = "pstn"
    custom_param: str | None = None
    time_limit: int = 14400
    ring_timeout: int = 30
    amd: bool = False
    direction: str = "outbound"
    state: State = "connecting"
    terminal_status: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    bridge_sid: str | None = None
    type_ahead: str = ""
    timers: list[_Timer] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    dialled_by: str | None = None  # the leg whose Dial created this one


@dataclass
class _Bridge(_Party):
    legs: list[str] = field(default_factory=list)
    absorb_dtmf: bool = False
    state: Literal["in-progress", "terminal"] = "in-progress"
    dial_leg: str | None = None  # the leg whose Dial made this bridge


def _iso(moment: datetime) -> str:
    """ISO 8601 with milliseconds and a Z, as Exotel writes timestamps."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _sid() -> str:
    return uuid.uuid4().hex


# -- which events a verb emits: read from the catalogue -----------------------------------

_STARTS = ("_initiated", "_started")
_ENDS = ("_completed", "_success", "_available")


def _verb_events(element: str) -> tuple[str, ...]:
    from .._catalogue import VERBS

    for spec in VERBS:
        if spec.element == element or element in spec.aliases:
            return spec.events
    return ()


def _event_types() -> dict[str, str]:
    from .._catalogue import EVENTS

    # The first event type a source shows for the name.
    return {spec.name: spec.types[0] for spec in EVENTS if spec.types}


# Verbs the exchange plays out over time, and what each interrupts when it arrives in a
# new action: a new prompt replaces the current one, StopPlay stops playback only.
_MEDIA = {"StartPlay": "play", "Say": "say", "StartSay": "say", "Gather": "gather", "Dial": "dial"}
_INTERRUPTS: dict[str, frozenset[str]] = {
    "StartPlay": frozenset({"play", "say", "gather"}),
    "Say": frozenset({"play", "say", "gather"}),
    "StartSay": frozenset({"play", "say", "gather"}),
    "Gather": frozenset({"play", "say", "gather"}),
    "Hold": frozenset({"play", "say", "gather"}),
    "Dial": frozenset({"play", "say", "gather"}),
    "JoinBridge": frozenset({"play", "say", "gather"}),
    "Hangup": frozenset({"play", "say", "gather", "dial"}),
    "StopPlay": frozenset({"play"}),
    "StopSay": frozenset({"say"}),
}


class Exchange:
    """The calls a :class:`~exoml.testing.FakeLegsAPI` is running, and their events."""

    def __init__(
        self,
        *,
        account_sid: str,
        clock: ManualClock | None,
        auto_answer: bool,
        ring_seconds: float,
        media_seconds: float,
        gather_timeout: float,
        deliverer: Deliverer,
        deliver_anywhere: bool = False,
    ) -> None:
        self.account_sid = account_sid
        self.auto_answer = auto_answer
        self.ring_seconds = ring_seconds
        self.media_seconds = media_seconds
        self.gather_timeout = gather_timeout
        self._deliverer = deliverer
        self.deliver_anywhere = deliver_anywhere
        self._scheduler = _Scheduler(clock)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._legs: dict[str, _Leg] = {}
        self._bridges: dict[str, _Bridge] = {}
        self._types = _event_types()
        self._emitted: list[dict[str, Any]] = []

    def close(self) -> None:
        self._scheduler.close()

    # -- reading ---------------------------------------------------------------------

    def knows_leg(self, leg_sid: str) -> bool:
        with self._lock:
            return leg_sid in self._legs

    def leg_answer(self, leg_sid: str, fields: Iterable[str] = ()) -> dict[str, Any]:
        """The get-leg answer ``data`` of a leg (404 CallError when unknown)."""
        with self._lock:
            leg = self._leg(leg_sid)
            data = self._leg_snapshot(leg)
            data.update(
                caller_id=leg.exophone,
                direction=leg.direction,
                network_type=leg.network_type,
                time_limit=leg.time_limit,
                terminal_status=leg.terminal_status,
                on_call_duration_ms=self._duration_ms(leg),
            )
            info = {name: self._status(leg, name) for name in fields}
            if info:
                data["additional_info"] = info
            return data

    def leg_external_events(self, leg_sid: str, event_name: str | None) -> dict[str, Any]:
        with self._lock:
            leg = self._leg(leg_sid)
            listed = [
                {
                    "endpoint_response": record["endpoint_response"],
                    "error": record["error"],
                    "date_created": record["date_created"],
                    "date_updated": record["date_updated"],
                    "event_info": json.loads(json.dumps(record["event_info"])),
                }
                for record in leg.events
                if event_name is None or record["event_info"]["event_name"] == event_name
            ]
            return {
                "sid": leg.sid,
                "event_type": "leg_external_events",
                "account_sid": leg.account_sid,
                "external_events": listed,
            }

    def bridge_answer(self, bridge_sid: str) -> dict[str, Any]:
        with self._lock:
            bridge = self._bridge(bridge_sid)
            return self._bridge_snapshot(bridge)

    def emitted(self, leg_sid: str | None = None, bridge_sid: str | None = None) -> list[Any]:
        """Every event body generated, in order (of one leg or bridge when given)."""
        with self._lock:
            events = list(self._emitted)
        if leg_sid is not None:
            events = [e for e in events if e["data"].get("leg_sid") == leg_sid]
        if bridge_sid is not None:
            events = [e for e in events if _bridge_of(e) == bridge_sid]
        return json.loads(json.dumps(events))  # type: ignore[no-any-return]

    def wait_for(
        self, leg_sid: str | None, event_name: str, timeout: float, bridge_sid: str | None = None
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self._emitted:
                    if event["event_name"] != event_name:
                        continue
                    if leg_sid is not None and event["data"].get("leg_sid") != leg_sid:
                        continue
                    if bridge_sid is not None and _bridge_of(event) != bridge_sid:
                        continue
                    found: dict[str, Any] = json.loads(json.dumps(event))
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    where = f" on {leg_sid or bridge_sid}" if (leg_sid or bridge_sid) else ""
                    raise TimeoutError(f"no {event_name} event{where} within {timeout:g} s")
                self._changed.wait(left)

    # -- legs ------------------------------------------------------------------------

    def create_leg(self, options: dict[str, Any]) -> dict[str, Any]:
        """Create an outbound leg from a validated create-leg body; the 202 ``data``."""
        now = _now()
        leg = _Leg(
            sid=_sid(),
            account_sid=self.account_sid,
            endpoint=options["leg_event_endpoint"],
            created=now,
            updated=now,
            contact_uri=options["contact_uri"],
            exophone=options["exophone"],
            network_type=options.get("network_type", "pstn"),
            custom_param=options.get("custom_param"),
            time_limit=options.get("time_limit", 14400),
            ring_timeout=options.get("ring_timeout", 30),
            amd=bool(options.get("amd_enable", False)),
        )
        with self._lock:
            self._legs[leg.sid] = leg
            self._ring(leg)
        return {
            "leg_sid": leg.sid,
            "created_at": _iso(now),
            "account_sid": leg.account_sid,
            "contact_uri": leg.contact_uri,
            "network_type": leg.network_type,
            "exophone": leg.exophone,
        }

    def add_answered_leg(self, leg_sid: str, endpoint: str | None) -> None:
        """A leg that is already up (an incoming call); its events go to ``endpoint``."""
        now = _now()
        with self._lock:
            known = self._legs.get(leg_sid)
            if known is not None and known.state != "terminal":
                known.endpoint = endpoint or known.endpoint
                return
            self._legs[leg_sid] = _Leg(
                sid=leg_sid,
                account_sid=self.account_sid,
                endpoint=endpoint,
                created=now,
                updated=now,
                state="in-progress",
                direction="inbound",
                start_time=now,
                answered_at=self._scheduler.now(),
            )

    def end_quietly(self, leg_sid: str) -> None:
        """End a leg the test removed, as a hang-up would."""
        with self._lock:
            leg = self._legs.get(leg_sid)
            if leg is not None and leg.state != "terminal":
                self._hang_up_leg(leg)

    def _ring(self, leg: _Leg) -> None:
        self._emit(leg, "leg_connecting")
        leg.state = "ringing"
        self._emit(leg, "leg_ringing")
        if self.auto_answer:
            self._after(leg, self.ring_seconds, lambda: self._answer(leg))
        else:
            self._after(leg, leg.ring_timeout, lambda: self._reject(leg, "no-answer"))

    def answer(self, leg_sid: str) -> None:
        with self._lock:
            leg = self._leg(leg_sid)
            if leg.state != "ringing":
                raise RuntimeError(f"leg {leg_sid} is {leg.state}, not ringing: cannot answer")
            self._answer(leg)

    def reject(self, leg_sid: str, reason: Reason) -> None:
        with self._lock:
            leg = self._leg(leg_sid)
            if leg.state not in ("connecting", "ringing"):
                raise RuntimeError(f"leg {leg_sid} is {leg.state}: only a ringing leg is rejected")
            self._reject(leg, reason)

    def hang_up(self, leg_sid: str) -> None:
        with self._lock:
            leg = self._leg(leg_sid)
            if leg.state == "terminal":
                raise RuntimeError(f"leg {leg_sid} has already ended")
            if leg.state != "in-progress":
                self._reject(leg, "canceled")
            else:
                self._terminate(leg, "completed", None)

    def press(self, leg_sid: str, digits: str) -> None:
        with self._lock:
            leg = self._leg(leg_sid)
            if leg.state != "in-progress":
                raise RuntimeError(f"leg {leg_sid} is {leg.state}: nobody is there to press keys")
            for key in digits:
                self._key(leg, key)

    def _answer(self, leg: _Leg) -> None:
        if leg.state != "ringing":
            return
        self._cancel_timers(leg)
        leg.state = "in-progress"
        leg.start_time = leg.updated = _now()
        leg.answered_at = self._scheduler.now()
        self._emit(leg, "leg_answered")
        if leg.amd:
            self._emit(leg, "amd_result_success", data={"result": "human"})
        self._after(leg, leg.time_limit, lambda: self._terminate(leg, "completed", None))
        if leg.dialled_by is not None:
            self._dial_answered(leg)

    def _reject(self, leg: _Leg, reason: Reason) -> None:
        if leg.state not in ("connecting", "ringing"):
            return
        self._cancel_timers(leg)
        leg.state = "terminal"
        leg.terminal_status = reason
        leg.end_time = leg.updated = _now()
        leg.ended_at = self._scheduler.now()
        if reason == "failed":
            self._emit(
                leg,
                "leg_failed_to_create",
                data={"error": {"code": "failed", "message": "the call could not be placed"}},
            )
        else:
            self._emit(leg, "leg_terminated", data={"terminal_status": reason})
        if leg.dialled_by is not None:
            self._dial_failed(leg, reason)

    def _terminate(self, leg: _Leg, status: str, action: _Action | None) -> None:
        if leg.state == "terminal":
            return
        # Terminal first, so that what the hang-up sets off (a dialled leg hung up, a
        # bridge ended) cannot end this leg a second time.
        leg.state = "terminal"
        leg.terminal_status = status
        leg.end_time = leg.updated = _now()
        leg.ended_at = self._scheduler.now()
        leg.type_ahead = ""
        self._cancel_timers(leg)
        self._interrupt(leg, frozenset({"play", "say", "gather", "dial"}))
        leg.pending.clear()
        if leg.bridge_sid is not None:
            bridge = self._bridges.get(leg.bridge_sid)
            if bridge is not None:
                self._leave_bridge(bridge, leg, None)
        self._emit(leg, "leg_terminated", action=action, data={"terminal_status": status})

    # -- actions -----------------------------------------------------------------------

    def check_leg_action(self, leg_sid: str, verbs: list[_Verb]) -> None:
        """Raise CallError when a leg cannot take these verbs now."""
        with self._lock:
            leg = self._legs.get(leg_sid)
            if leg is None:
                return
            if leg.state == "terminal":
                raise CallError(404, f"leg {leg_sid} has ended")
            for verb in verbs:
                if verb.element == "JoinBridge":
                    bridge = self._bridges.get(verb.attrs.get("bridgeSid", ""))
                    if bridge is None or bridge.state == "terminal":
                        raise CallError(400, f"no bridge {verb.attrs.get('bridgeSid')!r} to join")
                if verb.element == "Dial" and leg.state != "in-progress":
                    raise CallError(400, f"leg {leg_sid} is {leg.state}: it cannot dial")

    def leg_action(self, leg_sid: str, verbs: list[_Verb], custom_param: str | None) -> str | None:
        """Run an accepted action on a simulated leg; its action sid (None: not simulated)."""
        with self._lock:
            leg = self._legs.get(leg_sid)
            if leg is None:
                return None
            action = _Action(_sid(), custom_param)
            self._act(leg, verbs, action)
            return action.sid

    def bridge_action(self, bridge_sid: str, verbs: list[_Verb], custom_param: str | None) -> str:
        """Run an accepted action on a bridge; its action sid."""
        with self._lock:
            bridge = self._bridge(bridge_sid)
            if bridge.state == "terminal":
                raise CallError(404, f"bridge {bridge_sid} has ended")
            action = _Action(_sid(), custom_param)
            self._act(bridge, verbs, action)
            return action.sid

    def _act(self, party: _Party, verbs: list[_Verb], action: _Action) -> None:
        stops: frozenset[str] = frozenset()
        for verb in verbs:
            stops = stops | _INTERRUPTS.get(verb.element, frozenset())
        current = party.activity
        if current is not None and current.kind in stops:
            self._interrupt(party, stops)
            party.pending.clear()
        if party.activity is None:
            party.pending.clear()
            party.pending.extend((verb, action) for verb in verbs)
            self._run(party)
        else:
            # Nothing here replaces what is playing: these verbs take effect at once.
            for verb in verbs:
                self._verb(party, verb, action)

    def _run(self, party: _Party) -> None:
        """Start pending verbs until one of them takes time (or none are left)."""
        while party.pending and party.activity is None:
            if isinstance(party, _Leg) and party.state == "terminal":
                party.pending.clear()
                return
            verb, action = party.pending.popleft()
            self._verb(party, verb, action)

    def _verb(self, party: _Party, verb: _Verb, action: _Action | None) -> None:
        element = verb.element
        events = _verb_events(element)
        if element in _MEDIA:
            self._start_media(party, verb, action, events)
            return
        leg = party if isinstance(party, _Leg) else None
        if element == "Hangup" and leg is not None:
            self._terminate(leg, "completed", action)
            return
        if element == "Answer":
            if leg is not None and leg.state == "ringing":
                self._answer(leg)
            return
        if element == "Refer":
            endpoint = verb.attrs.get("legEventEndpoint") or verb.attrs.get("bridgeEventEndpoint")
            if endpoint:
                party.endpoint = endpoint
            return
        if element == "JoinBridge" and leg is not None:
            bridge = self._bridges.get(verb.attrs.get("bridgeSid", ""))
            if bridge is not None and bridge.state != "terminal":
                if leg.bridge_sid is not None and leg.bridge_sid != bridge.sid:
                    old = self._bridges.get(leg.bridge_sid)
                    if old is not None:
                        self._leave_bridge(old, leg, action)
                if leg.sid not in bridge.legs:
                    self._join_bridge(bridge, leg, action)
            return
        if element == "LeaveBridge" and leg is not None:
            if leg.bridge_sid is not None:
                bridge = self._bridges.get(leg.bridge_sid)
                if bridge is not None:
                    self._leave_bridge(bridge, leg, action)
            return
        data = self._instant_data(party, verb)
        for name in events:
            if not name.endswith(("_interrupted", "_failed_to_start", "_failed")):
                self._emit(party, name, action=action, data=data)

    def _instant_data(self, party: _Party, verb: _Verb) -> dict[str, Any]:
        element = verb.element
        if element in ("Mute", "UnMute"):
            party_status = getattr(party, "status", {})
            party_status["tx_audio_status" if element == "Mute" else "rx_audio_status"] = (
                "muted" if element == "Mute" else "unmuted"
            )
            return {"direction": verb.attrs.get("direction", "both")}
        if element in ("Hold", "UnHold"):
            getattr(party, "status", {})["hold_status"] = "on-hold" if element == "Hold" else "off"
            return {}
        if element == "StartRecording":
            getattr(party, "status", {})["recording_status"] = "in-progress"
            return {"recording_sid": _sid()}
        if element == "StopRecording":
            getattr(party, "status", {})["recording_status"] = "completed"
            recording = _sid()
            return {
                "status": "completed",
                "recording_sid": recording,
                "url": f"https://recordings.example.invalid/{recording}.wav",
            }
        if element == "StartStream":
            return {
                "stream_sid": _sid(),
                "stream_type": verb.attrs.get("streamType", "unidirectional"),
                "stream_url": verb.attrs.get("url") or verb.attrs.get("streamUrl"),
                "streaming_leg_sid": party.sid,
            }
        return {}

    def _start_media(
        self, party: _Party, verb: _Verb, action: _Action | None, events: tuple[str, ...]
    ) -> None:
        kind = _MEDIA[verb.element]
        activity = _Activity(kind, verb.element, action)  # type: ignore[arg-type]
        party.activity = activity
        if kind == "dial":
            self._dial(party, verb, activity)
            return
        for name in events:
            if name.endswith(_STARTS):
                self._emit(party, name, action=action)
        if kind == "gather":
            activity.num_digits = _int(verb.attrs.get("numDigits"))
            activity.finish_on_key = verb.attrs.get("finishOnKey", "#")
            timeout = _int(verb.attrs.get("timeoutInSec"))
            seconds = float(timeout) if timeout is not None else self.gather_timeout
            activity.timer = self._scheduler.call_later(
                seconds, lambda: self._locked(lambda: self._gather_done(party, activity, "timeout"))
            )
            # Keys pressed before the Gather started (a caller typing ahead) count first.
            if isinstance(party, _Leg) and party.type_ahead:
                keys, party.type_ahead = party.type_ahead, ""
                for key in keys:
                    if party.activity is activity:
                        self._key(party, key)
                    else:
                        party.type_ahead += key
            return
        loops = _int(verb.attrs.get("loop"))
        if loops is None:
            # The catalogue's documented default (StartPlay: 0, i.e. until stopped).
            loops = _int(_default(verb.element, "loop")) if verb.element == "StartPlay" else 1
        if not loops:
            return  # until stopped, interrupted or hung up
        seconds = self.media_seconds * loops
        if seconds <= 0:
            self._media_done(party, activity)
            return
        activity.timer = self._scheduler.call_later(
            seconds, lambda: self._locked(lambda: self._media_done(party, activity))
        )

    def _media_done(self, party: _Party, activity: _Activity) -> None:
        if party.activity is not activity:
            return
        party.activity = None
        for name in _verb_events(activity.element):
            if name.endswith(_ENDS):
                self._emit(party, name, action=activity.action)
        self._run(party)

    def _key(self, leg: _Leg, key: str) -> None:
        activity = leg.activity
        if activity is None or activity.kind != "gather":
            leg.type_ahead += key  # kept for the next Gather, as a caller typing ahead
            return
        if key == activity.finish_on_key:
            self._gather_done(leg, activity, "finish_key")
            return
        activity.digits += key
        if activity.num_digits is not None and len(activity.digits) >= activity.num_digits:
            self._gather_done(leg, activity, "num_digits")

    def _gather_done(self, party: _Party, activity: _Activity, reason: str) -> None:
        if party.activity is not activity:
            return
        if activity.timer is not None:
            activity.timer.cancel()
        party.activity = None
        data = {"digits": activity.digits, "finish_reason": reason}
        for name in _verb_events(activity.element):
            if name.endswith(_ENDS):
                self._emit(party, name, action=activity.action, data=data)
        self._run(party)

    def _interrupt(self, party: _Party, kinds: frozenset[str]) -> None:
        activity = party.activity
        if activity is None or activity.kind not in kinds:
            return
        if activity.timer is not None:
            activity.timer.cancel()
        party.activity = None
        if activity.kind == "dial":
            second = self._legs.get(activity.second_leg or "")
            if second is not None and second.state != "terminal":
                self._hang_up_leg(second)
            return
        for name in _verb_events(activity.element):
            if name.endswith("_interrupted"):
                self._emit(party, name, action=activity.action)

    def _hang_up_leg(self, leg: _Leg) -> None:
        if leg.state == "in-progress":
            self._terminate(leg, "completed", None)
        else:
            self._reject(leg, "canceled")

    # -- Dial: a second leg, bridged with the first -------------------------------------

    def _dial(self, party: _Party, verb: _Verb, activity: _Activity) -> None:
        if not isinstance(party, _Leg):
            party.activity = None
            return
        now = _now()
        second = _Leg(
            sid=_sid(),
            account_sid=self.account_sid,
            endpoint=party.endpoint,
            created=now,
            updated=now,
            contact_uri=verb.attrs.get("contactUri", ""),
            exophone=verb.attrs.get("exophone", party.exophone),
            network_type=verb.attrs.get("networkType", "pstn"),
            custom_param=party.custom_param,
            dialled_by=party.sid,
        )
        activity.second_leg = second.sid
        activity.bridge_sid = _sid()  # the bridge the Dial makes once the second leg answers
        activity.absorb_dtmf = verb.attrs.get("absorbDtmf") == "true"
        self._legs[second.sid] = second
        self._emit(
            party,
            "dial_initiated",
            action=activity.action,
            data={"bridge_sid": activity.bridge_sid, "second_leg_sid": second.sid},
        )
        self._ring(second)

    def _dial_answered(self, second: _Leg) -> None:
        first = self._legs.get(second.dialled_by or "")
        activity = first.activity if first is not None else None
        if first is None or activity is None or activity.second_leg != second.sid:
            return
        now = _now()
        bridge = _Bridge(
            sid=activity.bridge_sid or _sid(),
            account_sid=self.account_sid,
            endpoint=first.endpoint,
            created=now,
            updated=now,
            absorb_dtmf=activity.absorb_dtmf,
            dial_leg=first.sid,
        )
        self._bridges[bridge.sid] = bridge
        self._emit(bridge, "bridge_created")
        for leg in (first, second):
            self._join_bridge(bridge, leg, None)
        self._emit(
            first,
            "dial_success",
            action=activity.action,
            data={"bridge_sid": bridge.sid, "second_leg_sid": second.sid},
        )

    def _dial_failed(self, second: _Leg, reason: str) -> None:
        first = self._legs.get(second.dialled_by or "")
        if first is None or first.activity is None or first.activity.second_leg != second.sid:
            return
        activity = first.activity
        first.activity = None
        self._emit(
            first,
            "dial_completed",
            action=activity.action,
            data={"second_leg_sid": second.sid, "status": reason},
        )
        self._run(first)

    def _dial_ended(self, bridge: _Bridge) -> None:
        first = self._legs.get(bridge.dial_leg or "")
        if first is None or first.activity is None or first.activity.kind != "dial":
            return
        activity = first.activity
        first.activity = None
        self._emit(
            first,
            "dial_completed",
            action=activity.action,
            data={"bridge_sid": bridge.sid, "second_leg_sid": activity.second_leg},
        )
        second = self._legs.get(activity.second_leg or "")
        if second is not None and second.state == "in-progress":
            self._terminate(second, "completed", None)
        self._run(first)

    # -- bridges -----------------------------------------------------------------------

    def create_bridge(
        self, leg_sids: list[str], endpoint: str, absorb_dtmf: bool
    ) -> dict[str, Any]:
        with self._lock:
            for sid in leg_sids:
                leg = self._legs.get(sid)
                if leg is None:
                    raise CallError(404, f"leg not found: {sid!r}")
                if leg.state != "in-progress":
                    raise CallError(
                        400, f"leg {sid} is {leg.state}: only answered legs are bridged"
                    )
                if leg.bridge_sid is not None:
                    raise CallError(400, f"leg {sid} is already in bridge {leg.bridge_sid}")
            now = _now()
            bridge = _Bridge(
                sid=_sid(),
                account_sid=self.account_sid,
                endpoint=endpoint,
                created=now,
                updated=now,
                absorb_dtmf=absorb_dtmf,
            )
            self._bridges[bridge.sid] = bridge
            self._emit(bridge, "bridge_created")
            for sid in leg_sids:
                self._join_bridge(bridge, self._legs[sid], None)
            return {
                "bridge_sid": bridge.sid,
                "created_at": _iso(now),
                "account_sid": bridge.account_sid,
                "leg_sids": list(leg_sids),
                "bridge_event_endpoint": endpoint,
            }

    def stop_bridge(self, bridge_sid: str) -> None:
        with self._lock:
            bridge = self._bridge(bridge_sid)
            if bridge.state == "terminal":
                self._emit(
                    bridge,
                    "bridge_failed_to_stop",
                    data={"error": {"code": "bridge_ended", "message": "the bridge has ended"}},
                )
                return
            self._end_bridge(bridge)

    def _join_bridge(self, bridge: _Bridge, leg: _Leg, action: _Action | None) -> None:
        self._interrupt(leg, frozenset({"play", "say", "gather"}))
        bridge.legs.append(leg.sid)
        leg.bridge_sid = bridge.sid
        leg.status["bridge_status"] = "in-bridge"
        bridge.updated = leg.updated = _now()
        if action is not None:
            # The leg asked to join (JoinBridge): its own endpoint hears of it too.
            self._emit(leg, "leg_joined_bridge", action=action, bridge_sid=bridge.sid)
        self._emit(bridge, "leg_joined_bridge", about=leg, bridge_sid=bridge.sid)

    def _leave_bridge(self, bridge: _Bridge, leg: _Leg, action: _Action | None) -> None:
        if leg.sid not in bridge.legs:
            return
        bridge.legs.remove(leg.sid)
        leg.bridge_sid = None
        leg.status["bridge_status"] = "not-in-bridge"
        bridge.updated = leg.updated = _now()
        if action is not None:
            self._emit(leg, "leg_left_bridge", action=action, bridge_sid=bridge.sid)
        self._emit(bridge, "leg_left_bridge", about=leg, bridge_sid=bridge.sid)
        if len(bridge.legs) < 2 and bridge.state != "terminal":
            # A conversation needs two: the bridge ends when one party is left.
            self._end_bridge(bridge)

    def _end_bridge(self, bridge: _Bridge) -> None:
        bridge.state = "terminal"
        self._interrupt(bridge, frozenset({"play", "say"}))
        bridge.pending.clear()
        for sid in list(bridge.legs):
            self._leave_bridge(bridge, self._legs[sid], None)
        bridge.updated = _now()
        self._emit(bridge, "bridge_terminal")
        if bridge.dial_leg is not None:
            self._dial_ended(bridge)

    # -- events ------------------------------------------------------------------------

    def _emit(
        self,
        party: _Party,
        name: str,
        *,
        action: _Action | None = None,
        data: dict[str, Any] | None = None,
        about: _Leg | None = None,
        bridge_sid: str | None = None,
    ) -> None:
        """Generate one event of ``party`` and queue it for its event endpoint."""
        now = _now()
        event_data: dict[str, Any] = {"data": dict(data or {})}
        if bridge_sid is not None:
            event_data["bridge_sid"] = bridge_sid
            event_data["data"]["bridge_sid"] = bridge_sid
        subject = about if about is not None else party
        if isinstance(subject, _Leg):
            snapshot = self._leg_snapshot(subject)
            custom = action.custom_param if action is not None else subject.custom_param
        else:
            assert isinstance(subject, _Bridge)
            snapshot = self._bridge_snapshot(subject)
            custom = action.custom_param if action is not None else None
        event_type = self._types.get(name)
        if event_type is None:
            event_type = "leg_action_event" if action is not None else "leg_lifecycle_event"
        event_sid = _sid()
        body: dict[str, Any] = {
            "event_sid": event_sid,
            "event_type": event_type,
            "event_name": name,
            "event_timestamp": _iso(now),
            "action_sid": action.sid if action is not None else None,
            "action_custom_parameter": custom,
            "event_data": event_data,
            "data": snapshot,
        }
        record: dict[str, Any] = {
            "endpoint_response": None,
            "error": None,
            "date_created": _iso(now),
            "date_updated": _iso(now),
            "event_info": body,
        }
        party.events.append(record)
        self._emitted.append(body)
        self._changed.notify_all()
        endpoint = party.endpoint
        refusal = self._undeliverable(endpoint)
        if refusal is None and endpoint is not None:

            def done(status: int | None, error: str | None) -> None:
                with self._lock:
                    record["endpoint_response"] = status
                    record["error"] = error
                    record["date_updated"] = _iso(_now())

            self._deliverer.submit(
                Delivery(
                    key=party.sid,
                    url=endpoint,
                    body=json.dumps(body, separators=(",", ":")).encode("utf-8"),
                    event_sid=event_sid,
                    event_name=name,
                    leg_sid=snapshot.get("leg_sid"),
                    bridge_sid=bridge_sid or snapshot.get("bridge_sid"),
                    done=done,
                )
            )
        else:
            record["error"] = refusal

    def _undeliverable(self, endpoint: str | None) -> str | None:
        """Why events for ``endpoint`` are recorded but not sent (``None``: they are sent)."""
        if not endpoint:
            return "no event endpoint"
        try:
            parts = urlsplit(endpoint)
        except ValueError:
            return "not delivered: the endpoint is not a valid URL"
        if parts.scheme.lower() not in ("http", "https"):
            return f"not delivered: the fake delivers over http(s) only, not {parts.scheme}://"
        if not self.deliver_anywhere and not _loopback(parts.hostname or ""):
            return (
                "not delivered: the fake delivers to loopback hosts only "
                "(FakeLegsAPI(deliver_anywhere=True) lifts that)"
            )
        return None

    def _leg_snapshot(self, leg: _Leg) -> dict[str, Any]:
        return {
            "leg_sid": leg.sid,
            "account_sid": leg.account_sid,
            "contact_uri": leg.contact_uri,
            "exophone": leg.exophone,
            "state": leg.state,
            "start_time": _iso(leg.start_time) if leg.start_time else None,
            "end_time": _iso(leg.end_time) if leg.end_time else None,
            "date_created": _iso(leg.created),
            "date_updated": _iso(leg.updated),
        }

    def _bridge_snapshot(self, bridge: _Bridge) -> dict[str, Any]:
        return {
            "bridge_sid": bridge.sid,
            "account_sid": bridge.account_sid,
            "state": bridge.state,
            "leg_sids": list(bridge.legs),
            "bridge_event_endpoint": bridge.endpoint,
            "absorb_dtmf": bridge.absorb_dtmf,
            "created_at": _iso(bridge.created),
            "date_created": _iso(bridge.created),
            "date_updated": _iso(bridge.updated),
        }

    def _status(self, leg: _Leg, name: str) -> str:
        activity = leg.activity
        if name == "play_status":
            return "playing" if activity is not None and activity.kind == "play" else "idle"
        if name == "gather_status":
            return "gathering" if activity is not None and activity.kind == "gather" else "idle"
        defaults = {
            "bridge_status": "not-in-bridge",
            "recording_status": "not-recording",
            "hold_status": "off",
            "tx_audio_status": "unmuted",
            "rx_audio_status": "unmuted",
        }
        return leg.status.get(name, defaults.get(name, "unknown"))

    def _duration_ms(self, leg: _Leg) -> int | None:
        if leg.answered_at is None:
            return None
        end = leg.ended_at if leg.ended_at is not None else self._scheduler.now()
        return round((end - leg.answered_at) * 1000)

    # -- plumbing ----------------------------------------------------------------------

    def _leg(self, leg_sid: str) -> _Leg:
        leg = self._legs.get(leg_sid)
        if leg is None:
            raise CallError(404, f"leg not found: {leg_sid!r}")
        return leg

    def _bridge(self, bridge_sid: str) -> _Bridge:
        bridge = self._bridges.get(bridge_sid)
        if bridge is None:
            raise CallError(404, f"bridge not found: {bridge_sid!r}")
        return bridge

    def _after(self, leg: _Leg, seconds: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` after ``seconds`` on the fake's clock (at once when zero)."""
        if seconds <= 0:
            fn()
            return
        leg.timers.append(self._scheduler.call_later(seconds, lambda: self._locked(fn)))

    def _locked(self, fn: Callable[[], None]) -> None:
        with self._lock:
            fn()

    def _cancel_timers(self, leg: _Leg) -> None:
        for timer in leg.timers:
            timer.cancel()
        leg.timers.clear()


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bridge_of(event: dict[str, Any]) -> str | None:
    found = event.get("event_data", {}).get("bridge_sid") or event.get("data", {}).get("bridge_sid")
    return found if isinstance(found, str) else None


def _int(value: str | None) -> int | None:
    if value is None or not value.isascii() or not value.isdigit():
        return None
    return int(value)


def _default(element: str, attribute: str) -> str | None:
    from .._catalogue import VERBS

    for spec in VERBS:
        if spec.element == element:
            for attr in spec.attrs:
                if attr.name == attribute:
                    return attr.default
    return None


def parse_verbs(document: str) -> list[_Verb]:
    """The verbs of a ``<Flow>`` document, in order (the document is already checked)."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    root = etree.fromstring(document.encode("utf-8"), parser)
    return [_verb_of(child) for child in root if isinstance(child.tag, str)]


def _verb_of(element: Any) -> _Verb:
    return _Verb(
        element=str(element.tag),
        attrs={str(k): str(v) for k, v in element.attrib.items()},
        text=(element.text or "").strip(),
        children=[_verb_of(c) for c in element if isinstance(c.tag, str)],
    )
