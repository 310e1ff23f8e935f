"""A deterministic corpus of small, varied ExoML files, valid but for a few.

The same seed always writes the same bytes, so two runs (or two machines) lint the same
files. The corpus lives under ``bench/.work/`` (git-ignored) and is rewritten when its
recipe changes.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

RECIPE_VERSION = 4
SEED = 20240611
FILES_PER_DIR = 500

# Each of these is invalid against the schema and against every reading of the reference:
# a bound, an unknown verb, the classic dialect's root, a missing required attribute, an
# enumeration, text in an empty verb, a document that is not well-formed, a wrong scheme.
# The classic document is invalid as classic too: a TwiML voice where Exotel takes man or
# woman (the linter reads a <Response> as the classic dialect; xmllint, with the leg
# actions schema, refuses its root).
INVALID_DOCUMENTS: tuple[str, ...] = (
    '<Flow><StartPlay loop="11">https://cdn.example.com/audio/hold.wav</StartPlay></Flow>\n',
    "<Flow><Play>https://cdn.example.com/audio/hold.wav</Play></Flow>\n",
    '<Response><Say voice="Polly.Aditi">Hello</Say></Response>\n',
    '<Flow><JoinBridge absorbDtmf="true"/></Flow>\n',
    '<Flow><Gather numDigits="0" timeoutInSec="5"><Say>Enter</Say></Gather></Flow>\n',
    '<Flow><Gather numDigits="4" finishOnKey="##"/></Flow>\n',
    "<Flow><Hangup>now</Hangup></Flow>\n",
    "<Flow><Say>Hello</Say>\n",
    '<Flow><Mute direction="sideways"/></Flow>\n',
    '<Flow><StartStream streamUrl="https://bot.example.com/stream"/></Flow>\n',
)

_WORDS = (
    "welcome to",
    "thank you for calling",
    "please hold",
    "your order",
    "has shipped",
    "press one for sales",
    "press two for support",
    "Tom & Jerry's",
    "account balance",
    "is <low>",
    "namaste",
    "our agents are busy",
    "your call is important",
    "goodbye",
    "café opening hours",
)
_LANGUAGES = ("en", "en-IN", "hi-IN", "ta-IN", "en-US", "kn")
_VOICES = ("Aditi", "Raveena", "Kajal", "Joanna", "Matthew")
_FILES = ("welcome", "menu", "hold-music", "goodbye", "promo_2024", "ivr/en/main")
_HOSTS = ("cdn.example.com", "media.example.in", "audio.example.net:8443")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attrs(pairs: list[tuple[str, str]]) -> str:
    return "".join(f' {k}="{_esc(v)}"' for k, v in pairs)


class _Gen:
    """Writes one random but valid document per call."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def text(self) -> str:
        r = self.r
        words = [r.choice(_WORDS) for _ in range(r.randint(1, 4))]
        return " ".join(words).capitalize() + r.choice((".", "!", "", "?"))

    def url(self) -> str:
        r = self.r
        query = f"?v={r.randint(1, 99)}" if r.random() < 0.2 else ""
        ext = r.choice(("wav", "mp3"))
        return f"https://{r.choice(_HOSTS)}/{r.choice(_FILES)}.{ext}{query}"

    def say(self) -> str:
        r = self.r
        pairs: list[tuple[str, str]] = []
        if r.random() < 0.6:
            engine = r.choice(("polly", "googletts"))
            pairs.append(("preferredTTSEngine", engine))
            if r.random() < 0.8:
                pairs.append(("language", r.choice(_LANGUAGES)))
            if engine == "polly" and r.random() < 0.7:
                pairs.append(("pollyVoiceId", r.choice(_VOICES)))
        elif r.random() < 0.3:
            pairs.append(("language", r.choice(_LANGUAGES)))
        if r.random() < 0.15:
            pairs.append(("loop", str(r.randint(0, 10))))
        return f"<Say{_attrs(pairs)}>{_esc(self.text())}</Say>"

    def start_play(self) -> str:
        r = self.r
        pairs = [("loop", str(r.randint(0, 10)))] if r.random() < 0.6 else []
        return f"<StartPlay{_attrs(pairs)}>{_esc(self.url())}</StartPlay>"

    def gather(self) -> str:
        r = self.r
        pairs: list[tuple[str, str]] = [("numDigits", str(r.randint(1, 12)))]
        if r.random() < 0.8:
            pairs.append(("timeoutInSec", str(r.randint(1, 30))))
        if r.random() < 0.7:
            pairs.append(("finishOnKey", r.choice("#*0123456789")))
        r.shuffle(pairs)
        prompts = [
            self.say() if r.random() < 0.7 else self.start_play() for _ in range(r.randint(0, 2))
        ]
        if not prompts:
            return f"<Gather{_attrs(pairs)}/>"
        return f"<Gather{_attrs(pairs)}>{''.join(prompts)}</Gather>"

    def simple(self) -> str:
        r = self.r
        kind = r.randrange(12)
        if kind == 0:
            return "<Hold/>" if r.random() < 0.3 else f"<Hold>{self.start_play()}</Hold>"
        if kind == 1:
            return f'<Mute direction="{r.choice(("in", "out", "both"))}"/>'
        if kind == 2:
            return f'<UnMute direction="{r.choice(("in", "out", "both"))}"/>'
        if kind == 3:
            pairs = [
                ("direction", r.choice(("in", "out", "both"))),
                ("format", r.choice(("wav", "mp3"))),
                ("storageType", r.choice(("s3", "https"))),
            ]
            return f"<StartRecording{_attrs(pairs[: r.randint(0, 3)])}/>"
        if kind == 4:
            pairs = [("bridgeSid", f"br{r.getrandbits(48):012x}")]
            if r.random() < 0.5:
                pairs.append(("absorbDtmf", r.choice(("true", "false"))))
            return f"<JoinBridge{_attrs(pairs)}/>"
        if kind == 5:
            pairs = [
                ("streamUrl", f"wss://bot{r.randint(1, 9)}.example.com/stream/{r.randint(1, 999)}")
            ]
            if r.random() < 0.6:
                pairs.append(("streamType", r.choice(("unidirectional", "bidirectional"))))
            return f"<StartStream{_attrs(pairs)}/>"
        if kind == 6:
            pairs = [("monitoringLegSid", f"leg{r.getrandbits(48):012x}")]
            if r.random() < 0.6:
                pairs.append(("rxAudio", r.choice(("muted", "enabled"))))
            return f"<StartMonitoring{_attrs(pairs)}/>"
        if kind == 7:
            endpoint = (
                f"grpc://events{r.randint(1, 9)}.example.com:{r.randint(9000, 9999)}"
                if r.random() < 0.5
                else f"https://hooks.example.com/legs/{r.randint(1, 99999)}"
            )
            return f'<Refer legEventEndpoint="{endpoint}"/>'
        return "<{}/>".format(
            r.choice(
                (
                    "StopPlay",
                    "StopSay",
                    "StopRecording",
                    "UnHold",
                    "LeaveBridge",
                    "StopStream",
                    "StopMonitoring",
                )
            )
        )

    def document(self) -> str:
        """One action per document, as the API's guide asks (and the linter's EX501)."""
        r = self.r
        pick = r.random()
        if pick < 0.3:
            verb = self.say()
        elif pick < 0.5:
            verb = self.start_play()
        elif pick < 0.7:
            verb = self.gather()
        elif pick < 0.75:
            verb = r.choice(("<Answer/>", "<Hangup/>"))
        else:
            verb = self.simple()
        decl = '<?xml version="1.0" encoding="UTF-8"?>\n' if r.random() < 0.25 else ""
        if r.random() < 0.4:
            return f"{decl}<Flow>\n  {verb}\n</Flow>\n"
        return f"{decl}<Flow>{verb}</Flow>\n"


@dataclass(frozen=True)
class Corpus:
    """The files on disk and what is known about them."""

    root: Path  # the directory to lint
    files: tuple[str, ...]  # paths relative to root.parent, sorted, '/'-separated
    invalid: frozenset[str]  # the subset of files that is invalid
    one: Path  # a single valid, clean, typical document for the start-up row

    def read(self, rel: str) -> bytes:
        return (self.root.parent / rel).read_bytes()


# The build rows' flow as a document: what the client rows send.
TYPICAL = (
    '<Flow><Say preferredTTSEngine="polly" language="en" pollyVoiceId="Aditi">Welcome to '
    'Example Bank</Say><Gather numDigits="4" timeoutInSec="10" finishOnKey="#"><Say>Enter '
    'your PIN</Say></Gather><StartPlay loop="2">https://cdn.example.com/hold.wav</StartPlay>'
    "<Hangup/></Flow>\n"
)


# One action, as the corpus: a prompt and a PIN entry (the start-up row lints this file).
ONE = (
    '<Flow><Gather numDigits="4" timeoutInSec="10" finishOnKey="#"><Say '
    'preferredTTSEngine="polly" language="en" pollyVoiceId="Aditi">Welcome to Example Bank. '
    "Please enter your PIN.</Say></Gather></Flow>\n"
)


def invalid_positions(count: int) -> dict[int, str]:
    """Where the invalid documents go: spread evenly, none at the very start."""
    step = max(count // len(INVALID_DOCUMENTS), 1)
    return {(i * step + step * 437 // 1000) % count: doc for i, doc in enumerate(INVALID_DOCUMENTS)}


def build(work: Path, count: int = 10_000) -> Corpus:
    """Write (or reuse) ``count`` files under ``work/corpus-<count>/``; return the corpus."""
    base = work / f"corpus-{count}"
    root = base / "corpus"
    manifest_path = base / "manifest.json"
    recipe = {"version": RECIPE_VERSION, "seed": SEED, "count": count}
    bad = invalid_positions(count)
    names = [f"corpus/d{i // FILES_PER_DIR:02d}/f{i:05d}.xml" for i in range(count)]
    invalid = frozenset(names[i] for i in bad)
    one = base / "one.xml"
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text())
        except ValueError:
            manifest = {}
        if manifest.get("recipe") == recipe and _fingerprint(base, names) == manifest.get("sha"):
            return Corpus(root, tuple(names), invalid, one)
    if base.exists():
        shutil.rmtree(base)
    gen = _Gen(SEED)
    for i, name in enumerate(names):
        doc = bad.get(i) or gen.document()
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc.encode("utf-8"))
    one.write_text(ONE, encoding="utf-8")
    manifest_path.write_text(json.dumps({"recipe": recipe, "sha": _fingerprint(base, names)}))
    return Corpus(root, tuple(names), invalid, one)


def _fingerprint(base: Path, names: list[str]) -> str:
    h = hashlib.sha256()
    for name in names:
        try:
            h.update((base / name).read_bytes())
        except OSError:
            return ""
        h.update(b"\0")
    return h.hexdigest()
