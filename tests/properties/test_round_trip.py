"""Round trips: what the builder accepts comes back from ``Flow.parse`` exactly.

- every generated flow, compact or pretty, with or without the XML declaration, parses
  back to an equal Flow, verb for verb;
- any string given to the builder, for any attribute or text, either round-trips
  exactly or is refused at the call with FlowError, and it is refused exactly when the
  catalogue's rule (or XML 1.0) says so: never altered silently;
- a value of the wrong type is refused with FlowError, never another exception.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exoml import Flow, FlowError, Verb
from exoml._catalogue import VERBS, Attr, VerbSpec
from exoml._values import Bool, Choice, IntRange, Pattern, ValueKind, illegal_xml_char
from exoml.testing import flows
from exoml.testing._strategies import values

from ._support import PROPERTY, minimal_arguments, set_argument, verb_class

# Any code point at all: surrogates and control characters included.
ANY_CHARACTER = st.characters(exclude_categories=())
ANY_STRING = st.text(ANY_CHARACTER, max_size=40)

STRING_SLOTS: list[tuple[VerbSpec, Attr | None]] = [
    (v, a) for v in VERBS for a in v.attrs if isinstance(a.kind, (Choice, Pattern))
] + [(v, None) for v in VERBS if v.text is not None]
ALL_SLOTS: list[tuple[VerbSpec, Attr | None]] = [(v, a) for v in VERBS for a in v.attrs] + [
    (v, None) for v in VERBS if v.text is not None
]


def _kind(spec: VerbSpec, attr: Attr | None) -> ValueKind:
    if attr is not None:
        return attr.kind
    assert spec.text is not None
    return spec.text.kind


def _py(spec: VerbSpec, attr: Attr | None) -> str:
    if attr is not None:
        return attr.py
    assert spec.text is not None
    return spec.text.py


def _slot_id(slot: tuple[VerbSpec, Attr | None]) -> str:
    spec, attr = slot
    return f"{spec.element}.{attr.name if attr else 'text'}"


def _near(kind: ValueKind) -> st.SearchStrategy[str]:
    """Strings close to valid ones: a valid value with anything around or inside it."""
    valid = values(kind).map(str)
    junk = st.text(ANY_CHARACTER, max_size=3)
    around = st.tuples(junk, valid, junk).map(lambda t: t[0] + t[1] + t[2])
    inside = st.tuples(valid, junk, st.integers(0, 40)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
    )
    return st.one_of(valid, around, inside, valid.map(str.upper), valid.map(str.title))


def _build(spec: VerbSpec, py: str, value: object, via_flow: bool) -> Verb:
    kwargs: dict[str, Any] = minimal_arguments(spec)
    set_argument(spec, kwargs, py, value)
    if via_flow:
        flow: Flow = getattr(Flow(), spec.method)(**kwargs)
        [verb] = flow.verbs
        return verb
    built: Verb = verb_class(spec)(**kwargs)
    return built


def _read(verb: Verb, spec: VerbSpec, attr: Attr | None) -> object:
    return verb.text if attr is None else verb.get(attr.py)


@PROPERTY
@given(flows())
def test_every_flow_parses_back_to_itself(flow: Flow) -> None:
    for xml in (
        flow.to_xml(),
        flow.to_xml(pretty=True),
        flow.to_xml(xml_declaration=True),
        flow.to_xml(pretty=True, xml_declaration=True),
    ):
        back = Flow.parse(xml)
        assert back == flow
        assert back.to_xml() == flow.to_xml()
        assert Flow.parse(xml.encode("utf-8")) == flow
        for mine, theirs in zip(flow, back, strict=True):
            assert theirs.arguments == mine.arguments
            assert theirs.text == mine.text


@PROPERTY
@given(st.sampled_from(STRING_SLOTS), st.data())
def test_any_string_round_trips_or_is_refused(
    slot: tuple[VerbSpec, Attr | None], data: st.DataObject
) -> None:
    spec, attr = slot
    kind = _kind(spec, attr)
    value = data.draw(st.one_of(ANY_STRING, _near(kind)), label="value")
    via_flow = data.draw(st.booleans(), label="via_flow")
    should_refuse = kind.check_wire(value) is not None or illegal_xml_char(value) is not None
    # A document may surround a trimmed kind's value with white space; the builder
    # writes values as they are, so it takes only the trimmed form.
    should_refuse |= value != kind.from_wire(value)
    if should_refuse:
        with pytest.raises(FlowError) as refused:
            _build(spec, _py(spec, attr), value, via_flow)
        assert refused.value.verb == spec.element
        return
    verb = _build(spec, _py(spec, attr), value, via_flow)
    assert _read(verb, spec, attr) == value
    for pretty in (False, True):
        [back] = Flow.parse(Flow(verb).to_xml(pretty=pretty)).verbs
        assert back == verb
        read = _read(back, spec, attr)
        assert type(read) is str
        assert read == value


@PROPERTY
@given(
    st.sampled_from(ALL_SLOTS),
    st.one_of(
        st.none(),
        st.integers(),
        st.floats(allow_nan=False),
        st.binary(max_size=5),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
        ANY_STRING,
    ),
)
def test_a_value_of_any_type_round_trips_or_is_refused(
    slot: tuple[VerbSpec, Attr | None], value: object
) -> None:
    spec, attr = slot
    kind = _kind(spec, attr)
    optional = attr is not None and not attr.required and value is None
    try:
        verb = _build(spec, _py(spec, attr), value, via_flow=False)
    except FlowError:
        assert not optional
        return
    if optional:
        assert _read(verb, spec, attr) is None
        return
    # Accepted: the value has the kind's own type (bool is not an int here) and rule.
    expected: type = {IntRange: int, Bool: bool}.get(type(kind), str)
    assert type(value) is expected
    [back] = Flow.parse(Flow(verb).to_xml()).verbs
    assert _read(back, spec, attr) == value


@pytest.mark.parametrize("slot", STRING_SLOTS, ids=_slot_id)
def test_every_string_slot_refuses_illegal_characters(slot: tuple[VerbSpec, Attr | None]) -> None:
    spec, attr = slot
    kind = _kind(spec, attr)
    valid = str(kind.example())
    for bad in ("\x00", "\x0b", "\ud800", "\udfff", "\ufffe", "\uffff", "\x1f"):
        with pytest.raises(FlowError):
            _build(spec, _py(spec, attr), valid + bad, via_flow=False)
