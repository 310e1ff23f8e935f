"""Build and serialise a representative flow: exoml vs Twilio, and exoml vs the floor.

The flow: a ``Say`` with engine, language and voice; a ``Gather`` with ``numDigits``,
``timeoutInSec`` and ``finishOnKey`` around a nested ``Say``; a ``StartPlay`` with
``loop``; a ``Hangup``. Every iteration builds it from scratch from one of 64 input sets
(texts that need escaping, non-ASCII, varying numbers and URLs), so no side can answer
from a cache of one document, and serialises it to a string.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .harness import (
    CheckFailed,
    Context,
    NotAvailable,
    RowResult,
    Target,
    alternate_many,
    calibrate,
    fmt_time,
    median_seconds,
    profile_call,
)

# welcome, language, engine, voice, prompt, digits, timeout, key, url, loop
Inputs = tuple[str, str, str, str, str, int, int, str, str, int]

# A quarter of the texts and URLs need escaping (an ampersand, angle brackets), as in
# real prompts and signed or parameterised media URLs; the rest are plain, some non-ASCII.
_GREETINGS = (
    "Welcome to Example Bank",
    "Welcome to Tom & Jerry's <Pizza>",
    "Namaste, thank you for calling",
    "Bienvenue au café",
    "Your call is important to us",
    "नमस्ते, स्वागत है",
    "Press 1 for sales & 2 for support",
    "Thank you for calling Example Telecom",
)
_PROMPTS = ("Enter your PIN", "Enter your 4 digit code", "Type your order number & #", "PIN?")
_LANGS = ("en", "en-IN", "hi-IN", "fr")
_VOICES = ("Aditi", "Raveena", "Kajal", "Celine")
_KEYS = ("#", "*", "0")


def inputs(count: int = 64, seed: int = 7) -> list[Inputs]:
    """``count`` varied input sets for the flow, the same every run."""
    r = random.Random(seed)
    out: list[Inputs] = []
    for i in range(count):
        query = f"?lang=en&v={r.randint(1, 9)}" if i % 4 == 3 else ""
        out.append(
            (
                _GREETINGS[i % len(_GREETINGS)],
                _LANGS[r.randrange(len(_LANGS))],
                "polly",
                _VOICES[r.randrange(len(_VOICES))],
                _PROMPTS[r.randrange(len(_PROMPTS))],
                r.randint(1, 8),
                r.randint(3, 30),
                _KEYS[r.randrange(len(_KEYS))],
                f"https://cdn.example.com/ivr/{i}/menu.wav{query}",
                r.randint(0, 10),
            )
        )
    return out


# --- the floor: an f-string with real escaping and no checks ---------------------------


def _text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def floor(a: Inputs) -> str:
    """The same document by hand: every string escaped, nothing checked.

    It takes the inputs the way the exoml side does (one tuple, read by index), so the
    two differ only in what they do with them.
    """
    return (
        f'<Flow><Say preferredTTSEngine="{_attr(a[2])}" language="{_attr(a[1])}" '
        f'pollyVoiceId="{_attr(a[3])}">{_text(a[0])}</Say>'
        f'<Gather numDigits="{a[5]}" timeoutInSec="{a[6]}" finishOnKey="{_attr(a[7])}">'
        f"<Say>{_text(a[4])}</Say></Gather>"
        f'<StartPlay loop="{a[9]}">{_text(a[8])}</StartPlay><Hangup/></Flow>'
    )


def _exoml() -> tuple[Any, Any, type[BaseException]]:
    try:
        from exoml import Flow, Say
    except ImportError as exc:
        raise NotAvailable(f"exoml.Flow is not importable yet ({exc})") from exc
    import exoml

    flow_error: type[BaseException] = getattr(exoml, "FlowError", ValueError)
    return Flow, Say, flow_error


def exoml_builder() -> Callable[[Inputs], str]:
    """One exoml build and render, as a function of the inputs."""
    flow_cls, say_cls, _ = _exoml()

    def build(a: Inputs) -> str:
        out: str = (
            flow_cls()
            .say(a[0], language=a[1], preferred_tts_engine=a[2], polly_voice_id=a[3])
            .gather(say_cls(a[4]), num_digits=a[5], timeout_in_sec=a[6], finish_on_key=a[7])
            .start_play(a[8], loop=a[9])
            .hangup()
            .to_xml()
        )
        return out

    return build


def _c14n(doc: str | bytes) -> bytes:
    from lxml import etree

    data = doc.encode("utf-8") if isinstance(doc, str) else doc
    return etree.tostring(etree.fromstring(data), method="c14n")


def _check_floor_equal(build: Callable[[Inputs], str], cases: list[Inputs]) -> str:
    for a in cases:
        mine, hand = build(a), floor(a)
        if not isinstance(mine, str):
            raise CheckFailed(f"Flow.to_xml() returned {type(mine).__name__}, not str")
        if _c14n(mine) != _c14n(hand):
            raise CheckFailed(f"exoml's output differs from the floor's:\n{mine}\n{hand}")
    return f"exoml's output is C14N-equal to the floor's for all {len(cases)} input sets"


def _refusals() -> list[tuple[str, Callable[[], object]]]:
    """Calls through the same API that the checks must refuse."""
    flow_cls, say_cls, _ = _exoml()
    url = "https://cdn.example.com/a.wav"
    return [
        ("StartPlay loop=11", lambda: flow_cls().start_play(url, loop=11)),
        ("Gather num_digits=0", lambda: flow_cls().gather(num_digits=0)),
        ("Gather finish_on_key='##'", lambda: flow_cls().gather(finish_on_key="##")),
        ("Say '   ' (blank)", lambda: flow_cls().say("   ")),
        ("Say text with U+0000", lambda: flow_cls().say("a\x00b")),
        ("Say language='english!'", lambda: flow_cls().say("Hi", language="english!")),
        ("StartPlay 'ftp://' URL", lambda: flow_cls().start_play("ftp://x/a.wav")),
        ("nested Say '' (empty)", lambda: flow_cls().gather(say_cls(""))),
        ("misspelt keyword", lambda: flow_cls().say("Hi", langauge="en")),
    ]


def checks_running() -> tuple[list[str], list[str]]:
    """Which of the builder's checks refuse bad values (ok) and which do not (missing)."""
    _, _, flow_error = _exoml()
    ok: list[str] = []
    missing: list[str] = []
    for name, call in _refusals():
        try:
            call()
        except (flow_error, ValueError, TypeError):
            ok.append(name)
        else:
            missing.append(name)
    return ok, missing


def _twilio_builder() -> Callable[[tuple[Any, ...]], str]:
    try:
        from twilio.twiml.voice_response import VoiceResponse
    except ImportError as exc:
        raise NotAvailable("Twilio's SDK is not installed (pip install '.[bench]')") from exc

    def build(a: tuple[Any, ...]) -> str:
        # ``a`` is the exoml inputs plus Twilio's spelling of the voice, "Polly.<name>".
        r = VoiceResponse()
        r.say(a[0], voice=a[10], language=a[1])
        g = r.gather(num_digits=a[5], timeout=a[6], finish_on_key=a[7])
        g.say(a[4])
        r.play(a[8], loop=a[9])
        r.hangup()
        out: str = r.to_xml()
        return out

    return build


_TWIML_TO_EXOML = {"Response": "Flow", "Play": "StartPlay", "timeout": "timeoutInSec"}


def _shape(doc: str) -> list[tuple[str, str, dict[str, str]]]:
    """Element names, texts and the attributes both dialects share, in document order."""
    from lxml import etree

    data = doc.encode("utf-8")
    root = etree.fromstring(data)
    out = []
    for el in root.iter():
        tag = _TWIML_TO_EXOML.get(str(el.tag), str(el.tag))
        attrs = {
            _TWIML_TO_EXOML.get(str(k), str(k)): str(v)
            for k, v in el.attrib.items()
            if k not in ("voice", "pollyVoiceId", "preferredTTSEngine")
        }
        out.append((tag, el.text or "", attrs))
    return out


def run(ctx: Context) -> list[RowResult]:
    twilio_row = RowResult(
        key="build_twilio",
        comparison="build + serialise a flow: exoml vs Twilio VoiceResponse",
        baseline_name="Twilio VoiceResponse (equivalent TwiML)",
        ratio_meaning="Twilio time / exoml time (speed-up)",
        target=Target(">=", 10.0, "exoml >= 10x faster"),
    )
    floor_row = RowResult(
        key="build_floor",
        comparison="build + serialise a flow: exoml vs f-string floor",
        baseline_name="hand-written f-string with escaping, no checks",
        ratio_meaning="exoml time / floor time",
        target=Target("<=", 3.0, "within 3x, checks running"),
    )
    rows = ctx.register(twilio_row, floor_row)
    try:
        build = exoml_builder()
    except NotAvailable as exc:
        for row in rows:
            row.status, row.note = "not available", str(exc)
        return rows

    cases = inputs()
    reps = ctx.reps(15, 3)
    min_batch = 0.004 if ctx.quick else 0.02
    blocks = 1 if ctx.quick else 6  # interleaved blocks per repetition (alternate_many)

    def batch(fn: Callable[[Any], str], n: int, items: list[Any] = cases) -> Callable[[], object]:
        seq = (items * (n // len(items) + 1))[:n]

        def go() -> None:
            for a in seq:
                fn(a)

        return go

    # --- exoml vs the floor -----------------------------------------------------------
    floor_row.checks.append(_check_floor_equal(build, cases))
    ok, missing = checks_running()
    floor_row.checks.append(f"the builder refuses {len(ok)}/{len(ok) + len(missing)} bad calls")
    floor_row.details["refused"] = ok
    floor_row.details["not_refused"] = missing
    if missing:
        floor_row.note = "checks not running: " + ", ".join(missing)
    n = calibrate(lambda k: batch(build, k)(), min_batch)
    t_exoml, t_floor = alternate_many([batch(build, n), batch(floor, n)], reps, blocks=blocks)
    floor_row.exoml = fmt_time(median_seconds(t_exoml, n * blocks)) + "/flow"
    floor_row.baseline = fmt_time(median_seconds(t_floor, n * blocks)) + "/flow"
    floor_row.details.update(
        iterations_per_block=n, blocks=blocks, exoml_ns=t_exoml, floor_ns=t_floor
    )
    floor_row.finish([e / f for e, f in zip(t_exoml, t_floor, strict=True)], extra_ok=not missing)
    if not floor_row.met and not ctx.quick:
        floor_row.details["profile"] = profile_call(batch(build, n))

    # --- exoml vs Twilio --------------------------------------------------------------
    try:
        twilio = _twilio_builder()
    except NotAvailable as exc:
        twilio_row.status, twilio_row.note = "not available", str(exc)
        return rows
    voiced: list[Any] = [(*a, f"Polly.{a[3]}") for a in cases]
    for a, v in zip(cases, voiced, strict=True):
        theirs, mine = _shape(twilio(v)), _shape(build(a))
        if theirs != mine:
            raise CheckFailed(f"Twilio's document is not the equivalent:\n{theirs}\n{mine}")
    twilio_row.checks.append(
        f"Twilio's TwiML has the same elements, texts and shared attributes as exoml's "
        f"ExoML for all {len(cases)} input sets"
    )
    t_twilio, t_exoml = alternate_many(
        [batch(twilio, n, voiced), batch(build, n)], reps, blocks=blocks
    )
    twilio_row.baseline = fmt_time(median_seconds(t_twilio, n * blocks)) + "/flow"
    twilio_row.exoml = fmt_time(median_seconds(t_exoml, n * blocks)) + "/flow"
    twilio_row.details.update(
        iterations_per_block=n, blocks=blocks, twilio_ns=t_twilio, exoml_ns=t_exoml
    )
    twilio_row.finish([t / e for t, e in zip(t_twilio, t_exoml, strict=True)])
    if not twilio_row.met and not ctx.quick and "profile" in floor_row.details:
        twilio_row.details["profile"] = floor_row.details["profile"]
    elif not twilio_row.met and not ctx.quick:
        twilio_row.details["profile"] = profile_call(batch(build, n))
    return rows
