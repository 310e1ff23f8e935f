"""The verb catalogue: the one table that knows every ExoML name, type and bound.

The builder's checks, the check engine (``exoml.validate`` and the linter), the XSD in
``schema/exoml.xsd`` and the verb reference in ``docs/verbs.md`` are all derived from
:data:`VERBS`. A wrong wire name is a one-line fix here; tests fail when anything
derived from it drifts.

Evidence levels (see the reference notes): ``doc`` — Exotel's documentation; ``code`` —
public code that targets the same API; ``guess`` — only the documentation's lowercase
letters, casing inferred from the PascalCase/lowerCamelCase convention.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from ._values import ANY, NOT_NEWLINE, NOT_SPACE, Bool, Choice, IntRange, Pattern, ValueKind

__all__ = [
    "CLASSIC_ROOT",
    "ROOT",
    "VERBS",
    "Attr",
    "Evidence",
    "Text",
    "VerbSpec",
    "fast_check",
    "verb",
]

Evidence = Literal["doc", "code", "guess"]

#: The root element of a Leg Actions document.
ROOT = "Flow"
#: The root of the classic call-flow dialect, which the actions endpoint does not take.
CLASSIC_ROOT = "Response"


class Attr(NamedTuple):
    """One attribute of a verb."""

    name: str  # the ExoML name, on the wire
    py: str  # the Python keyword argument
    kind: ValueKind
    doc: str
    required: bool = False
    default: str | None = None  # the API's documented default, for the reference only
    evidence: Evidence | None = None  # when it differs from the verb's
    aliases: tuple[str, ...] = ()  # other spellings seen in Exotel's docs


class Text(NamedTuple):
    """The text content of a verb that has some."""

    py: str  # the positional Python argument
    kind: ValueKind
    doc: str


class VerbSpec(NamedTuple):
    """One ExoML verb: its names, attributes, text and children."""

    element: str
    method: str
    summary: str
    evidence: tuple[Evidence, ...]
    attrs: tuple[Attr, ...] = ()
    text: Text | None = None
    children: tuple[str, ...] = ()  # element names allowed as children
    max_children: int | None = None  # None: any number (when children are allowed)
    children_py: str = ""  # the Python parameter that takes the children
    aliases: tuple[str, ...] = ()  # other element spellings seen in Exotel's docs

    @property
    def casing_confirmed(self) -> bool:
        """False when only the lowercase documentation supports this casing."""
        return self.evidence != ("guess",)

    @property
    def is_empty(self) -> bool:
        """True when the verb takes neither text nor children."""
        return self.text is None and not self.children


# --- value kinds shared by several verbs ----------------------------------------------

LOOP = IntRange(0, 10)
DIRECTION = Choice("in", "out", "both")
TOKEN = Pattern(
    f"{NOT_SPACE}({NOT_NEWLINE}*{NOT_SPACE})?",
    "must be non-empty, without leading or trailing whitespace or line breaks",
    "non-empty string, no surrounding spaces",
    "SID",
    fast_expr='{v} and {v}[0] != " " and {v}[-1] != " "',
)
HTTP_URL = Pattern(
    "https?://[^ \\t\\n\\r/?#]+([/?#][^ \\t\\n\\r]*)?",
    "must be an absolute http:// or https:// URL without spaces",
    "`http(s)://` URL",
    "https://example.com/audio.wav",
    fast_expr=(
        '(({v}.startswith("https://") and {v}[8:9] not in _NO_HOST)'
        ' or ({v}.startswith("http://") and {v}[7:8] not in _NO_HOST))'
        ' and " " not in {v}'
    ),
)
WS_URL = Pattern(
    "wss?://[^ \\t\\n\\r/?#]+([/?#][^ \\t\\n\\r]*)?",
    "must be an absolute wss:// (or ws://) URL without spaces",
    "`wss://` URL",
    "wss://bot.example.com/stream",
)
EVENT_ENDPOINT = Pattern(
    "grpcs?://[^ \\t\\n\\r/?#:]+:[0-9]+|https://[^ \\t\\n\\r/?#]+([/?#][^ \\t\\n\\r]*)?",
    "must be grpc://host:port, grpcs://host:port or an absolute https:// URL",
    "`grpc://host:port` or `https://` URL",
    "grpc://events.example.com:9001",
)
LANGUAGE = Pattern(
    "[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*",
    "must be a language tag such as 'en' or 'hi-IN'",
    "language tag",
    "en",
    safe=True,
    # "en", or "hi-IN": the common shapes, without the regular expression
    fast_expr=(
        "{v}.isascii() and ((len({v}) == 2 and {v}.isalpha())"
        ' or (len({v}) == 5 and {v}[2] == "-" and {v}[:2].isalpha() and {v}[3:].isalnum()))'
    ),
)
SPOKEN_TEXT = Pattern(
    f"{ANY}*{NOT_SPACE}{ANY}*",
    "must contain at least one non-whitespace character",
    "non-blank text",
    "Hello",
    check=lambda s: s.strip(" \t\n\r"),
    fast_expr='{v}.strip(" ")',
)


def _direction(doc: str) -> Attr:
    return Attr("direction", "direction", DIRECTION, doc)


# --- the catalogue --------------------------------------------------------------------

VERBS: tuple[VerbSpec, ...] = (
    VerbSpec("Answer", "answer", "Answer an incoming leg.", ("code",)),
    VerbSpec("Hangup", "hangup", "Terminate the leg.", ("code",)),
    VerbSpec(
        "StartPlay",
        "start_play",
        "Play an audio file to the leg.",
        ("doc", "code"),
        attrs=(Attr("loop", "loop", LOOP, "How many times to repeat (0 to 10).", default="0"),),
        text=Text("url", HTTP_URL, "The audio file's URL."),
    ),
    VerbSpec("StopPlay", "stop_play", "Stop audio playback.", ("doc", "code")),
    VerbSpec(
        "Say",
        "say",
        "Speak text to the leg (text to speech).",
        ("doc", "code"),
        attrs=(
            Attr(
                "preferredTTSEngine",
                "preferred_tts_engine",
                Choice("polly", "googletts"),
                "The text-to-speech engine.",
            ),
            Attr("language", "language", LANGUAGE, "The language of the text.", default="en"),
            Attr(
                "pollyVoiceId",
                "polly_voice_id",
                TOKEN,
                "The voice, e.g. `Aditi` (with the polly engine).",
            ),
            Attr("loop", "loop", LOOP, "How many times to repeat (0 to 10)."),
        ),
        text=Text("text", SPOKEN_TEXT, "What to speak."),
        aliases=("StartSay",),
    ),
    VerbSpec("StopSay", "stop_say", "Stop text-to-speech playback.", ("doc", "code")),
    VerbSpec(
        "StartRecording",
        "start_recording",
        "Start recording the leg.",
        ("code",),
        attrs=(
            _direction("Which audio to record."),
            Attr("format", "format", Choice("wav", "mp3"), "The recording's file format."),
            Attr("storageType", "storage_type", Choice("s3", "https"), "Where the file is stored."),
        ),
    ),
    VerbSpec("StopRecording", "stop_recording", "Stop recording.", ("code",)),
    VerbSpec(
        "Gather",
        "gather",
        "Collect keypad (DTMF) input, optionally after prompts.",
        ("doc", "code"),
        attrs=(
            Attr("numDigits", "num_digits", IntRange(1), "How many digits to collect."),
            Attr("timeoutInSec", "timeout_in_sec", IntRange(1), "How long to wait, in seconds."),
            Attr(
                "finishOnKey",
                "finish_on_key",
                Choice("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"),
                "The key that ends input.",
            ),
        ),
        children=("Say", "StartPlay"),
        children_py="prompts",
    ),
    VerbSpec(
        "Hold",
        "hold",
        "Put the leg on hold, optionally with music.",
        ("doc", "code"),
        children=("StartPlay",),
        max_children=1,
        children_py="music",
    ),
    VerbSpec("UnHold", "unhold", "Take the leg off hold.", ("code",)),
    VerbSpec(
        "Mute", "mute", "Mute the leg's audio.", ("code",), attrs=(_direction("Which audio."),)
    ),
    VerbSpec(
        "UnMute",
        "unmute",
        "Unmute the leg's audio.",
        ("code",),
        attrs=(_direction("Which audio."),),
    ),
    VerbSpec(
        "JoinBridge",
        "join_bridge",
        "Join the leg to an existing bridge.",
        ("guess",),
        attrs=(
            Attr("bridgeSid", "bridge_sid", TOKEN, "The bridge to join.", required=True),
            Attr("absorbDtmf", "absorb_dtmf", Bool(), "Whether to absorb DTMF tones."),
        ),
    ),
    VerbSpec("LeaveBridge", "leave_bridge", "Take the leg out of its bridge.", ("guess",)),
    VerbSpec(
        "StartStream",
        "start_stream",
        "Stream the leg's audio to (and from) a WebSocket endpoint.",
        ("code",),
        attrs=(
            Attr(
                "streamUrl",
                "stream_url",
                WS_URL,
                "The WebSocket URL.",
                required=True,
                aliases=("url",),
            ),
            Attr(
                "streamType",
                "stream_type",
                Choice("unidirectional", "bidirectional"),
                "One-way or two-way audio.",
            ),
        ),
    ),
    VerbSpec("StopStream", "stop_stream", "Stop streaming.", ("code",)),
    VerbSpec(
        "StartMonitoring",
        "start_monitoring",
        "Monitor another leg: listen (rxAudio muted) or whisper (enabled).",
        ("guess",),
        attrs=(
            Attr(
                "monitoringLegSid",
                "monitoring_leg_sid",
                TOKEN,
                "The leg to monitor.",
                required=True,
            ),
            Attr(
                "rxAudio",
                "rx_audio",
                Choice("muted", "enabled"),
                "`muted` to listen, `enabled` to whisper.",
            ),
        ),
    ),
    VerbSpec("StopMonitoring", "stop_monitoring", "Stop monitoring.", ("guess",)),
    VerbSpec(
        "Refer",
        "refer",
        "Change where the leg's events are delivered.",
        ("guess",),
        attrs=(
            Attr(
                "legEventEndpoint",
                "leg_event_endpoint",
                EVENT_ENDPOINT,
                "The new event endpoint.",
                required=True,
            ),
        ),
    ),
)

_BY_ELEMENT = {v.element: v for v in VERBS}


def fast_check(element: str, attr: str | None = None) -> Callable[[str], object]:
    """The builder's quick test for an attribute (or, with no ``attr``, the text)."""
    spec = _BY_ELEMENT[element]
    if attr is None:
        assert spec.text is not None
        kind = spec.text.kind
    else:
        kind = next(a.kind for a in spec.attrs if a.name == attr)
    assert isinstance(kind, Pattern)
    return kind.fast_check


def verb(element: str) -> VerbSpec:
    """The catalogue row of an ExoML element name (KeyError when unknown)."""
    return _BY_ELEMENT[element]
