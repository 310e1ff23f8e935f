"""The fake plays the call: legs ring and answer, actions emit their verbs' events in
order, bridges join and leave legs, and events reach the endpoint the way Exotel delivers
them (headers, basic auth, three attempts on 408/429/5xx/time-outs, none on other 4xx).

Durations run on a ManualClock where they matter, so no test waits on the wall clock;
the timeouts passed to ``wait_for`` only bound a test that would otherwise hang.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import pytest

from exoml import Flow, LegNotFoundError, LegsClient, Say
from exoml._catalogue import EVENTS, VERBS
from exoml.testing import FakeLegsAPI, ManualClock

from ._receiver import Receiver
from .conftest import credentials

CALLER = "+919876543210"
EXOPHONE = "08047112233"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as endpoint:
        yield endpoint


def client(api: FakeLegsAPI) -> LegsClient:
    return LegsClient(**credentials(api), base_url=api.url)


def names(api: FakeLegsAPI, leg_sid: str) -> list[str]:
    return api.event_names(leg_sid)


# -- a leg rings and is answered -----------------------------------------------------------


def test_a_created_leg_rings_and_is_answered(receiver: Receiver) -> None:
    with FakeLegsAPI() as api, client(api) as c:
        leg = c.create_leg(CALLER, EXOPHONE, receiver.url, custom_param="order-7")
        api.wait_for("leg_answered", leg.leg_sid)
        api.wait_delivered()
        assert names(api, leg.leg_sid) == ["leg_connecting", "leg_ringing", "leg_answered"]
        assert receiver.names() == ["leg_connecting", "leg_ringing", "leg_answered"]
        state = c.get_leg(leg.leg_sid)
    assert (state.state, state.contact_uri, state.exophone) == ("in-progress", CALLER, EXOPHONE)
    assert state.start_time is not None
    arrival = receiver.arrivals[2]
    body = arrival.body
    assert set(body) == {
        "event_sid",
        "event_type",
        "event_name",
        "event_timestamp",
        "action_sid",
        "action_custom_parameter",
        "event_data",
        "data",
    }
    assert body["event_type"] in ("leg_lifecycle_event", "leg_action_event")
    assert TIMESTAMP.fullmatch(body["event_timestamp"])
    assert body["action_sid"] is None
    assert body["action_custom_parameter"] == "order-7"  # the leg's custom_param, echoed
    assert body["event_data"] == {"data": {}}
    assert set(body["data"]) == {
        "leg_sid",
        "account_sid",
        "contact_uri",
        "exophone",
        "state",
        "start_time",
        "end_time",
        "date_created",
        "date_updated",
    }
    assert (body["data"]["leg_sid"], body["data"]["state"]) == (leg.leg_sid, "in-progress")
    headers = arrival.headers
    assert headers["User-Agent"].startswith("Exotel-Hermix/")
    assert headers["X-Exotel-Event-Sid"] == body["event_sid"]
    assert headers["X-Exotel-Request-Id"] == f"{body['event_sid']}-1"
    assert headers["Content-Type"] == "application/json"
    assert "Authorization" not in headers
    assert len({a.body["event_sid"] for a in receiver.arrivals}) == 3


def test_the_callee_can_answer_refuse_or_not_pick_up(receiver: Receiver) -> None:
    clock = ManualClock()
    with FakeLegsAPI(auto_answer=False, clock=clock) as api, client(api) as c:
        answered = c.create_leg(CALLER, EXOPHONE, receiver.url).leg_sid
        busy = c.create_leg(CALLER, EXOPHONE, receiver.url).leg_sid
        failed = c.create_leg(CALLER, EXOPHONE, receiver.url).leg_sid
        silent = c.create_leg(CALLER, EXOPHONE, receiver.url, ring_timeout=20).leg_sid
        assert names(api, answered) == ["leg_connecting", "leg_ringing"]
        api.answer(answered)
        api.reject(busy, "busy")
        api.reject(failed, "failed")
        clock.advance(19)
        assert names(api, silent) == ["leg_connecting", "leg_ringing"]
        clock.advance(1)
        assert names(api, answered)[-1] == "leg_answered"
        assert names(api, busy)[-1] == "leg_terminated"
        assert names(api, failed)[-1] == "leg_failed_to_create"
        assert names(api, silent)[-1] == "leg_terminated"
        assert c.get_leg(busy).terminal_status == "busy"
        assert c.get_leg(silent).terminal_status == "no-answer"
        assert api.events(busy)[-1]["event_data"]["data"]["terminal_status"] == "busy"
        with pytest.raises(RuntimeError, match="not ringing"):
            api.answer(answered)
        with pytest.raises(LegNotFoundError):
            c.send(busy, Flow().say("Too late"))  # an ended leg takes no action


def test_amd_and_time_limit() -> None:
    clock = ManualClock()
    with FakeLegsAPI(clock=clock) as api, client(api) as c:
        leg = c.create_leg(
            CALLER, EXOPHONE, "grpc://events.example.com", amd_enable=True, time_limit=60
        ).leg_sid
        assert names(api, leg)[-1] == "amd_result_success"
        clock.advance(59.5)
        assert c.get_leg(leg).state == "in-progress"
        clock.advance(0.5)
        assert names(api, leg)[-1] == "leg_terminated"
        state = c.get_leg(leg)
        assert (state.state, state.on_call_duration_ms) == ("terminal", 60000)
        # A gRPC endpoint is recorded, not delivered: the fake speaks HTTP only.
        assert api.deliveries == []
        assert {e.delivered for e in c.leg_events(leg)} == {False}


# -- actions emit their verbs' events --------------------------------------------------------


def test_each_verb_emits_the_events_the_catalogue_lists() -> None:
    known = {e.name for e in EVENTS}
    for spec in VERBS:
        assert set(spec.events) <= known, spec.element
    with FakeLegsAPI() as api, client(api) as c:
        leg = c.create_leg(CALLER, EXOPHONE, "grpc://events.example.com").leg_sid
        start = len(names(api, leg))
        c.send(leg, Flow().say("Hello").start_play("https://example.com/a.wav", loop=2))
        c.send(leg, Flow().mute(direction="out").hold().unhold())
        c.send(leg, Flow().start_recording().stop_recording())
        c.send(leg, Flow().start_stream("wss://bot.example.com/s", stream_type="bidirectional"))
        assert names(api, leg)[start:] == [
            "say_started",
            "say_completed",
            "play_started",
            "play_completed",
            "mute_success",
            "hold_started",
            "hold_success",
            "hold_ended",
            "unhold_success",
            "recording_started",
            "recording_stopped",
            "recording_available",
            "stream_initiated",
            "stream_started",
        ]
        events = api.events(leg)
        mute = next(e for e in events if e["event_name"] == "mute_success")
        assert mute["event_data"]["data"] == {"direction": "out"}
        available = next(e for e in events if e["event_name"] == "recording_available")
        assert set(available["event_data"]["data"]) == {"status", "recording_sid", "url"}
        # Each event carries the action that caused it.
        say, mute_action = api.actions_for(leg)[0], api.actions_for(leg)[1]
        assert events[start]["action_sid"] == say.action_sid
        assert mute["action_sid"] == mute_action.action_sid
        assert say.action_sid != mute_action.action_sid


def test_play_runs_its_loops_on_the_clock_and_can_be_stopped() -> None:
    clock = ManualClock()
    with FakeLegsAPI(clock=clock, media_seconds=5.0) as api, client(api) as c:
        leg = c.create_leg(CALLER, EXOPHONE, "grpc://e.example.com").leg_sid
        c.send(leg, Flow().start_play("https://example.com/a.wav", loop=2), custom_param="p1")
        assert names(api, leg)[-1] == "play_started"
        assert c.get_leg(leg, fields=["play_status"]).additional_info["play_status"] == "playing"
        clock.advance(9)
        assert names(api, leg)[-1] == "play_started"
        clock.advance(1)
        assert names(api, leg)[-1] == "play_completed"
        assert api.events(leg)[-1]["action_custom_parameter"] == "p1"
        # loop="0", the catalogue's default, plays until stopped.
        c.send(leg, "<Flow><StartPlay>https://example.com/moh.wav</StartPlay></Flow>")
        clock.advance(3600)
        assert names(api, leg)[-1] == "play_started"
        c.send(leg, Flow().stop_play(), custom_param="stop")
        assert names(api, leg)[-2:] == ["play_started", "play_interrupted"]
        # The interruption belongs to the play action, not to the StopPlay.
        assert api.events(leg)[-1]["action_custom_parameter"] is None
        c.send(leg, Flow().start_play("https://example.com/a.wav", loop=0))
        api.hang_up(leg)
        assert names(api, leg)[-3:] == ["play_started", "play_interrupted", "leg_terminated"]


def test_a_new_prompt_replaces_the_one_playing() -> None:
    clock = ManualClock()
    with FakeLegsAPI(clock=clock, media_seconds=2.0) as api, client(api) as c:
        leg = c.create_leg(CALLER, EXOPHONE, "grpc://e.example.com").leg_sid
        c.send(leg, Flow().say("A long message").gather(num_digits=1))
        c.send(leg, Flow().mute())  # takes effect at once, the say plays on
        c.send(leg, Flow().say("Something else"))
        clock.advance(2)
        assert names(api, leg)[3:] == [
            "say_started",
            "mute_success",
            "say_interrupted",
            "say_started",
            "say_completed",
        ]


def test_gather_reports_the_digits_pressed() -> None:
    clock = ManualClock()
    with FakeLegsAPI(clock=clock) as api, client(api) as c:
        leg = c.create_leg(CALLER, EXOPHONE, "grpc://e.example.com").leg_sid
        menu = Flow().gather(Say("Press 1 or 2, then 2 more"), num_digits=3, timeout_in_sec=10)
        c.send(leg, menu, custom_param="menu")
        assert names(api, leg)[-2:] == ["gather_initiated", "gather_started"]
        api.press(leg, "1")
        api.press(leg, "2")
        assert names(api, leg)[-1] == "gather_started"
        api.press(leg, "3")
        success = api.events(leg)[-1]
        assert success["event_name"] == "gather_success"
        assert success["event_data"]["data"]["digits"] == "123"
        assert success["action_custom_parameter"] == "menu"
        # finishOnKey ends the input early; the key itself is not reported.
        c.send(leg, Flow().gather(finish_on_key="*", timeout_in_sec=10))
        api.press(leg, "45*")
        assert api.events(leg)[-1]["event_data"]["data"]["digits"] == "45"
        # Keys pressed before a Gather starts are typed ahead into it.
        api.press(leg, "9")
        c.send(leg, Flow().gather(num_digits=1))
        assert api.events(leg)[-1]["event_data"]["data"]["digits"] == "9"
        # Nobody presses: the gather reports what it has when its time is up.
        c.send(leg, Flow().gather(num_digits=4, timeout_in_sec=7))
        api.press(leg, "8")
        clock.advance(6.5)
        assert names(api, leg)[-1] == "gather_started"
        clock.advance(0.5)
        timed_out = api.events(leg)[-1]
        assert timed_out["event_data"]["data"] == {"digits": "8", "finish_reason": "timeout"}
        with pytest.raises(ValueError, match="keys 0-9"):
            api.press(leg, "1a")


def test_verbs_of_one_action_run_in_order() -> None:
    clock = ManualClock()
    with FakeLegsAPI(clock=clock, media_seconds=1.0) as api, client(api) as c:
        leg = c.create_leg(CALLER, EXOPHONE, "grpc://e.example.com").leg_sid
        c.send(leg, Flow().say("Welcome").gather(num_digits=1).say("Thanks").hangup())
        assert names(api, leg)[-1] == "say_started"
        clock.advance(1)
        assert names(api, leg)[-3:] == ["say_completed", "gather_initiated", "gather_started"]
        api.press(leg, "5")
        clock.advance(1)
        assert names(api, leg)[-4:] == [
            "gather_success",
            "say_started",
            "say_completed",
            "leg_terminated",
        ]
        terminated = api.events(leg)[-1]
        assert terminated["action_sid"] == api.actions_for(leg)[0].action_sid
        assert terminated["data"]["state"] == "terminal"
        assert terminated["data"]["end_time"] is not None


# -- bridges -----------------------------------------------------------------------------------


def test_bridges_join_and_leave_legs(receiver: Receiver) -> None:
    with FakeLegsAPI() as api, client(api) as c:
        caller = c.create_leg(CALLER, EXOPHONE, receiver.url).leg_sid
        agent = c.create_leg("+919800000001", EXOPHONE, receiver.url).leg_sid
        third = c.create_leg("+919800000002", EXOPHONE, receiver.url).leg_sid
        bridge = c.create_bridge([caller, agent], receiver.url + "/bridge").bridge_sid
        assert api.event_names(bridge_sid=bridge) == [
            "bridge_created",
            "leg_joined_bridge",
            "leg_joined_bridge",
        ]
        joined = api.events(bridge_sid=bridge)[1:]
        assert [e["data"]["leg_sid"] for e in joined] == [caller, agent]
        assert {e["event_data"]["bridge_sid"] for e in joined} == {bridge}
        assert {e["event_type"] for e in api.events(bridge_sid=bridge)} == {
            "bridge_lifecycle_event"
        }
        status = c.get_leg(caller, fields=["bridge_status"]).additional_info
        assert status["bridge_status"] == "in-bridge"
        c.send(third, Flow().join_bridge(bridge))
        assert c.get_bridge(bridge).leg_sids == (caller, agent, third)
        assert names(api, third)[-1] == "leg_joined_bridge"
        c.send(third, Flow().leave_bridge())
        assert names(api, third)[-1] == "leg_left_bridge"
        # One party hangs up: a bridge of one is no conversation, it ends.
        api.hang_up(agent)
        assert api.event_names(bridge_sid=bridge)[-3:] == [
            "leg_left_bridge",
            "leg_left_bridge",
            "bridge_terminal",
        ]
        assert c.get_bridge(bridge).state == "terminal"
        assert c.get_leg(caller).state == "in-progress"
        api.wait_delivered()
    at_bridge = [a for a in receiver.arrivals if a.path == "/exotel/events/bridge"]
    assert {a.body["event_type"] for a in at_bridge} == {"bridge_lifecycle_event"}
    ends = {a.path for a in receiver.arrivals if a.name in ("bridge_created", "bridge_terminal")}
    assert ends == {"/exotel/events/bridge"}
    # The leg that asked to join with JoinBridge hears of it at its own endpoint too.
    by_action = [a for a in receiver.arrivals if a.body["action_sid"] is not None]
    assert [(a.name, a.path) for a in by_action] == [
        ("leg_joined_bridge", "/exotel/events"),
        ("leg_left_bridge", "/exotel/events"),
    ]


def test_stop_bridge_and_bridge_actions() -> None:
    with FakeLegsAPI() as api, client(api) as c:
        legs = [c.create_leg(CALLER, EXOPHONE, "grpc://e.example.com").leg_sid for _ in "ab"]
        bridge = c.create_bridge(legs, "grpc://b.example.com").bridge_sid
        c.send_to_bridge(bridge, "<Flow><StartPlay>https://example.com/a.wav</StartPlay></Flow>")
        assert api.event_names(bridge_sid=bridge)[-1] == "play_started"
        c.stop_bridge(bridge)
        assert api.event_names(bridge_sid=bridge)[-4:] == [
            "play_interrupted",
            "leg_left_bridge",
            "leg_left_bridge",
            "bridge_terminal",
        ]
        c.stop_bridge(bridge)  # already ended: accepted, and reported as an event
        assert api.event_names(bridge_sid=bridge)[-1] == "bridge_failed_to_stop"
        assert [c.get_leg(leg).state for leg in legs] == ["in-progress", "in-progress"]


def test_bridge_requests_the_fake_refuses() -> None:
    with FakeLegsAPI(auto_answer=False) as api, client(api) as c:
        ringing = c.create_leg(CALLER, EXOPHONE, "grpc://e.example.com").leg_sid
        other = c.create_leg(CALLER, EXOPHONE, "grpc://e.example.com").leg_sid
        with pytest.raises(Exception, match="only answered legs are bridged"):
            c.create_bridge([ringing, other], "grpc://b.example.com")
        api.answer(ringing)
        api.answer(other)
        bridge = c.create_bridge([ringing, other], "grpc://b.example.com").bridge_sid
        with pytest.raises(Exception, match="is not a bridge action"):
            c.send_to_bridge(bridge, Flow().say("Hi"), validate=False)
        with pytest.raises(Exception, match="no bridge 'nope' to join"):
            c.send(ringing, Flow().join_bridge("nope"))


def test_dial_in_the_exchange_rings_bridges_and_completes() -> None:
    """The fake's Dial, driven below the HTTP layer: the leg actions' catalogue has no Dial
    (Exotel's pages name it for legs without its attributes), so the actions endpoint
    refuses it as the check engine does, and the exchange plays it as documented."""
    from exoml.testing._calls import parse_verbs

    with FakeLegsAPI() as api, client(api) as c:
        leg = c.create_leg(CALLER, EXOPHONE, "grpc://e.example.com").leg_sid
        verbs = parse_verbs(
            f'<Flow><Dial contactUri="+919800000009" exophone="{EXOPHONE}"/></Flow>'
        )
        exchange = api._exchange
        exchange.check_leg_action(leg, verbs)
        exchange.leg_action(leg, verbs, "dial-1")
        initiated = api.wait_for("dial_initiated", leg)
        data = initiated["event_data"]["data"]
        second, bridge = data["second_leg_sid"], data["bridge_sid"]
        assert initiated["action_custom_parameter"] == "dial-1"
        assert names(api, second) == [
            "leg_connecting",
            "leg_ringing",
            "leg_answered",
            "leg_joined_bridge",
        ]
        assert names(api, leg)[-2:] == ["leg_joined_bridge", "dial_success"]
        assert c.get_bridge(bridge).leg_sids == (leg, second)
        api.hang_up(second)
        assert names(api, leg)[-1] == "dial_completed"
        assert c.get_leg(second).state == "terminal"
        assert c.get_leg(leg).state == "in-progress"
        assert api.event_names(bridge_sid=bridge)[-1] == "bridge_terminal"


def test_a_bridge_refer_moves_its_events() -> None:
    with Receiver() as endpoint, FakeLegsAPI() as api, client(api) as c:
        legs = [c.create_leg(CALLER, EXOPHONE, "grpc://e.example.com").leg_sid for _ in "ab"]
        bridge = c.create_bridge(legs, "grpc://b.example.com").bridge_sid
        refer = f'<Flow><Refer bridgeEventEndpoint="{endpoint.url}"/></Flow>'
        # The bridge dialect wants https:// (or grpc): a test's plain-http receiver is not.
        c.send_to_bridge(bridge, refer, validate=False)
        c.stop_bridge(bridge)
        api.wait_delivered()
    assert endpoint.names() == ["leg_left_bridge", "leg_left_bridge", "bridge_terminal"]


# -- delivery: headers, auth, retries, order ---------------------------------------------------


def test_basic_auth_from_the_url_or_the_option() -> None:
    with Receiver() as endpoint:
        url = endpoint.url.replace("http://", "http://hermix:p%40ss@")
        with FakeLegsAPI() as api, client(api) as c:
            c.create_leg(CALLER, EXOPHONE, url)
            api.wait_delivered()
        with FakeLegsAPI(event_auth=("user", "option-pass")) as api, client(api) as c:
            c.create_leg(CALLER, EXOPHONE, endpoint.url)
            api.wait_delivered()
            assert all("p%40ss" not in d.url and "hermix" not in d.url for d in api.deliveries)
    tokens = {a.headers["Authorization"] for a in endpoint.arrivals}
    assert tokens == {
        "Basic " + base64.b64encode(b"hermix:p@ss").decode(),
        "Basic " + base64.b64encode(b"user:option-pass").decode(),
    }


@pytest.mark.parametrize(
    ("statuses", "attempts", "delivered"),
    [
        ([500, 503, 200], 3, True),
        ([408, 200], 2, True),
        ([429, 502, 504], 3, False),
        ([400], 1, False),
        ([404], 1, False),
        ([401], 1, False),
        ([302], 1, False),
        ([204], 1, True),
    ],
)
def test_retries_follow_exotels_rules(statuses: list[int], attempts: int, delivered: bool) -> None:
    def answer(body: dict[str, Any], attempt: int) -> int:
        if body["event_name"] != "leg_connecting":
            return 200
        return statuses[attempt - 1]

    with Receiver(answer) as endpoint, FakeLegsAPI() as api, client(api) as c:
        leg = c.create_leg(CALLER, EXOPHONE, endpoint.url).leg_sid
        api.wait_delivered()
        first = [d for d in api.deliveries if d.event_name == "leg_connecting"]
        assert [d.status for d in first] == statuses[:attempts]
        assert [d.attempt for d in first] == list(range(1, attempts + 1))
        assert [d.final for d in first] == [False] * (attempts - 1) + [True]
        sid = first[0].event_sid
        ids = [
            a.headers["X-Exotel-Request-Id"]
            for a in endpoint.arrivals
            if a.name == "leg_connecting"
        ]
        assert ids == [f"{sid}-{n}" for n in range(1, attempts + 1)]
        [record] = c.leg_events(leg, event_name="leg_connecting")
        assert record.delivered is delivered
        # The next events go out whatever became of this one, in order.
        assert endpoint.names(leg)[-2:] == ["leg_ringing", "leg_answered"]


def test_a_silent_endpoint_times_out_three_times() -> None:
    def answer(body: dict[str, Any], attempt: int) -> int | None:
        return None if body["event_name"] == "leg_connecting" else 200

    with Receiver(answer) as endpoint:
        with FakeLegsAPI(delivery_timeout=0.2) as api, client(api) as c:
            leg = c.create_leg(CALLER, EXOPHONE, endpoint.url).leg_sid
            api.wait_delivered()
            first = [d for d in api.deliveries if d.event_name == "leg_connecting"]
            assert [(d.status, d.attempt) for d in first] == [(None, 1), (None, 2), (None, 3)]
            assert all("no answer within 0.2 s" in (d.error or "") for d in first)
            [record] = c.leg_events(leg, event_name="leg_connecting")
            assert record.delivered is False
            assert "0.2 s" in str(record.error)
        endpoint.release()


@pytest.mark.parametrize(
    "endpoint",
    ["http://[::1", "ftp://example.com/e", "grpc://", "http://h:99999/e", "https://a b/"],
)
def test_a_bad_event_endpoint_is_refused_with_400(endpoint: str) -> None:
    import httpx

    with FakeLegsAPI() as api:
        url = f"{api.url}/v2/accounts/{api.account_sid}/legs"
        body = {"contact_uri": CALLER, "exophone": EXOPHONE, "leg_event_endpoint": endpoint}
        answer = httpx.post(url, json=body, auth=(api.api_key, api.api_token))
        assert answer.status_code == 400, answer.text
        assert "leg_event_endpoint" in answer.json()["response"]["error"]["message"]


def test_only_loopback_endpoints_are_delivered_to() -> None:
    with FakeLegsAPI() as api, client(api) as c:
        leg = c.create_leg(CALLER, EXOPHONE, "https://app.example.com/exotel/events").leg_sid
        api.wait_delivered()
        assert api.deliveries == []  # nothing left this machine
        [record] = c.leg_events(leg, event_name="leg_answered")
        assert record.delivered is False
        assert "loopback hosts only" in str(record.error)


def test_a_refused_connection_is_retried_then_dropped(closed_port: int) -> None:
    with FakeLegsAPI() as api, client(api) as c:
        c.create_leg(CALLER, EXOPHONE, f"http://127.0.0.1:{closed_port}/events")
        api.wait_delivered()
        deliveries = api.deliveries
    assert len(deliveries) == 9  # three events, three attempts each
    assert all(d.status is None and d.error for d in deliveries)


def test_one_legs_events_arrive_in_order_while_other_legs_go_on() -> None:
    slow_number = "+910000000001"

    def answer(body: dict[str, Any], attempt: int) -> int | None:
        # The slow leg's first event is held until released; everything else is answered.
        first = body["event_name"] == "leg_connecting"
        return None if first and body["data"]["contact_uri"] == slow_number else 200

    with Receiver(answer) as endpoint, FakeLegsAPI(delivery_timeout=30) as api, client(api) as c:
        held = c.create_leg(slow_number, EXOPHONE, endpoint.url).leg_sid
        free = c.create_leg(CALLER, EXOPHONE, endpoint.url).leg_sid
        for n in range(10):
            c.send(free, Flow().say(f"Message {n}"))
        want = names(api, free)
        assert len(want) == 23
        # Every event of the free leg arrives, in order, while the held leg waits.
        while endpoint.names(free) != want:
            endpoint.wait_for(len(endpoint.arrivals) + 1)
        assert endpoint.names(held) == []
        endpoint.release()
        api.wait_delivered()
        assert endpoint.names(held) == ["leg_connecting", "leg_ringing", "leg_answered"]
        assert [d.attempt for d in api.deliveries if d.leg_sid == held] == [1, 1, 1]
