"""The exoml demo: compose a flow, lint sample files, send actions to a leg.

python examples/demo.py            # against a local fake of the Leg Actions API
python examples/demo.py --live LEG_SID
                                   # against Exotel, credentials from EXOTEL_ACCOUNT_SID,
                                   # EXOTEL_API_KEY, EXOTEL_API_TOKEN (EXOTEL_BASE_URL)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from exoml import ApiError, ExomlError, Flow, LegsClient, Say, validate
from exoml.testing import FakeLegsAPI

HERE = Path(__file__).resolve().parent


def heading(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 70 - len(text)))


def build_ivr() -> Flow:
    """A welcome-and-PIN IVR: the kind of flow a request handler builds per call."""
    menu = Say("Welcome to Acme. Please enter your four digit PIN.", language="en")
    return (
        Flow()
        .answer()
        .gather(menu, num_digits=4, timeout_in_sec=10, finish_on_key="#")
        .say("Thank you. Connecting you now.", preferred_tts_engine="polly", polly_voice_id="Aditi")
    )


def show_flow(flow: Flow) -> None:
    heading("1. Compose a flow")
    print(flow.to_xml(pretty=True), end="")
    heading("   ...and check it")
    for d in validate(flow.to_xml()):
        print(f"{d.line}:{d.column}: {d.code} {d.severity}: {d.message}")
    print("A bad value fails at the call that made it:")
    try:
        Flow().start_play("https://example.com/hold.wav", loop=11)
    except ExomlError as exc:
        print(f"  FlowError: {exc}")


def lint_examples() -> None:
    heading("2. Lint the sample files in examples/")
    for target in (HERE / "ivr-welcome.xml", HERE / "bad"):
        cmd = [sys.executable, "-m", "exoml.lint", "--no-color", os.path.relpath(target)]
        print("$ python -m exoml.lint " + cmd[-1])
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        print(result.stdout + result.stderr, end="")
        print(f"(exit status {result.returncode})\n")


def send_actions(client: LegsClient, leg_sid: str, flow: Flow) -> None:
    heading("3. Send actions to the leg")
    # One action per request, as the API advises: each verb is sent on its own, and the
    # custom param correlates the events that come back with the action that caused them.
    for i, verb in enumerate(flow, 1):
        accepted = client.send(leg_sid, Flow(verb), custom_param=f"demo-step-{i}")
        print(f"  {verb.element:<8} -> {accepted.http_code} request_id={accepted.request_id}")
    print("Hand-written ExoML is validated before it is sent:")
    try:
        client.send(leg_sid, "<flow><startplay>https://example.com/a.wav</startplay></flow>")
    except ExomlError as exc:
        print(f"  refused: {exc}")
        for d in exc.diagnostics:
            print(f"    {d.line}:{d.column}: {d.code} {d.message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", metavar="LEG_SID", help="send to this leg on Exotel's API")
    args = parser.parse_args(argv)

    flow = build_ivr()
    show_flow(flow)
    lint_examples()

    if args.live:
        with LegsClient.from_env() as client:
            send_actions(client, args.live, flow)
        return 0

    with FakeLegsAPI() as api:
        print(f"\n(local fake Leg Actions API at {api.url})")
        api.add_leg("LEG-DEMO-1")
        with LegsClient(api.account_sid, api.api_key, api.api_token, base_url=api.url) as client:
            send_actions(client, "LEG-DEMO-1", flow)
            print("Errors arrive as typed exceptions:")
            try:
                client.send("LEG-UNKNOWN", Flow().hangup())
            except ApiError as exc:
                print(f"  {type(exc).__name__}: {exc}")
        heading("4. What the API received")
        for action in api.actions:
            print(f"  {action.leg_sid} {action.custom_param}: {action.exoml}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
