"""Integers given to the builder or read from a document: round trip or a clean refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import exoml
from exoml import ExomlError, Flow, FlowError, Gather, StartPlay
from exoml._catalogue import VERBS, Attr, VerbSpec
from exoml._values import MAX_DIGITS, IntRange

from ._support import PROPERTY, build_with

INT_ATTRS = [(v, a) for v in VERBS for a in v.attrs if isinstance(a.kind, IntRange)]


def test_an_int_too_long_for_str_is_a_flow_error() -> None:
    # Regression: 10**5000 raised a plain ValueError from str() (and again from repr()
    # while wording the error) instead of FlowError.
    with pytest.raises(FlowError, match="at most 18 digits"):
        Gather(num_digits=10**5000)


@pytest.mark.parametrize("zeros", [1, 4_400, 60_000])
def test_leading_zeros_read_back(zeros: int) -> None:
    # Regression: int() counts leading zeros towards its 4300-digit limit, so a valid
    # document made Flow.parse raise ValueError.
    doc = f'<Flow><StartPlay loop="{"0" * zeros}7">https://a.example/x</StartPlay></Flow>'
    assert Flow.parse(doc) == Flow(StartPlay("https://a.example/x", loop=7))


def test_open_ranges_stop_at_max_digits() -> None:
    largest = "9" * MAX_DIGITS
    assert Flow.parse(f'<Flow><Gather numDigits="{largest}"/></Flow>') == Flow(
        Gather(num_digits=int(largest))
    )
    too_big = "1" + "0" * MAX_DIGITS
    [d] = exoml.validate(f'<Flow><Gather numDigits="{too_big}"/></Flow>')
    assert d.code == "EX301"
    assert "at most 18 digits" in d.message
    with pytest.raises(ExomlError):
        Flow.parse(f'<Flow><Gather numDigits="{"5" * 5_000}"/></Flow>')


@PROPERTY
@given(st.sampled_from(INT_ATTRS), st.integers() | st.sampled_from([10**18, 10**5000, -(10**5000)]))
def test_any_int_round_trips_or_is_refused(spec_attr: tuple[VerbSpec, Attr], value: int) -> None:
    spec, attr = spec_attr
    try:
        verb = build_with(spec, attr, value)
    except FlowError:
        return
    [back] = Flow.parse(Flow(verb).to_xml()).verbs
    assert back == verb
    assert back.get(attr.py) == value
