"""The verb catalogue: the one table that knows every ExoML name, type and bound.

The builder's checks, the check engine (``exoml.validate`` and the linter), the XSD in
``schema/exoml.xsd`` and the verb reference in ``docs/verbs.md`` are all derived from
:data:`VERBS`. A wrong wire name is a one-line fix here; tests fail when anything
derived from it drifts.

Evidence is recorded per name as the sources that show it (:data:`Source`, strongest
first): ``cased-docs`` — Exotel's developer portal, casing kept; ``seed`` — the Leg
Actions page of Exotel's other docs site, capitals lost; ``docs`` — other pages of that
site, capitals lost; ``go-sdk`` — Exotel's Go library for the classic dialect;
``third-party`` — public code that follows Exotel's API specification. A name that only
``third-party`` shows is plausible but unconfirmed; a casing that only the lowercase
sources show is inferred from the PascalCase/lowerCamelCase convention.

A :class:`Dialect` bundles one vocabulary: its root element, its verbs and its schema
file. Everything that knows a verb reads it from the dialect it is handed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from ._values import ANY, NOT_NEWLINE, NOT_SPACE, Bool, Choice, IntRange, Pattern, ValueKind

__all__ = [
    "BRIDGE",
    "CLASSIC",
    "CLASSIC_ROOT",
    "CLASSIC_VERBS",
    "DIALECTS",
    "EVENTS",
    "FOREIGN_ROOTS",
    "INSECURE_STREAM_SCHEME",
    "LEGS",
    "ROOT",
    "VERBS",
    "WS_URL",
    "Attr",
    "Dialect",
    "DialectName",
    "EventSpec",
    "Evidence",
    "Habit",
    "Names",
    "Source",
    "Text",
    "VerbSpec",
    "dialect",
    "fast_check",
    "names",
    "spellings",
    "verb",
]

#: Who shows a name, strongest first (see the module docstring).
Source = Literal["cased-docs", "seed", "docs", "go-sdk", "third-party"]
#: The sources that back one name.
Evidence = tuple[Source, ...]
#: The sources that keep capitals: a casing they show is confirmed.
CASED_SOURCES: frozenset[Source] = frozenset({"cased-docs", "go-sdk", "third-party"})
#: Exotel's own sources: a name one of them shows is documented.
EXOTEL_SOURCES: frozenset[Source] = frozenset({"cased-docs", "seed", "docs", "go-sdk"})

#: Where each source was seen, as a diagnostic or the reference says it.
SOURCE_NAMES: dict[Source, str] = {
    "cased-docs": "Exotel's developer portal (ExoML section)",
    "seed": "the Leg Actions page of Exotel's docs (lowercase)",
    "docs": "other pages of Exotel's docs (lowercase)",
    "go-sdk": "Exotel's Go library (goexoml)",
    "third-party": (
        "third-party code that follows Exotel's CPaaS API specification "
        "(a public IVR builder's mock of the API)"
    ),
}


def casing_confirmed(evidence: Evidence) -> bool:
    """False when only lowercase sources show a name: its casing is inferred."""
    return not CASED_SOURCES.isdisjoint(evidence)


def documented(evidence: Evidence) -> bool:
    """False when only third-party code shows a name: plausible, unconfirmed."""
    return not EXOTEL_SOURCES.isdisjoint(evidence)


DialectName = Literal["legs", "bridge", "classic"]

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
    evidence: Evidence | None = None  # None: the verb's
    aliases: tuple[str, ...] = ()  # other spellings seen in Exotel's docs
    # (attribute, value): this one has an effect only when that attribute has that value
    only_with: tuple[str, str] | None = None
    # another attribute of the same verb that means the same (two spellings, one meaning)
    spelling_of: str | None = None
    # a credential: written to the document, never shown in a repr, a message or a log
    secret: bool = False
    # the dialect whose verb of the same name ``evidence`` shows this attribute on, when
    # no source shows it on this dialect's verb (the bridge's ``StartPlay loop``: Exotel
    # documents it for the leg action only); accepted with warning EX510
    borrowed_from: DialectName | None = None

    def sources(self, verb: VerbSpec) -> Evidence:
        """The sources that back this attribute (the verb's when it records none)."""
        return verb.evidence if self.evidence is None else self.evidence

    def confirmed(self, verb: VerbSpec) -> bool:
        """Whether one of Exotel's sources shows this attribute on ``verb`` itself: not
        only third-party code, and not only on another dialect's verb of the same name
        (either is accepted with warning EX510)."""
        return self.borrowed_from is None and documented(self.sources(verb))


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
    evidence: Evidence
    attrs: tuple[Attr, ...] = ()
    text: Text | None = None
    children: tuple[str, ...] = ()  # element names allowed as children
    max_children: int | None = None  # None: any number (when children are allowed)
    children_py: str = ""  # the Python parameter that takes the children
    aliases: tuple[str, ...] = ()  # other element spellings seen in Exotel's docs
    events: tuple[str, ...] = ()  # names in :data:`EVENTS` this verb emits, in order
    # groups of attributes of which exactly one must be set (``StartStream``'s
    # ``streamUrl`` and ``url``); XSD 1.0 cannot say it, the engine does
    one_of: tuple[tuple[str, ...], ...] = ()
    # another verb that means the same (two spellings, one meaning: ``StartSay``/``Say``)
    spelling_of: str | None = None
    children_doc: str = ""  # what the children are, for the builder's property
    # children whose evidence differs from the verb's: (element, evidence)
    children_evidence: tuple[tuple[str, Evidence], ...] = ()
    # inline markup the text may hold (the classic Say's SSML): allowed, not checked inside
    markup: tuple[str, ...] = ()

    @property
    def casing_confirmed(self) -> bool:
        """False when only the lowercase documentation supports this casing."""
        return casing_confirmed(self.evidence)

    @property
    def documented(self) -> bool:
        """False when only third-party code shows this verb."""
        return documented(self.evidence)

    def child_sources(self, child: str) -> Evidence:
        """The sources that show ``child`` inside this verb."""
        return dict(self.children_evidence).get(child, self.evidence)

    def attr(self, name: str) -> Attr:
        """The attribute called ``name`` (KeyError when there is none)."""
        for a in self.attrs:
            if a.name == name:
                return a
        raise KeyError(name)


class EventSpec(NamedTuple):
    """One leg or bridge event Exotel delivers to an event endpoint."""

    name: str  # ``event_name``
    types: tuple[str, ...]  # the ``event_type`` values seen with it (sources may differ)
    evidence: Evidence
    doc: str
    data: tuple[str, ...] = ()  # fields of ``event_data.data`` known to come with it

    @property
    def documented(self) -> bool:
        """False when only third-party code shows this event."""
        return not EXOTEL_SOURCES.isdisjoint(self.evidence)


class Habit(NamedTuple):
    """A mistake carried over from another language (TwiML), and the ExoML way.

    ``attribute`` None: the element itself is the habit (``<Connect>``); else the
    attribute on that element (``input`` on ``Gather``), whether it is unknown or holds
    a value the dialect does not take (``voice="Aditi"``). ``hint`` is shown with the
    error the habit causes.
    """

    element: str
    attribute: str | None
    hint: str


class Dialect(NamedTuple):
    """One ExoML vocabulary: the root, the verbs and the schema that checks them.

    ``legs`` is what the Leg Actions endpoint takes, ``bridge`` what the Bridge Actions
    endpoint takes (both rooted at ``<Flow>``), ``classic`` the ``<Response>`` that Exotel
    fetches from an application's URL during a call flow.
    """

    name: DialectName
    root: str
    verbs: tuple[VerbSpec, ...]
    schema_file: str  # the file name under ``schema/`` (and in the wheel)
    title: str
    summary: str
    habits: tuple[Habit, ...] = ()  # habits from other languages, with their hints

    @property
    def top_level(self) -> tuple[str, ...]:
        """The verbs allowed directly under the root: those with a builder method (a
        ``Number`` stands only inside a ``Dial``)."""
        return tuple(v.element for v in self.verbs if v.method)

    def habit(self, element: str, attribute: str | None = None) -> str | None:
        """The hint for a habit on ``element`` (and ``attribute``), or None."""
        for h in self.habits:
            if h.element == element and h.attribute == attribute:
                return h.hint
        return None

    def verb(self, element: str) -> VerbSpec:
        """The row of an element name in this dialect (KeyError when unknown)."""
        for spec in self.verbs:
            if spec.element == element:
                return spec
        raise KeyError(element)


# --- value kinds shared by several verbs ----------------------------------------------

LOOP = IntRange(0, 10)
DIRECTION = Choice("in", "out", "both")
KEY = Choice("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#")
TOKEN = Pattern(
    f"{NOT_SPACE}({NOT_NEWLINE}*{NOT_SPACE})?",
    "must be non-empty, without leading or trailing whitespace or line breaks",
    "non-empty string, no surrounding spaces",
    "SID",
    fast_expr='{v} and {v}[0] != " " and {v}[-1] != " "',
    words=True,
)
#: Not XML white space, and none of the Unicode spaces either: a trimmed value must not
#: end in one (validators differ on whether xs:token collapsing removes them).
_URL_CHAR = "[^ \\t\\n\\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
HTTP_URL = Pattern(
    f"https?://{_URL_CHAR[:-1]}/?#]+([/?#]{_URL_CHAR}*)?",
    "must be an absolute http:// or https:// URL without spaces",
    "`http(s)://` URL",
    "https://example.com/audio.wav",
    fast_expr=(
        '(({v}[:8] == "https://" and len({v}) > 8 and {v}[8] not in "/?#")'
        ' or ({v}[:7] == "http://" and len({v}) > 7 and {v}[7] not in "/?#"))'
        ' and " " not in {v} and {v}.isascii()'
    ),
)
#: What ``StartPlay`` plays: an http(s) URL, or one of Exotel's sounds (``sound:name``,
#: also written ``sound://https://...``). Exotel's examples put the URL on its own
#: indented line: the value is checked after trimming.
AUDIO_URL = Pattern(
    f"https?://{_URL_CHAR[:-1]}/?#]+([/?#]{_URL_CHAR}*)?|sound:{_URL_CHAR}+",
    "must be an absolute http:// or https:// URL, or sound:NAME, without spaces",
    "`http(s)://` URL or `sound:` name",
    "https://example.com/audio.wav",
    fast_expr=(
        '(({v}[:8] == "https://" and len({v}) > 8 and {v}[8] not in "/?#")'
        ' or ({v}[:7] == "http://" and len({v}) > 7 and {v}[7] not in "/?#")'
        ' or ({v}[:6] == "sound:" and len({v}) > 6))'
        ' and " " not in {v} and {v}.isascii()'
    ),
    trim=True,
)
WS_URL = Pattern(
    "wss?://[^ \\t\\n\\r/?#]+([/?#][^ \\t\\n\\r]*)?",
    "must be an absolute wss:// (or ws://) URL without spaces",
    "`wss://` URL",
    "wss://bot.example.com/stream",
)
#: The scheme of a stream URL that carries the call's audio unencrypted (warning EX503).
INSECURE_STREAM_SCHEME = "ws://"
#: Exotel's create-leg examples write gRPC endpoints without a port.
EVENT_ENDPOINT = Pattern(
    "grpcs?://[^ \\t\\n\\r/?#:]+(:[0-9]+)?|https://[^ \\t\\n\\r/?#]+([/?#][^ \\t\\n\\r]*)?",
    "must be grpc://host[:port], grpcs://host[:port] or an absolute https:// URL",
    "`grpc://host[:port]` or `https://` URL",
    "grpc://events.example.com:9001",
)
#: A media type with parameters, as ``contentType`` takes it: ``audio/x-mulaw;rate=8000``.
MEDIA_TYPE = Pattern(
    "[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]*/[a-zA-Z0-9][a-zA-Z0-9!#$&^_.+-]*"
    "( *; *[a-zA-Z0-9!#$&^_.+-]+=[^ ;\\t\\n\\r]+)*",
    "must be a media type such as audio/x-mulaw;rate=8000",
    "media type",
    "audio/x-mulaw;rate=8000",
)
#: The number or SIP URI a leg calls: a number with 0 or a country code, or sip:...
CONTACT_URI = Pattern(
    "\\+?[0-9]{3,18}|sips?:[^ \\t\\n\\r]+",
    "must be a phone number (digits, an optional leading +) or a sip: URI",
    "phone number or `sip:` URI",
    "+919876543210",
)
PHONE = Pattern(
    "\\+?[0-9]{3,18}",
    "must be a phone number: digits, with an optional leading +",
    "phone number",
    "08047091234",
)
#: The DTMF digits ``SendDigits`` plays (checked after trimming, like Exotel's examples).
DIGITS = Pattern(
    "[0-9*#]+",
    "must be DTMF digits: 0-9, * and #",
    "digits, `*`, `#`",
    "1234#",
    trim=True,
)
SPOKEN_TEXT = Pattern(
    f"{ANY}*{NOT_SPACE}{ANY}*",
    "must contain at least one non-whitespace character",
    "non-blank text",
    "Hello",
    check=lambda s: s.strip(" \t\n\r"),
    fast_expr='{v}.strip(" ")',
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

_CASED: Evidence = ("cased-docs",)
_THIRD_PARTY: Evidence = ("third-party",)


def _direction(doc: str) -> Attr:
    return Attr("direction", "direction", DIRECTION, doc)


def _third(name: str, py: str, kind: ValueKind, doc: str, *, secret: bool = False) -> Attr:
    """An attribute that only third-party code shows (accepted with warning EX510)."""
    return Attr(name, py, kind, doc, evidence=_THIRD_PARTY, secret=secret)


#: The attributes of text to speech, shared by ``Say`` and ``StartSay``.
_SAY_ATTRS = (
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
        only_with=("preferredTTSEngine", "polly"),
    ),
    Attr("loop", "loop", LOOP, "How many times to repeat (0 to 10)."),
)
_SAY_TEXT = Text("text", SPOKEN_TEXT, "What to speak.")
_SAY_EVENTS = ("say_started", "say_completed", "say_interrupted")
#: What a prompt or a media sequence may hold.
_MEDIA = ("Say", "StartPlay", "StartSay")


# --- the catalogue --------------------------------------------------------------------

VERBS: tuple[VerbSpec, ...] = (
    VerbSpec(
        "Answer",
        "answer",
        "Answer an incoming leg.",
        ("seed", "third-party"),
        events=("leg_answered",),
    ),
    VerbSpec(
        "Hangup",
        "hangup",
        "Terminate the leg.",
        ("seed", "cased-docs", "third-party"),
        events=("leg_terminated",),
    ),
    VerbSpec(
        "StartPlay",
        "start_play",
        "Play an audio file (or one of Exotel's sounds) to the leg.",
        ("seed", "cased-docs", "third-party"),
        attrs=(
            Attr("loop", "loop", LOOP, "How many times to repeat (0 to 10).", default="0"),
            Attr(
                "username",
                "username",
                TOKEN,
                "User name for basic authentication to the file's URL.",
                evidence=_CASED,
            ),
            Attr(
                "password",
                "password",
                TOKEN,
                "Password for basic authentication to the file's URL (never shown).",
                evidence=_CASED,
                secret=True,
            ),
        ),
        text=Text("url", AUDIO_URL, "The audio file's URL, or `sound:NAME`."),
        events=("play_started", "play_completed", "play_interrupted", "play_failed_to_start"),
    ),
    VerbSpec(
        "StopPlay", "stop_play", "Stop audio playback.", ("seed", "cased-docs", "third-party")
    ),
    VerbSpec(
        "Say",
        "say",
        "Speak text to the leg (text to speech).",
        ("seed", "docs", "third-party"),
        attrs=_SAY_ATTRS,
        text=_SAY_TEXT,
        events=_SAY_EVENTS,
    ),
    VerbSpec(
        "StartSay",
        "start_say",
        "Speak text to the leg: the cased documentation's spelling of `Say`.",
        ("cased-docs",),
        attrs=_SAY_ATTRS,
        text=_SAY_TEXT,
        events=_SAY_EVENTS,
        spelling_of="Say",
    ),
    VerbSpec(
        "StopSay",
        "stop_say",
        "Stop text-to-speech playback.",
        ("seed", "cased-docs", "docs", "third-party"),
    ),
    VerbSpec(
        "StartRecording",
        "start_recording",
        "Start recording the leg.",
        ("seed", "third-party"),
        attrs=(
            _direction("Which audio to record."),
            Attr("format", "format", Choice("wav", "mp3"), "The recording's file format."),
            Attr("storageType", "storage_type", Choice("s3", "https"), "Where the file is stored."),
            _third("bitrate", "bitrate", IntRange(1), "The recording's bit rate."),
            _third("channel", "channel", TOKEN, "Which channel layout to record."),
            _third("storageURL", "storage_url", HTTP_URL, "Where to upload the file."),
            _third("storageURLKey", "storage_url_key", TOKEN, "The upload's key."),
            _third(
                "storageURLToken",
                "storage_url_token",
                TOKEN,
                "The upload's token (never shown).",
                secret=True,
            ),
            _third("silenceInSec", "silence_in_sec", IntRange(1), "Stop after this silence."),
            _third("finishOnKey", "finish_on_key", KEY, "The key that stops recording."),
            _third("timeoutInSec", "timeout_in_sec", IntRange(1), "The longest recording."),
        ),
        children=("Say",),
        max_children=1,
        children_py="prompt",
        children_doc="The prompt spoken before recording (a voicemail), or None.",
        children_evidence=(("Say", _THIRD_PARTY),),
        events=("recording_started",),
    ),
    VerbSpec(
        "StopRecording",
        "stop_recording",
        "Stop recording.",
        ("seed", "third-party"),
        events=("recording_stopped", "recording_available"),
    ),
    VerbSpec(
        "Gather",
        "gather",
        "Collect keypad (DTMF) input, optionally after prompts.",
        ("seed", "cased-docs", "third-party"),
        attrs=(
            Attr("numDigits", "num_digits", IntRange(1), "How many digits to collect."),
            Attr("timeoutInSec", "timeout_in_sec", IntRange(1), "How long to wait, in seconds."),
            Attr("finishOnKey", "finish_on_key", KEY, "The key that ends input."),
        ),
        children=_MEDIA,
        children_py="prompts",
        children_doc="The nested prompts, in order.",
        events=("gather_initiated", "gather_started", "gather_success"),
    ),
    VerbSpec(
        "Hold",
        "hold",
        "Put the leg on hold, optionally with music.",
        ("seed", "cased-docs", "third-party"),
        children=("StartPlay",),
        max_children=1,
        children_py="music",
        children_doc="The music on hold, or None.",
        events=("hold_started", "hold_success"),
    ),
    VerbSpec(
        "UnHold",
        "unhold",
        "Take the leg off hold.",
        ("seed", "cased-docs", "third-party"),
        events=("hold_ended", "unhold_success"),
    ),
    VerbSpec(
        "Mute",
        "mute",
        "Mute the leg's audio.",
        ("seed", "third-party"),
        attrs=(_direction("Which audio."),),
        events=("mute_success",),
    ),
    VerbSpec(
        "UnMute",
        "unmute",
        "Unmute the leg's audio.",
        ("seed", "third-party"),
        attrs=(_direction("Which audio."),),
        events=("unmute_success",),
    ),
    VerbSpec(
        "JoinBridge",
        "join_bridge",
        "Join the leg to an existing bridge.",
        ("seed",),
        attrs=(
            Attr("bridgeSid", "bridge_sid", TOKEN, "The bridge to join.", required=True),
            Attr("absorbDtmf", "absorb_dtmf", Bool(), "Whether to absorb DTMF tones."),
        ),
        events=("leg_joined_bridge",),
    ),
    VerbSpec(
        "LeaveBridge",
        "leave_bridge",
        "Take the leg out of its bridge.",
        ("seed",),
        events=("leg_left_bridge",),
    ),
    VerbSpec(
        "StartStream",
        "start_stream",
        "Stream the leg's audio to (and from) a WebSocket endpoint.",
        ("seed", "cased-docs", "third-party"),
        attrs=(
            Attr(
                "streamUrl",
                "stream_url",
                WS_URL,
                "The WebSocket URL (or give `url`: exactly one of the two).",
                evidence=("seed", "third-party"),
            ),
            Attr(
                "streamType",
                "stream_type",
                Choice("unidirectional", "bidirectional"),
                "One-way or two-way audio.",
                evidence=("cased-docs", "seed"),
            ),
            Attr(
                "url",
                "url",
                WS_URL,
                "The WebSocket URL: the cased documentation's spelling of `streamUrl`.",
                evidence=_CASED,
                spelling_of="streamUrl",
            ),
            Attr(
                "contentType",
                "content_type",
                MEDIA_TYPE,
                "The audio's media type.",
                default="audio/x-mulaw;rate=8000",
                evidence=_CASED,
            ),
            _third("secureDtmf", "secure_dtmf", Bool(), "Whether to keep DTMF off the stream."),
            _third("sourceDirection", "source_direction", TOKEN, "Which audio to stream."),
        ),
        one_of=(("streamUrl", "url"),),
        events=("stream_initiated", "stream_started"),
    ),
    VerbSpec(
        "StopStream",
        "stop_stream",
        "Stop streaming.",
        ("seed", "third-party"),
        attrs=(_third("streamSid", "stream_sid", TOKEN, "The stream to stop."),),
        events=("stream_stopped",),
    ),
    VerbSpec(
        "StartMonitoring",
        "start_monitoring",
        "Monitor another leg: listen (rxAudio muted) or whisper (enabled).",
        ("seed",),
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
    VerbSpec("StopMonitoring", "stop_monitoring", "Stop monitoring.", ("seed",)),
    VerbSpec(
        "Refer",
        "refer",
        "Change where the leg's events are delivered.",
        ("seed",),
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
    VerbSpec(
        "Dial",
        "dial",
        "Call a second leg and bridge it with this one.",
        ("cased-docs", "docs", "third-party"),
        attrs=(
            Attr(
                "contactUri",
                "contact_uri",
                CONTACT_URI,
                "The number or SIP URI to call.",
                required=True,
                evidence=("docs", "third-party"),
            ),
            Attr(
                "exophone",
                "exophone",
                PHONE,
                "The ExoPhone to call from.",
                required=True,
                evidence=("docs", "third-party"),
            ),
            Attr(
                "networkType",
                "network_type",
                Choice("pstn", "voip"),
                "The network of the second leg.",
                default="pstn",
                evidence=("docs", "third-party"),
            ),
            Attr(
                "absorbDtmf",
                "absorb_dtmf",
                Bool(),
                "Whether to absorb DTMF tones.",
                evidence=("docs", "third-party"),
            ),
            _third("timeout", "timeout", IntRange(1), "How long to ring, in seconds."),
            _third("customParam", "custom_param", TOKEN, "Echoed in the new leg's events."),
        ),
        events=("dial_initiated", "dial_success", "dial_completed"),
    ),
    VerbSpec(
        "SendDigits",
        "send_digits",
        "Play DTMF digits out to the leg.",
        ("docs", "third-party"),
        attrs=(
            _third("duration", "duration", IntRange(0), "How long each digit sounds, in ms."),
            _third("between", "between", IntRange(0), "The pause between digits, in ms."),
        ),
        text=Text("digits", DIGITS, "The digits to send."),
        events=("digits_sent",),
    ),
    VerbSpec(
        "PlaySequence",
        "play_sequence",
        "Play media actions in order (structure undocumented: accepted leniently).",
        ("docs",),
        children=_MEDIA,
        children_py="media",
        children_doc="The media actions, in order.",
    ),
)

_BY_ELEMENT = {v.element: v for v in VERBS}


def fast_check(
    element: str, attr: str | None = None, dialect_name: str = "legs"
) -> Callable[[str], object]:
    """The builder's quick test for an attribute (or, with no ``attr``, the text)."""
    spec = _BY_ELEMENT[element] if dialect_name == "legs" else dialect(dialect_name).verb(element)
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


# --- events ---------------------------------------------------------------------------

_LIFECYCLE = ("leg_lifecycle_event",)
_ACTION = ("leg_action_event",)
_BRIDGE = ("bridge_lifecycle_event",)
_DOCS: Evidence = ("cased-docs", "docs")
_THIRD: Evidence = ("third-party",)


def _event(
    name: str, types: tuple[str, ...], evidence: Evidence, doc: str, *data: str
) -> EventSpec:
    return EventSpec(name, types, evidence, doc, data)


#: Every event name Exotel's sources or third-party code show, with its evidence. A
#: receiver keeps events that are not listed here: Exotel adds names.
EVENTS: tuple[EventSpec, ...] = (
    _event("leg_connecting", _LIFECYCLE, _DOCS, "The leg is being set up."),
    _event("leg_ringing", _LIFECYCLE, _DOCS, "The far end is ringing."),
    # The event endpoint page says leg_action_event; older pages leg_lifecycle_event.
    _event("leg_answered", _LIFECYCLE + _ACTION, _DOCS, "The leg was answered."),
    _event("leg_terminated", _LIFECYCLE, _DOCS, "The leg ended."),
    _event("leg_failed_to_create", _LIFECYCLE, _DOCS, "The leg could not be created."),
    _event("amd_result_success", _LIFECYCLE, _DOCS, "Answering-machine detection finished."),
    _event("play_started", _ACTION, _DOCS, "Playback started."),
    _event("play_completed", _ACTION, _DOCS, "Playback finished."),
    _event("play_interrupted", _ACTION, _DOCS, "Playback was stopped before its end."),
    _event("play_failed_to_start", _ACTION, _DOCS, "Playback could not start."),
    _event("say_started", _ACTION, _THIRD, "Speech started."),
    _event("say_completed", _ACTION, _DOCS, "Speech finished."),
    _event("say_interrupted", _ACTION, _THIRD, "Speech was stopped before its end."),
    _event("hold_started", _ACTION, _DOCS, "The leg is on hold."),
    _event("hold_success", _ACTION, _THIRD, "The hold took effect."),
    _event("hold_ended", _ACTION, _DOCS, "The leg is off hold."),
    _event("unhold_success", _ACTION, _THIRD, "The unhold took effect."),
    _event("mute_success", _ACTION, _THIRD, "The leg was muted.", "direction"),
    _event("unmute_success", _ACTION, _THIRD, "The leg was unmuted.", "direction"),
    _event(
        "stream_initiated",
        _ACTION,
        _THIRD,
        "A stream is being set up.",
        "stream_sid",
        "stream_type",
        "stream_url",
        "streaming_leg_sid",
    ),
    _event("stream_started", _ACTION, _DOCS, "Streaming started."),
    _event("stream_stopped", _ACTION, _THIRD, "Streaming stopped."),
    _event("recording_started", _ACTION, _DOCS, "Recording started."),
    _event("recording_stopped", _ACTION, _THIRD, "Recording stopped."),
    _event(
        "recording_available",
        _ACTION,
        _THIRD,
        "The recording file is ready.",
        "status",
        "recording_sid",
        "url",
    ),
    _event("gather_initiated", _ACTION, _THIRD, "Digit collection is being set up."),
    _event("gather_started", _ACTION, _THIRD, "Digit collection started."),
    _event("gather_success", _ACTION, _THIRD, "Digits were collected.", "digits"),
    _event(
        "dial_initiated",
        _ACTION,
        _THIRD,
        "The second leg is being dialled.",
        "bridge_sid",
        "second_leg_sid",
    ),
    _event("dial_success", _ACTION, _THIRD, "The second leg answered and was bridged."),
    _event("dial_completed", _ACTION, _THIRD, "The dialled call ended."),
    _event("digits_sent", _ACTION, _THIRD, "The digits were played out to the leg."),
    _event("bridge_created", _BRIDGE, _DOCS, "The bridge exists."),
    _event(
        "bridge_failed_to_create",
        _BRIDGE,
        _DOCS,
        "The bridge could not be created.",
        "error",
    ),
    # Two pages, two names for the end of a bridge: both are Exotel's.
    _event("bridge_terminal", _BRIDGE, _DOCS, "The bridge ended."),
    _event("bridge_terminated", _BRIDGE, ("docs",), "The bridge ended (an older page's name)."),
    _event("bridge_failed_to_stop", _BRIDGE, _DOCS, "The bridge could not be stopped."),
    _event("leg_joined_bridge", _BRIDGE, _DOCS, "A leg joined the bridge.", "bridge_sid"),
    _event("leg_left_bridge", _BRIDGE, _DOCS, "A leg left the bridge.", "bridge_sid"),
)


# --- dialects -------------------------------------------------------------------------

#: Leg actions: ``POST /v2/accounts/{sid}/legs/{leg_sid}/actions``.
LEGS = Dialect(
    "legs",
    ROOT,
    VERBS,
    "exoml.xsd",
    "Leg actions",
    "The `<Flow>` that the Leg Actions endpoint takes to act on one call leg.",
)


def spellings(d: Dialect) -> tuple[tuple[str, str, str | None], ...]:
    """Each name a dialect spells two ways: (one spelling, the other, the element whose
    attributes they are, or None for two elements), the first being the one Exotel's
    cased documentation uses (the default preference of rule EX520)."""
    pairs: list[tuple[str, str, str | None]] = []
    for v in d.verbs:
        if v.spelling_of is not None:
            other = d.verb(v.spelling_of)
            pairs.append(_cased_first(v.element, v.evidence, other.element, other.evidence, None))
        for a in v.attrs:
            if a.spelling_of is not None:
                b = v.attr(a.spelling_of)
                pairs.append(_cased_first(a.name, a.sources(v), b.name, b.sources(v), v.element))
    return tuple(pairs)


def _cased_first(
    a: str, a_evidence: Evidence, b: str, b_evidence: Evidence, element: str | None
) -> tuple[str, str, str | None]:
    if "cased-docs" in b_evidence and "cased-docs" not in a_evidence:
        return (b, a, element)
    return (a, b, element)


# The other dialects' rows live in their own modules, which use the types above.
from ._catalogue_bridge import BRIDGE  # noqa: E402
from ._catalogue_classic import CLASSIC  # noqa: E402

#: Every dialect by name.
DIALECTS: dict[str, Dialect] = {d.name: d for d in (LEGS, BRIDGE, CLASSIC)}

#: Roots of other vocabularies, and what the linter says of a document rooted there.
FOREIGN_ROOTS: dict[str, str] = {CLASSIC_ROOT: "classic"}
#: The classic dialect's verbs that a Leg Actions document may hold by mistake, and the
#: leg action that does the same job (None: no single one does). ``Dial`` is not here:
#: it is a leg action too.
CLASSIC_VERBS: dict[str, str | None] = {
    "Play": "StartPlay",
    "Record": "StartRecording",
    "Redirect": None,
    "Number": None,
}


class Names:
    """The lookups one dialect's checks need, built once per dialect (:func:`names`)."""

    __slots__ = (
        "attrs",
        "attrs_folded",
        "dialect",
        "elements",
        "elements_folded",
        "root_folded",
    )

    def __init__(self, d: Dialect) -> None:
        self.dialect = d
        #: element name -> row
        self.elements: dict[str, VerbSpec] = {v.element: v for v in d.verbs}
        #: lowercased element name -> row
        self.elements_folded: dict[str, VerbSpec] = {v.element.lower(): v for v in d.verbs}
        self.root_folded = d.root.lower()
        #: element -> attribute name -> attribute
        self.attrs: dict[str, dict[str, Attr]] = {
            v.element: {a.name: a for a in v.attrs} for v in d.verbs
        }
        #: element -> lowercased attribute name -> attribute
        self.attrs_folded: dict[str, dict[str, Attr]] = {
            v.element: {a.name.lower(): a for a in v.attrs} for v in d.verbs
        }

    def element(self, tag: str) -> VerbSpec | None:
        """The row ``tag`` names, exactly or but for case (the root is no verb)."""
        spec = self.elements.get(tag)
        if spec is None:
            spec = self.elements_folded.get(tag.lower())
        return spec

    def attribute(self, el_attrib: object, spec: VerbSpec, qname: str) -> Attr | None:
        """The attribute ``qname`` names on ``spec``: exactly, or but for case when the
        exact spelling is not also present (``el_attrib`` is the element's attributes)."""
        attr = self.attrs[spec.element].get(qname)
        if attr is None:
            attr = self.attrs_folded[spec.element].get(qname.lower())
            if attr is not None and attr.name in el_attrib:  # type: ignore[operator]
                return None
        return attr


_NAMES: dict[int, tuple[Dialect, Names]] = {}


def names(d: Dialect) -> Names:
    """The lookups of dialect ``d`` (built on first use, then shared)."""
    found = _NAMES.get(id(d))
    if found is None or found[0] is not d:
        found = _NAMES[id(d)] = (d, Names(d))
    return found[1]


def dialect(name: str) -> Dialect:
    """The dialect called ``name`` (ValueError naming the known ones when unknown)."""
    try:
        return DIALECTS[name]
    except KeyError:
        known = ", ".join(DIALECTS)
        raise ValueError(f"unknown dialect {name!r}: expected one of {known}") from None
