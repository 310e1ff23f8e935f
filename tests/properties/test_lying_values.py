"""Lying values: a value's own methods never decide what the builder checks or writes.

A ``str`` or ``int`` subclass may override ``__eq__``, ``__hash__``, ``__str__``,
``__format__``, ``encode``, ``__int__`` or ``__index__``, and any object may fake its
``__class__``. For every attribute and text of every verb, such a value is either
refused with :class:`~exoml.FlowError` or written exactly as the plain value of its real
characters (or number) would be: the builder and its fragment tables read values with
the base type's own methods, after an exact type test.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exoml import Flow, FlowError, validate
from exoml._catalogue import VERBS, Attr, VerbSpec
from exoml._values import Choice, IntRange, ValueKind
from exoml.testing._strategies import values

from ._support import PROPERTY, minimal_arguments, verb_class

INJECTION = '"/><Hangup/><Say a="'


class LyingStr(str):
    """Equal to everything, hashed as a valid choice, formatted and encoded as markup."""

    __slots__ = ("twin",)
    twin: str

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return hash(self.twin)

    def __str__(self) -> str:
        return INJECTION

    def __format__(self, spec: str) -> str:
        return INJECTION

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return b"<Flow><Answer/></Flow>"

    def isprintable(self) -> bool:
        return True

    def strip(self, chars: str | None = None) -> str:
        return "x"


def lying_str(chars: str, twin: str) -> LyingStr:
    value = LyingStr(chars)
    value.twin = twin
    return value


class LyingInt(int):
    """An int whose conversions, comparisons and formatting all lie."""

    def __int__(self) -> int:
        return 1

    def __index__(self) -> int:
        return 1

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 1

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return False

    def __le__(self, other: object) -> bool:
        return True

    def __ge__(self, other: object) -> bool:
        return True

    def __format__(self, spec: str) -> str:
        return INJECTION

    def __str__(self) -> str:
        return INJECTION

    def __repr__(self) -> str:
        return INJECTION


class FakeStr:
    """Not a str at all, whatever ``__class__`` says."""

    def __init__(self, twin: str) -> None:
        self.twin = twin

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return str

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash(self.twin)

    def __format__(self, spec: str) -> str:
        return INJECTION

    def __str__(self) -> str:
        return INJECTION


SLOTS: list[tuple[VerbSpec, Attr | None]] = [(v, a) for v in VERBS for a in v.attrs] + [
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


def _build(spec: VerbSpec, py: str, value: object, via_flow: bool) -> str:
    kwargs: dict[str, Any] = minimal_arguments(spec)
    kwargs[py] = value
    if via_flow:
        flow: Flow = getattr(Flow(), spec.method)(**kwargs)
        return flow.to_xml()
    return Flow(verb_class(spec)(**kwargs)).to_xml()


def _outcome(spec: VerbSpec, py: str, value: object, via_flow: bool) -> str | None:
    """The document built with ``value``, or None when the builder refuses it."""
    try:
        return _build(spec, py, value, via_flow)
    except FlowError:
        return None


@PROPERTY
@given(st.sampled_from(SLOTS), st.data())
def test_a_lying_value_is_refused_or_written_as_its_real_value(
    slot: tuple[VerbSpec, Attr | None], data: st.DataObject
) -> None:
    spec, attr = slot
    kind = _kind(spec, attr)
    py = _py(spec, attr)
    via_flow = data.draw(st.booleans(), label="via_flow")
    valid = values(kind)
    if isinstance(kind, IntRange):
        number = data.draw(st.one_of(valid, st.integers(-5, 10**20)), label="number")
        plain = _outcome(spec, py, int(number), via_flow)
        lying = _outcome(spec, py, LyingInt(number), via_flow)
        assert lying == plain
        return
    chars = data.draw(st.one_of(valid.map(str), st.text(max_size=20)), label="chars")
    twin = data.draw(valid.map(str), label="twin")  # what __hash__ claims to be
    plain = _outcome(spec, py, chars, via_flow)
    assert _outcome(spec, py, lying_str(chars, twin), via_flow) == plain
    with pytest.raises(FlowError, match="must be a"):
        _build(spec, py, FakeStr(twin), via_flow)
    if isinstance(kind, Choice) and chars not in kind.values:
        assert plain is None  # a lying __eq__/__hash__ never reached the table


@PROPERTY
@given(st.text(max_size=60), st.sampled_from(["<Flow><Answer/></Flow>", "<Flow><Bad/></Flow>"]))
def test_validate_reads_the_characters_of_a_str_subclass(chars: str, twin: str) -> None:
    value = lying_str(chars, twin)
    assert validate(value) == validate(str.__str__(value))
