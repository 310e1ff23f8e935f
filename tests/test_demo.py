"""``make demo`` runs: the whole call happens over real HTTP, and its timeline holds.

The demo is loaded from ``examples/demo.py`` (the program the guide's "A whole call" page
shows) and its call is run against the fake, with EventReceiver under uvicorn. Events of
one endpoint arrive in order; events of different endpoints (a leg's, its bridge's) may
interleave, so the checks are on each endpoint's sequence and on cause before effect.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo.py"

pytest.importorskip("uvicorn")


def load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("exoml_demo", DEMO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo() -> ModuleType:
    return load_demo()


def names(entries: list[Any], kind: str, who: str | None = None) -> list[str]:
    return [e.what for e in entries if e.kind == kind and (who is None or e.who == who)]


def index(entries: list[Any], kind: str, who: str, what: str) -> int:
    for i, entry in enumerate(entries):
        if (entry.kind, entry.who, entry.what) == (kind, who, what):
            return i
    raise AssertionError(f"no {kind} {what} for {who} on the timeline")


def test_press_1_rings_an_agent_and_bridges_the_call(demo: ModuleType) -> None:
    timeline = demo.whole_call(echo=False, press="1", talk_seconds=0.0)
    entries = timeline.entries
    bridge_events = {"bridge_created", "leg_joined_bridge", "leg_left_bridge", "bridge_terminal"}
    customer = [n for n in names(entries, "event", "customer") if n not in bridge_events]
    assert customer == [
        "leg_connecting",
        "leg_ringing",
        "leg_answered",
        "gather_initiated",
        "gather_started",
        "gather_success",
        "play_started",
        "play_interrupted",
        "say_started",
        "say_completed",
        "leg_terminated",
    ]
    agent = [n for n in names(entries, "event", "agent") if n not in bridge_events]
    assert agent == ["leg_connecting", "leg_ringing", "leg_answered", "leg_terminated"]
    # The bridge's events arrive in this order; the receiver hands events of different
    # legs to handlers concurrently, so the timeline may show them in another.
    bridge = [(e.who, e.what) for e in entries if e.kind == "event" and e.what in bridge_events]
    assert sorted(bridge) == sorted(
        [
            ("bridge", "bridge_created"),
            ("customer", "leg_joined_bridge"),
            ("agent", "leg_joined_bridge"),
            ("agent", "leg_left_bridge"),
            ("customer", "leg_left_bridge"),
            ("bridge", "bridge_terminal"),
        ]
    )
    assert [(e.who, e.what, e.detail) for e in entries if e.kind == "action"] == [
        ("customer", "create_leg", "+919876543210"),
        ("customer", "send", "Gather: press 1 or 2"),
        ("customer", "send", "StartPlay: hold music"),
        ("agent", "create_leg", "+919800000001"),
        ("bridge", "create_bridge", "customer + agent"),
        ("customer", "send", "Say: goodbye"),
        ("customer", "send", "Hangup"),
    ]
    [success] = [e for e in entries if e.what == "gather_success"]
    assert success.detail == "digits=1"
    # Each action follows the event that called for it; the caller acts on what it hears.
    order = [
        ("event", "customer", "leg_answered"),
        ("action", "customer", "send"),
        ("event", "customer", "gather_started"),
        ("caller", "customer", "presses 1"),
        ("event", "customer", "gather_success"),
        ("action", "agent", "create_leg"),
        ("event", "agent", "leg_answered"),
        ("action", "bridge", "create_bridge"),
        ("event", "agent", "leg_joined_bridge"),
        ("caller", "agent", "hangs up"),
        ("event", "bridge", "bridge_terminal"),
        ("event", "customer", "say_completed"),
        ("event", "customer", "leg_terminated"),
    ]
    positions = [index(entries, *step) for step in order]
    assert positions == sorted(positions)
    times = [e.seconds for e in entries]
    assert times == sorted(times)


def test_press_2_speaks_the_balance_and_hangs_up(demo: ModuleType) -> None:
    entries = demo.whole_call(echo=False, press="2").entries
    assert names(entries, "event", "customer")[-4:] == [
        "gather_success",
        "say_started",
        "say_completed",
        "leg_terminated",
    ]
    assert [e.detail for e in entries if e.kind == "action"] == [
        "+919876543210",
        "Gather: press 1 or 2",
        "Say: balance",
        "Hangup",
    ]
    assert "agent" not in {e.who for e in entries}


def test_make_demo_runs_from_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, str(DEMO)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for section in ("1. Compose a flow", "2. Lint ExoML files", "3. A whole call"):
        assert section in out
    assert "(exit status 1)" in out  # the linter found the problems in examples/bad
    assert "** customer presses 1" in out
    assert "<- bridge   bridge_terminal" in out
    assert "0 duplicates dropped, 0 handler failures." in out
    assert "Traceback" not in result.stderr
