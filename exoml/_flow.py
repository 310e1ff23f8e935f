"""The Flow builder: immutable, chainable, typed, and unable to emit an invalid document.

Each verb class checks its arguments against the catalogue when it is made and renders
its XML once; a :class:`Flow` is a tuple of verbs, so chaining copies one tuple and
rendering joins strings that already exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Literal, overload

from ._catalogue import ROOT, Attr, VerbSpec, verb
from ._errors import ExomlError, FlowError
from ._values import _Refused, escape_attr, escape_text

if TYPE_CHECKING:
    from typing import Concatenate

    from typing_extensions import ParamSpec, Self

    _P = ParamSpec("_P")

__all__ = [
    "Answer",
    "Direction",
    "FinishOnKey",
    "Flow",
    "Gather",
    "Hangup",
    "Hold",
    "JoinBridge",
    "LeaveBridge",
    "Mute",
    "RecordingFormat",
    "Refer",
    "RxAudio",
    "Say",
    "StartMonitoring",
    "StartPlay",
    "StartRecording",
    "StartStream",
    "StopMonitoring",
    "StopPlay",
    "StopRecording",
    "StopSay",
    "StopStream",
    "StorageType",
    "StreamType",
    "TtsEngine",
    "UnHold",
    "UnMute",
    "Verb",
]

# Literal types: editors complete them and type checkers catch typos. A test checks each
# against the catalogue's allowed values.
TtsEngine = Literal["polly", "googletts"]
Direction = Literal["in", "out", "both"]
RecordingFormat = Literal["wav", "mp3"]
StorageType = Literal["s3", "https"]
FinishOnKey = Literal["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"]
StreamType = Literal["unidirectional", "bidirectional"]
RxAudio = Literal["muted", "enabled"]


def _refusal(spec: VerbSpec, wire: str, py: str, value: object, rule: str) -> FlowError:
    return FlowError(
        f"{spec.element} {wire} ({py}={value!r}): {rule}",
        verb=spec.element,
        attribute=wire,
        argument=py,
        value=value,
    )


class Verb:
    """Base class of the twenty ExoML verbs.

    A verb is an immutable value: equal verbs compare and hash equal. Make one by
    calling its class with the same arguments as the matching :class:`Flow` method
    (``Say("Hi", language="en")``), then add it with ``Flow(...)`` or as a prompt of
    ``gather``. Its ExoML is ``str(verb)``.
    """

    __slots__ = ("_children", "_text", "_values", "_xml")

    #: the catalogue row of this verb
    spec: ClassVar[VerbSpec]
    _attrs: ClassVar[tuple[Attr, ...]]
    _open: ClassVar[str]  # "<Element"
    _close: ClassVar[str]  # "</Element>"

    _values: tuple[object, ...]
    _text: str | None
    _children: tuple[Verb, ...]
    _xml: str

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.spec = verb(cls.__name__)
        cls._attrs = cls.spec.attrs
        cls._open = "<" + cls.spec.element
        cls._close = "</" + cls.spec.element + ">"

    # The one engine behind every verb: check each value against the catalogue, keep the
    # Python values for equality and the wire form for rendering.
    def _init(
        self,
        values: tuple[object, ...] = (),
        text: object = None,
        children: tuple[Verb, ...] = (),
    ) -> None:
        spec = self.spec
        parts = [self._open]
        if values:
            kept: list[object] = []
            for attr, value in zip(self._attrs, values, strict=True):
                if value is None:
                    if attr.required:
                        raise _refusal(spec, attr.name, attr.py, value, "is required")
                    kept.append(None)
                    continue
                try:
                    wire = attr.kind.check_python(value)
                except _Refused as exc:
                    raise _refusal(spec, attr.name, attr.py, value, exc.rule) from None
                # keep plain values as given; normalise subclasses (IntEnum, StrEnum...)
                t = type(value)
                kept.append(
                    value if t is str or t is int or t is bool else attr.kind.from_wire(wire)
                )
                parts.append(f' {attr.name}="{escape_attr(wire)}"')
            values = tuple(kept)
        if spec.text is not None:
            try:
                wire = spec.text.kind.check_python(text)
            except _Refused as exc:
                raise _refusal(spec, "text", spec.text.py, text, exc.rule) from None
            parts.append(">")
            parts.append(escape_text(wire))
            parts.append(self._close)
            self._text = wire
        elif children:
            parts.append(">")
            parts.extend([c._xml for c in children])
            parts.append(self._close)
            self._text = None
        else:
            parts.append("/>")
            self._text = None
        self._values = values
        self._children = children
        self._xml = "".join(parts)

    # --- reading a verb back --------------------------------------------------------

    @property
    def element(self) -> str:
        """The ExoML element name, e.g. ``"StartPlay"``."""
        return self.spec.element

    @property
    def text(self) -> str | None:
        """The text content (``Say``'s words, ``StartPlay``'s URL), or None."""
        return self._text

    @property
    def children(self) -> tuple[Verb, ...]:
        """The nested verbs (``Gather``'s prompts, ``Hold``'s music)."""
        return self._children

    @property
    def arguments(self) -> dict[str, object]:
        """The attributes that are set, by Python name: ``{"loop": 2}``."""
        return {a.py: v for a, v in zip(self._attrs, self._values, strict=True) if v is not None}

    @property
    def attributes(self) -> dict[str, str]:
        """The attributes that are set, by ExoML name, as written: ``{"loop": "2"}``."""
        return {
            a.name: a.kind.check_python(v)
            for a, v in zip(self._attrs, self._values, strict=True)
            if v is not None
        }

    def get(self, name: str) -> object:
        """The value of the attribute with Python name ``name`` (None when not set)."""
        for attr, value in zip(self._attrs, self._values, strict=True):
            if attr.py == name:
                return value
        raise AttributeError(f"{self.spec.element} has no attribute {name!r}")

    def to_xml(self) -> str:
        """This verb's ExoML element, compact."""
        return self._xml

    def __str__(self) -> str:
        return self._xml

    # The rendering is canonical (one spelling per value), so it is the identity.
    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Verb)
        return self._xml == other._xml

    def __hash__(self) -> int:
        return hash((type(self), self._xml))

    def __repr__(self) -> str:
        args = [repr(c) for c in self._children]
        if self._text is not None:
            args.append(repr(self._text))
        args.extend(f"{k}={v!r}" for k, v in self.arguments.items())
        return f"{type(self).__name__}({', '.join(args)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self._values, self._text, self._children))

    def _pretty(self, indent: str, step: str) -> list[str]:
        if not self._children:
            return [indent + self._xml]
        head = self._xml[: self._xml.index(">") + 1]
        lines = [indent + head]
        for child in self._children:
            lines.extend(child._pretty(indent + step, step))
        lines.append(indent + self._close)
        return lines


def _rebuild(
    cls: type[Verb], values: tuple[object, ...], text: str | None, children: tuple[Verb, ...]
) -> Verb:
    obj = cls.__new__(cls)
    obj._init(values, text, children)
    return obj


class Answer(Verb):
    """``<Answer/>``: answer an incoming leg."""

    __slots__ = ()

    def __init__(self) -> None:
        self._init()


class Hangup(Verb):
    """``<Hangup/>``: terminate the leg."""

    __slots__ = ()

    def __init__(self) -> None:
        self._init()


class StartPlay(Verb):
    """``<StartPlay loop="2">URL</StartPlay>``: play an audio file (``loop`` 0 to 10)."""

    __slots__ = ()

    def __init__(self, url: str, *, loop: int | None = None) -> None:
        self._init((loop,), url)


class StopPlay(Verb):
    """``<StopPlay/>``: stop audio playback."""

    __slots__ = ()

    def __init__(self) -> None:
        self._init()


class Say(Verb):
    """``<Say language="en">Hello</Say>``: speak text to the leg."""

    __slots__ = ()

    def __init__(
        self,
        text: str,
        *,
        preferred_tts_engine: TtsEngine | None = None,
        language: str | None = None,
        polly_voice_id: str | None = None,
        loop: int | None = None,
    ) -> None:
        self._init((preferred_tts_engine, language, polly_voice_id, loop), text)


class StopSay(Verb):
    """``<StopSay/>``: stop text-to-speech playback."""

    __slots__ = ()

    def __init__(self) -> None:
        self._init()


class StartRecording(Verb):
    """``<StartRecording direction="both" format="wav" storageType="s3"/>``."""

    __slots__ = ()

    def __init__(
        self,
        *,
        direction: Direction | None = None,
        format: RecordingFormat | None = None,
        storage_type: StorageType | None = None,
    ) -> None:
        self._init((direction, format, storage_type))


class StopRecording(Verb):
    """``<StopRecording/>``: stop recording."""

    __slots__ = ()

    def __init__(self) -> None:
        self._init()


class Gather(Verb):
    """``<Gather numDigits="4"><Say>…</Say></Gather>``: collect keypad input."""

    __slots__ = ()

    def __init__(
        self,
        *prompts: Say | StartPlay,
        num_digits: int | None = None,
        timeout_in_sec: int | None = None,
        finish_on_key: FinishOnKey | None = None,
    ) -> None:
        for i, prompt in enumerate(prompts):
            if type(prompt) is not Say and type(prompt) is not StartPlay:
                raise FlowError(
                    f"Gather prompt {i} ({prompt!r}): must be a Say or StartPlay",
                    verb="Gather",
                    argument="prompts",
                    value=prompt,
                )
        self._init((num_digits, timeout_in_sec, finish_on_key), None, prompts)


class Hold(Verb):
    """``<Hold/>``, or ``<Hold><StartPlay>…</StartPlay></Hold>`` with music on hold."""

    __slots__ = ()

    def __init__(self, music: StartPlay | None = None) -> None:
        if music is None:
            self._init()
            return
        if type(music) is not StartPlay:
            raise FlowError(
                f"Hold music ({music!r}): must be a StartPlay or None",
                verb="Hold",
                argument="music",
                value=music,
            )
        self._init((), None, (music,))


class UnHold(Verb):
    """``<UnHold/>``: take the leg off hold."""

    __slots__ = ()

    def __init__(self) -> None:
        self._init()


class Mute(Verb):
    """``<Mute direction="out"/>``: mute the leg's audio."""

    __slots__ = ()

    def __init__(self, *, direction: Direction | None = None) -> None:
        self._init((direction,))


class UnMute(Verb):
    """``<UnMute direction="out"/>``: unmute the leg's audio."""

    __slots__ = ()

    def __init__(self, *, direction: Direction | None = None) -> None:
        self._init((direction,))


class JoinBridge(Verb):
    """``<JoinBridge bridgeSid="…" absorbDtmf="true"/>``: join an existing bridge."""

    __slots__ = ()

    def __init__(self, bridge_sid: str, *, absorb_dtmf: bool | None = None) -> None:
        self._init((bridge_sid, absorb_dtmf))


class LeaveBridge(Verb):
    """``<LeaveBridge/>``: leave the bridge."""

    __slots__ = ()

    def __init__(self) -> None:
        self._init()


class StartStream(Verb):
    """``<StartStream streamUrl="wss://…" streamType="bidirectional"/>``."""

    __slots__ = ()

    def __init__(self, stream_url: str, *, stream_type: StreamType | None = None) -> None:
        self._init((stream_url, stream_type))


class StopStream(Verb):
    """``<StopStream/>``: stop streaming."""

    __slots__ = ()

    def __init__(self) -> None:
        self._init()


class StartMonitoring(Verb):
    """``<StartMonitoring monitoringLegSid="…" rxAudio="muted"/>``: listen or whisper."""

    __slots__ = ()

    def __init__(self, monitoring_leg_sid: str, *, rx_audio: RxAudio | None = None) -> None:
        self._init((monitoring_leg_sid, rx_audio))


class StopMonitoring(Verb):
    """``<StopMonitoring/>``: stop monitoring."""

    __slots__ = ()

    def __init__(self) -> None:
        self._init()


class Refer(Verb):
    """``<Refer legEventEndpoint="grpc://host:9001"/>``: move the leg's events."""

    __slots__ = ()

    def __init__(self, leg_event_endpoint: str) -> None:
        self._init((leg_event_endpoint,))


#: Every verb class, by ExoML element name.
VERB_CLASSES: dict[str, type[Verb]] = {cls.spec.element: cls for cls in Verb.__subclasses__()}


def _appender(cls: Callable[_P, Verb]) -> Callable[Concatenate[Flow, _P], Flow]:
    """Make the Flow method that appends one ``cls`` verb (same arguments as the class)."""

    def method(self: Flow, /, *args: _P.args, **kwargs: _P.kwargs) -> Flow:
        flow = object.__new__(Flow)
        flow._verbs = (*self._verbs, cls(*args, **kwargs))
        return flow

    assert isinstance(cls, type)
    assert issubclass(cls, Verb)
    import inspect  # only when the module is imported; never on a hot path

    spec = cls.spec
    method.__name__ = method.__qualname__ = spec.method
    method.__qualname__ = f"Flow.{spec.method}"
    method.__doc__ = (
        f"Append ``{spec.element}``: {spec.summary[0].lower()}{spec.summary[1:]}\n\n"
        f"Takes the same arguments as :class:`{spec.element}` and returns a new Flow."
    )
    sig = inspect.signature(cls)
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    method.__signature__ = sig.replace(  # type: ignore[attr-defined]
        parameters=[self_param, *sig.parameters.values()], return_annotation="Flow"
    )
    return method


class Flow:
    """An ExoML document: an immutable sequence of verbs, built by chaining.

    Every method appends one verb and returns a new Flow; the original is unchanged, so
    partial flows can be shared and reused. A bad value fails at the call that made it
    with :class:`~exoml.FlowError`.

    >>> from exoml import Flow, Say
    >>> flow = Flow().answer().say("Hello").gather(Say("Enter your PIN"), num_digits=4)
    >>> print(flow)
    <Flow><Answer/><Say>Hello</Say><Gather numDigits="4"><Say>Enter your PIN</Say></Gather></Flow>
    """

    __slots__ = ("_verbs",)

    _verbs: tuple[Verb, ...]

    def __init__(self, *verbs: Verb) -> None:
        for i, v in enumerate(verbs):
            if not isinstance(v, Verb):
                raise FlowError(f"Flow verb {i} ({v!r}): must be a verb such as Say or Answer")
        self._verbs = verbs

    # --- the verbs, one method each (signatures come from the verb classes) ----------

    answer = _appender(Answer)
    hangup = _appender(Hangup)
    start_play = _appender(StartPlay)
    stop_play = _appender(StopPlay)
    say = _appender(Say)
    stop_say = _appender(StopSay)
    start_recording = _appender(StartRecording)
    stop_recording = _appender(StopRecording)
    gather = _appender(Gather)
    hold = _appender(Hold)
    unhold = _appender(UnHold)
    mute = _appender(Mute)
    unmute = _appender(UnMute)
    join_bridge = _appender(JoinBridge)
    leave_bridge = _appender(LeaveBridge)
    start_stream = _appender(StartStream)
    stop_stream = _appender(StopStream)
    start_monitoring = _appender(StartMonitoring)
    stop_monitoring = _appender(StopMonitoring)
    refer = _appender(Refer)

    def then(self, *verbs: Verb) -> Flow:
        """Append verbs made beforehand: ``flow.then(Say("Hi"), Hangup())``."""
        return Flow(*self._verbs, *verbs)

    # --- rendering -------------------------------------------------------------------

    def to_xml(self, *, pretty: bool = False, xml_declaration: bool = False) -> str:
        """The ExoML document.

        ``pretty`` indents nested elements by two spaces (text content is never
        touched, so both forms parse back to the same Flow); ``xml_declaration``
        prefixes ``<?xml version="1.0" encoding="UTF-8"?>``.
        """
        verbs = self._verbs
        if not verbs:
            raise FlowError("Flow: must contain at least one verb")
        if pretty:
            lines = ["<" + ROOT + ">"]
            for v in verbs:
                lines.extend(v._pretty("  ", "  "))
            lines.append("</" + ROOT + ">")
            body = "\n".join(lines) + "\n"
        else:
            body = "<Flow>" + "".join([v._xml for v in verbs]) + "</Flow>"
        if xml_declaration:
            sep = "\n" if pretty else ""
            return '<?xml version="1.0" encoding="UTF-8"?>' + sep + body
        return body

    def __str__(self) -> str:
        return self.to_xml()

    @classmethod
    def parse(cls, source: str | bytes) -> Flow:
        """Read an ExoML document back into a Flow: the exact inverse of :meth:`to_xml`.

        Raises :class:`~exoml.ExomlError` whose ``diagnostics`` lists every problem
        when the document is not valid. Warnings do not stop parsing.

        >>> Flow.parse('<Flow><StartPlay loop="2">https://x.io/a.wav</StartPlay></Flow>')
        Flow(StartPlay('https://x.io/a.wav', loop=2))
        """
        from ._check import check_document

        report = check_document(source)
        errors = [d for d in report.diagnostics if d.severity == "error"]
        if errors or report.root is None:
            first = errors[0] if errors else None
            summary = f"{first.line}:{first.column}: {first.code} {first.message}" if first else ""
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise ExomlError(f"invalid ExoML: {summary}{more}", errors)
        flow = object.__new__(Flow)
        flow._verbs = tuple(_verb_from_element(el) for el in report.elements(report.root))
        return flow

    # --- a sequence of verbs ---------------------------------------------------------

    @property
    def verbs(self) -> tuple[Verb, ...]:
        """The verbs, in order."""
        return self._verbs

    def __len__(self) -> int:
        return len(self._verbs)

    def __iter__(self) -> Iterator[Verb]:
        return iter(self._verbs)

    @overload
    def __getitem__(self, index: int) -> Verb: ...
    @overload
    def __getitem__(self, index: slice) -> Flow: ...
    def __getitem__(self, index: int | slice) -> Verb | Flow:
        if isinstance(index, slice):
            return Flow(*self._verbs[index])
        return self._verbs[index]

    def __add__(self, other: Flow) -> Flow:
        if not isinstance(other, Flow):
            return NotImplemented
        return Flow(*self._verbs, *other._verbs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Flow):
            return NotImplemented
        return self._verbs == other._verbs

    def __hash__(self) -> int:
        return hash(self._verbs)

    def __repr__(self) -> str:
        return f"Flow({', '.join(repr(v) for v in self._verbs)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Flow, self._verbs)

    def __copy__(self) -> Self:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Self:
        return self


def _verb_from_element(el: Any) -> Verb:
    """Build a verb from an element that the check engine has found valid."""
    from ._check import element_text

    cls = VERB_CLASSES[el.tag]
    attrs = cls._attrs
    values = tuple(
        None if (raw := el.get(a.name)) is None else a.kind.from_wire(raw) for a in attrs
    )
    text = element_text(el) if cls.spec.text is not None else None
    children = tuple(_verb_from_element(c) for c in el if isinstance(c.tag, str))
    obj = cls.__new__(cls)
    obj._init(values, text, children)
    return obj
