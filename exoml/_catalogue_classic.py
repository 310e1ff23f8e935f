"""The classic dialect's catalogue: the ``<Response>`` Exotel fetches from your URL.

During a classic call flow (programmable voice, Passthru and connect applets) Exotel
posts the call's details to an application's URL and plays the ``<Response>`` it gets
back. The verbs and attributes here are the ones Exotel's cased developer documentation
(``cased-docs``, the verb pages that show the classic dialect beside the leg actions)
and Exotel's own Go library for the dialect (``go-sdk``, ``exotel/goexoml``) show, each
with the sources that back it. The actions endpoints do not take this dialect.

Casings are kept as the sources spell them, odd ones included (``Number`` takes ``URL``,
``StatusCallback`` and ``StatusCallbackMethod``, as the Go library writes them).

``HABITS`` lists what documents copied from TwiML get wrong, with the ExoML way; the
check engine adds each as the hint of the error it causes.
"""

from __future__ import annotations

from ._catalogue import Attr, Dialect, Evidence, Habit, Text, VerbSpec
from ._values import Bool, Choice, IntRange, Pattern

__all__ = ["CLASSIC", "HABITS", "RESPONSE_VERBS"]

_BOTH: Evidence = ("cased-docs", "go-sdk")
_GO: Evidence = ("go-sdk",)

# Surrounding white space: Exotel's examples write a URL or a number on its own indented
# line, and the value is what is between.
_WS = "[ \\t\\n\\r]*"

METHOD = Choice("GET", "POST")
#: A URL Exotel calls back or fetches: absolute http(s), no spaces.
URL = Pattern(
    "https?://[^ \\t\\n\\r/?#]+([/?#][^ \\t\\n\\r]*)?",
    "must be an absolute http:// or https:// URL without spaces",
    "`http(s)://` URL",
    "https://example.com/next",
    fast_expr=(
        '(({v}.startswith("https://") and {v}[8:9] not in _NO_HOST)'
        ' or ({v}.startswith("http://") and {v}[7:8] not in _NO_HOST))'
        ' and " " not in {v}'
    ),
)
#: The content of ``Play`` and ``Redirect``: a URL, white space around it allowed.
URL_TEXT = Pattern(
    f"{_WS}https?://[^ \\t\\n\\r/?#]+([/?#][^ \\t\\n\\r]*)?{_WS}",
    "must be an absolute http:// or https:// URL without spaces",
    "`http(s)://` URL",
    "https://example.com/audio.wav",
)
#: A phone number (digits, an optional leading ``+``, the separators people write) or a
#: SIP URI, white space around it allowed.
NUMBER_TEXT = Pattern(
    f"{_WS}(\\+?[0-9][0-9 ()-]*[0-9]|[0-9]|sips?:[^ \\t\\n\\r]+){_WS}",
    "must be a phone number (digits, an optional leading +) or a sip: URI",
    "phone number or `sip:` URI",
    "+919876543210",
)
#: A caller id: an ExoPhone number.
CALLER_ID = Pattern(
    "\\+?[0-9]+",
    "must be a phone number: digits with an optional leading +",
    "phone number",
    "08047112345",
)
#: What ``Say`` speaks.
SPOKEN = Pattern(
    "[\\s\\S]*[^ \\t\\n\\r][\\s\\S]*",
    "must contain at least one non-whitespace character",
    "non-blank text",
    "Hello",
    check=lambda s: s.strip(" \t\n\r"),
    fast_expr='{v}.strip(" ")',
)
#: Keys of the phone keypad, and ``w`` (a half-second wait) where digits are dialled.
DIGITS = Pattern(
    "[0-9*#wW]+",
    "must be keypad digits (0-9, * and #), with w for a half-second pause",
    "keypad digits and `w`",
    "1234#",
)
#: One key that ends input, or the empty string to end only on time-out.
FINISH_KEY = Choice("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#", "")
#: Keys any of which ends a recording.
FINISH_KEYS = Pattern(
    "[0-9*#]*",
    "must be keypad keys (0-9, * and #), or empty",
    "keypad keys",
    "#",
    safe=True,
)
#: Free text without surrounding white space (an event list, a trim mode).
WORDS = Pattern(
    "[^ \\t\\n\\r]([^\\n\\r]*[^ \\t\\n\\r])?",
    "must be non-empty, without leading or trailing whitespace or line breaks",
    "non-empty string",
    "answered",
)
LOOP = IntRange(0)  # classic: no documented upper bound; 0 repeats until interrupted
SECONDS = IntRange(1)


def _action(doc: str) -> Attr:
    return Attr("action", "action", URL, doc)


def _method(doc: str) -> Attr:
    return Attr("method", "method", METHOD, doc, default="POST")


RESPONSE_VERBS: tuple[VerbSpec, ...] = (
    VerbSpec(
        "Say",
        "say",
        "Speak text to the caller (text to speech).",
        _BOTH,
        attrs=(
            Attr(
                "voice",
                "voice",
                Choice("man", "woman"),
                "The voice: `man` or `woman`.",
                default="woman",
            ),
            Attr(
                "language",
                "language",
                Pattern(
                    "[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*",
                    "must be a language tag such as 'en' or 'hi-IN'",
                    "language tag",
                    "en",
                    safe=True,
                ),
                "The language of the text.",
                default="en",
            ),
            Attr(
                "loop",
                "loop",
                LOOP,
                "How many times to speak it; 0 until interrupted.",
                default="1",
            ),
        ),
        text=Text("text", SPOKEN, "What to speak."),
        # Exotel's Say page documents an SSML subset inside the text
        markup=("say-as", "break"),
    ),
    VerbSpec(
        "Play",
        "play",
        "Play an audio file to the caller.",
        _BOTH,
        attrs=(
            Attr("loop", "loop", LOOP, "How many times to play it; 0 forever.", default="1"),
            Attr("digits", "digits", DIGITS, "Keypad tones to play.", evidence=_GO),
        ),
        text=Text("url", URL_TEXT, "The audio file's URL."),
    ),
    VerbSpec(
        "Gather",
        "gather",
        "Collect keypad digits, optionally after prompts, and post them to a URL.",
        _BOTH,
        attrs=(
            _action("Where Exotel posts the digits."),
            _method("How Exotel calls the action URL."),
            Attr("numDigits", "num_digits", SECONDS, "How many digits to collect."),
            Attr("timeout", "timeout", SECONDS, "Seconds to wait for a key.", default="5"),
            Attr(
                "finishOnKey",
                "finish_on_key",
                FINISH_KEY,
                "The key that ends input; empty to end only on time-out.",
                default="#",
            ),
            Attr("maxDigits", "max_digits", SECONDS, "Another name for numDigits."),
        ),
        children=("Say", "Play"),
        children_py="prompts",
    ),
    VerbSpec(
        "Record",
        "record",
        "Record the caller and post the recording's URL.",
        _BOTH,
        attrs=(
            _action("Where Exotel posts the recording."),
            _method("How Exotel calls the action URL."),
            Attr(
                "maxLength", "max_length", SECONDS, "Longest recording, in seconds.", default="3600"
            ),
            Attr("timeout", "timeout", SECONDS, "Seconds of silence that end it.", default="5"),
            Attr(
                "finishOnKey",
                "finish_on_key",
                FINISH_KEYS,
                "Keys that end the recording.",
                default="1234567890*#",
            ),
            Attr("playBeep", "play_beep", Bool(), "Beep before recording.", default="true"),
            Attr("transcribe", "transcribe", Bool(), "Transcribe the recording.", evidence=_GO),
            Attr(
                "transcribeCallback",
                "transcribe_callback",
                URL,
                "Where the transcription is posted.",
                evidence=_GO,
            ),
            Attr("trim", "trim", WORDS, "Trim silence (a mode name).", evidence=_GO),
        ),
    ),
    VerbSpec(
        "Dial",
        "dial",
        "Connect the caller to a number or SIP URI, or to the first of several to answer.",
        _BOTH,
        attrs=(
            Attr("callerId", "caller_id", CALLER_ID, "The ExoPhone shown to the callee."),
            Attr("timeout", "timeout", SECONDS, "Seconds to ring.", default="30"),
            Attr("timeLimit", "time_limit", SECONDS, "Longest call, in seconds.", default="14400"),
            Attr("record", "record", Bool(), "Record the call.", default="false"),
            _action("Where Exotel posts the outcome."),
            _method("How Exotel calls the action URL."),
            Attr("hangupOnStar", "hangup_on_star", Bool(), "Let the caller end the leg with *."),
        ),
        text=Text("number", NUMBER_TEXT, "The number or SIP URI to call."),
        children=("Number",),
        children_py="numbers",
    ),
    VerbSpec(
        "Number",
        "",  # no Response method: a Number stands only inside a Dial
        "One number of a Dial.",
        _GO,
        attrs=(
            Attr("sendDigits", "send_digits", DIGITS, "Digits to send once answered."),
            Attr("URL", "url", URL, "A URL to fetch for the callee before connecting."),
            _method("How Exotel calls the URL."),
            Attr("statusCallbackEvent", "status_callback_event", WORDS, "Events to report."),
            Attr("StatusCallback", "status_callback", URL, "Where call status is posted."),
            Attr(
                "StatusCallbackMethod",
                "status_callback_method",
                METHOD,
                "How Exotel calls the status callback.",
            ),
        ),
        text=Text("number", NUMBER_TEXT, "The number or SIP URI."),
    ),
    VerbSpec(
        "Redirect",
        "redirect",
        "Continue the call with the Response at another URL.",
        _GO,
        attrs=(_method("How Exotel fetches the URL."),),
        text=Text("url", URL_TEXT, "The URL of the next Response."),
    ),
    VerbSpec("Hangup", "hangup", "End the call.", _BOTH),
)

_VOICE = (
    "Exotel's classic voice is 'man' or 'woman'; the language goes in "
    'language="hi-IN" (TwiML and Polly voice names such as Aditi do not exist here)'
)

#: TwiML habits: element (and attribute) → what to write in ExoML instead.
HABITS: tuple[Habit, ...] = (
    Habit("Say", "voice", _VOICE),
    Habit(
        "Connect",
        None,
        "ExoML's classic dialect has no <Connect>: to stream audio to a bot, use a "
        "Stream/Voicebot applet in the call flow, or StartStream through the Leg Actions API",
    ),
    Habit(
        "Stream",
        None,
        "ExoML's classic dialect has no <Stream>: use StartStream through the Leg Actions API",
    ),
    Habit(
        "Gather",
        "input",
        "Exotel's Gather collects keypad digits only: remove input (no speech recognition)",
    ),
    Habit("Hangup", "reason", "Exotel's <Hangup/> takes no attributes: remove reason"),
    Habit("Pause", None, "ExoML has no <Pause>: play a silent audio file with <Play>"),
    Habit("Reject", None, "ExoML has no <Reject>: use <Hangup/>"),
    Habit("Sms", None, "ExoML has no <Sms>: send SMS with Exotel's SMS API"),
    Habit("Gather", "speechTimeout", "Exotel's Gather collects keypad digits only: remove it"),
    Habit("Dial", "answerOnBridge", "Exotel's Dial has no answerOnBridge: remove it"),
)

#: The classic dialect: ``<Response>`` documents served from an application's URL.
CLASSIC = Dialect(
    "classic",
    "Response",
    RESPONSE_VERBS,
    "exoml-classic.xsd",
    "Classic call flows",
    "The `<Response>` that Exotel fetches from an application's URL during a call flow.",
    habits=HABITS,
)
