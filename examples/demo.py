"""The exoml demo: compose and lint ExoML, then run a whole outbound call end to end.

python examples/demo.py            # everything, against a local fake of Exotel's API
python examples/demo.py --call     # only the call
python examples/demo.py --live LEG_SID
                                   # send the composed flow to a leg on Exotel's API
                                   # (EXOTEL_ACCOUNT_SID, EXOTEL_API_KEY, EXOTEL_API_TOKEN)

The call is an outbound IVR, over real HTTP on 127.0.0.1: the app places a call with
LegsClient.create_leg, receives the leg's events with EventReceiver under uvicorn, and
answers each one with the next action. The fake (FakeLegsAPI) plays the telephone
network and the customer, who presses 1 at the menu; the app then rings an agent and
bridges the two. Every event in and action out is printed with its time.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from exoml import ExomlError, Flow, LegsClient, Say, validate
from exoml.events import Event, EventReceiver
from exoml.testing import FakeLegsAPI

HERE = Path(__file__).resolve().parent
CUSTOMER = "+919876543210"
AGENT = "+919800000001"
EXOPHONE = "08047112233"
HOLD_MUSIC = "https://example.com/audio/hold.wav"


def heading(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 70 - len(text)))


# -- 1 and 2: compose and lint --------------------------------------------------------------


def menu_flow() -> Flow:
    """The IVR's menu: one Gather whose prompt is spoken while it listens."""
    prompt = Say("Press 1 to talk to an agent. Press 2 to hear your balance.", language="en")
    return Flow().gather(prompt, num_digits=1, timeout_in_sec=15)


def compose_and_lint() -> None:
    heading("1. Compose a flow, checked as it is built")
    flow = menu_flow()
    print(flow.to_xml(pretty=True), end="")
    print(f"validate() finds {len(validate(flow.to_xml()))} problem(s).")
    try:
        Flow().start_play("https://example.com/hold.wav", loop=11)
    except ExomlError as exc:
        print(f"A bad value fails at the call that made it: {exc}")

    heading("2. Lint ExoML files")
    target = os.path.relpath(HERE / "bad")
    cmd = [sys.executable, "-m", "exoml.lint", "--no-color", target]
    print(f"$ python -m exoml.lint {target}")
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = (result.stdout + result.stderr).splitlines()
    print("\n".join(lines[:6]) + (f"\n... ({len(lines) - 6} more lines)" if len(lines) > 6 else ""))
    print(f"(exit status {result.returncode})")


# -- 3: the whole call -----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of the call's timeline."""

    seconds: float  # since the call started
    kind: str  # "event" (in), "action" (out) or "caller" (what the far end did)
    who: str  # customer, agent or bridge
    what: str  # the event name, or the action
    detail: str = ""

    def __str__(self) -> str:
        arrow = {"event": "<-", "action": "->", "caller": "**"}[self.kind]
        text = f"{self.seconds:+8.3f} s  {arrow} {self.who:<8} {self.what}"
        return f"{text}  {self.detail}" if self.detail else text


class Timeline:
    """The call's events in and actions out, in the order they happened, with times."""

    def __init__(self, *, echo: bool = True) -> None:
        self.entries: list[Entry] = []
        self._start = time.monotonic()
        self._changed = threading.Condition()
        self._echo = echo

    def add(self, kind: str, who: str, what: str, detail: str = "") -> None:
        with self._changed:
            entry = Entry(time.monotonic() - self._start, kind, who, what, detail)
            self.entries.append(entry)
            if self._echo:
                print(entry, flush=True)
            self._changed.notify_all()

    def wait_for(self, kind: str, who: str, what: str) -> None:
        """Wait until such an entry is on the timeline."""

        def seen() -> bool:
            return any((e.kind, e.who, e.what) == (kind, who, what) for e in self.entries)

        with self._changed:
            if not self._changed.wait_for(seen, timeout=30):
                raise RuntimeError(f"no {what} for the {who} on the timeline")


class OutboundIvr:
    """The application: it acts only on the events it receives, and says so on the timeline.

    Call the customer; on ``leg_answered`` play the menu; on ``gather_success`` route:
    1 rings an agent (the customer hears hold music) and bridges the two when the agent
    answers, 2 speaks the balance; when the bridge ends, say goodbye and hang up.
    """

    def __init__(self, client: LegsClient, events_url: str, timeline: Timeline) -> None:
        self.client = client
        self.events_url = events_url
        self.timeline = timeline
        self.customer: str | None = None
        self.agent: str | None = None
        self.finished = threading.Event()
        self.receiver = EventReceiver()
        self.receiver.on_any(self.on_event)

    def who(self, event: Event) -> str:
        if event.leg_sid is None or event.event_name.startswith("bridge_"):
            return "bridge"
        # A leg's custom_param comes back in its lifecycle events: the agent's leg says so
        # before create_leg has even returned its sid.
        if event.leg_sid == self.agent or event.action_custom_parameter == "agent":
            return "agent"
        return "customer"

    def act(self, who: str, what: str, detail: str = "") -> None:
        self.timeline.add("action", who, what, detail)

    # Sync handlers: the receiver runs them on its threads after answering Exotel, one
    # event at a time per leg, in the order they arrived.
    def on_event(self, event: Event) -> None:
        who = self.who(event)
        detail = f"digits={event.digits}" if event.digits is not None else ""
        self.timeline.add("event", who, event.event_name, detail)
        name = event.event_name
        if name == "leg_answered" and who == "customer":
            self.send(self.customer, menu_flow(), "menu", "Gather: press 1 or 2")
        elif name == "gather_success" and who == "customer":
            self.route(event.digits or "")
        elif name == "leg_answered" and who == "agent" and event.leg_sid is not None:
            assert self.customer is not None
            self.act("bridge", "create_bridge", "customer + agent")
            self.client.create_bridge([self.customer, event.leg_sid], self.events_url)
        elif name in ("bridge_terminal", "bridge_terminated"):
            goodbye = Flow().say("Thank you for calling. Goodbye.")
            self.send(self.customer, goodbye, "goodbye", "Say: goodbye")
        elif name == "say_completed" and event.action_custom_parameter in ("goodbye", "balance"):
            self.send(self.customer, Flow().hangup(), "bye", "Hangup")
        elif name == "leg_terminated" and who == "customer":
            self.finished.set()

    def route(self, digits: str) -> None:
        if digits == "1":
            hold = Flow().start_play(HOLD_MUSIC)  # loop="0": until the bridge takes over
            self.send(self.customer, hold, "hold", "StartPlay: hold music")
            self.act("agent", "create_leg", AGENT)
            agent = self.client.create_leg(
                AGENT,
                EXOPHONE,
                self.events_url,
                custom_param="agent",
                reference_leg_sid=self.customer,
                ring_timeout=20,
            )
            self.agent = agent.leg_sid
        elif digits == "2":
            balance = Flow().say("Your balance is 420 rupees.")
            self.send(self.customer, balance, "balance", "Say: balance")
        else:
            self.send(self.customer, menu_flow(), "menu", "Gather: again")

    def send(self, leg: str | None, flow: Flow, tag: str, shown: str) -> None:
        assert leg is not None
        self.act(self.who_is(leg), "send", shown)
        self.client.send(leg, flow, custom_param=tag)

    def who_is(self, leg: str) -> str:
        return "agent" if leg == self.agent else "customer"

    def call(self) -> None:
        self.act("customer", "create_leg", CUSTOMER)
        leg = self.client.create_leg(CUSTOMER, EXOPHONE, self.events_url, custom_param="ivr")
        self.customer = leg.leg_sid


@contextmanager
def serve(app: EventReceiver) -> Iterator[str]:
    """Run ``app`` under uvicorn on 127.0.0.1 (a free port) in a thread; yield its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}/exotel/events"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def whole_call(*, echo: bool = True, press: str = "1", talk_seconds: float = 0.5) -> Timeline:
    """Run the outbound IVR against the fake; return its timeline.

    The fake rings each leg for 0.3 s and plays each prompt for 0.4 s. The customer
    presses ``press`` once the menu is listening; the agent talks for ``talk_seconds``,
    then hangs up.
    """
    timeline = Timeline(echo=echo)
    fake = FakeLegsAPI(ring_seconds=0.3, media_seconds=0.4)
    with (
        fake as api,
        LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as client,
    ):
        app = OutboundIvr(client, "", timeline)
        with serve(app.receiver) as url:
            app.events_url = url
            app.call()
            assert app.customer is not None
            # The far end: the fake plays the customer and the agent. The customer
            # presses once the app has heard that the menu is listening.
            timeline.wait_for("event", "customer", "gather_started")
            timeline.add("caller", "customer", f"presses {press}")
            api.press(app.customer, press)
            if press == "1":
                timeline.wait_for("event", "customer", "leg_joined_bridge")
                timeline.wait_for("event", "agent", "leg_joined_bridge")
                time.sleep(talk_seconds)  # they talk
                assert app.agent is not None
                timeline.add("caller", "agent", "hangs up")
                api.hang_up(app.agent)
            if not app.finished.wait(30):
                raise RuntimeError("the call did not end")
            api.wait_delivered()
            app.receiver.drain(10)
            stats = app.receiver.stats
        attempts = len(api.deliveries)
    if echo:
        print(
            f"\n{sum(e.kind == 'event' for e in timeline.entries)} events in, "
            f"{sum(e.kind == 'action' for e in timeline.entries)} actions out; "
            f"{attempts} delivery attempts, {stats.accepted} events accepted, "
            f"{stats.duplicates} duplicates dropped, {stats.failed} handler failures."
        )
    return timeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--call", action="store_true", help="only run the whole call")
    parser.add_argument(
        "--press",
        default="1",
        choices=["1", "2"],
        help="what the customer presses: 1 rings an agent and bridges the two, "
        "2 hears the balance (default: 1)",
    )
    parser.add_argument("--live", metavar="LEG_SID", help="send the menu to a leg on Exotel")
    args = parser.parse_args(argv)

    if args.live:
        try:
            with LegsClient.from_env() as client:
                accepted = client.send(args.live, menu_flow(), custom_param="menu")
        except ExomlError as exc:
            print(f"demo.py: error: {exc}", file=sys.stderr)
            return 1
        print(f"sent: request_id={accepted.request_id}")
        return 0
    if not args.call:
        compose_and_lint()
    heading("3. A whole call: events in (<-), actions out (->), the far end (**)")
    whole_call(press=args.press)
    return 0


if __name__ == "__main__":
    sys.exit(main())
