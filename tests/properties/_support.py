"""Helpers shared by the property tests: building one verb from its catalogue row."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

import exoml
from exoml import Verb
from exoml._catalogue import Attr, VerbSpec


def verb_class(spec: VerbSpec) -> Any:
    """The public class of a catalogue row (``exoml.Say`` for ``Say``)."""
    return getattr(exoml, spec.element)


def minimal_arguments(spec: VerbSpec) -> dict[str, object]:
    """Keyword arguments that make a valid ``spec`` verb: required values and text only."""
    kwargs: dict[str, object] = {a.py: a.kind.example() for a in spec.attrs if a.required}
    for group in spec.one_of:  # exactly one of these: the first
        first = spec.attr(group[0])
        kwargs[first.py] = first.kind.example()
    if spec.text is not None:
        kwargs[spec.text.py] = spec.text.kind.example()
    return kwargs


def set_argument(spec: VerbSpec, kwargs: dict[str, object], py: str, value: object) -> None:
    """Set ``py`` to ``value`` in ``kwargs``; in an exactly-one-of group, the others are
    unset (or, when ``value`` is None, another one is set)."""
    kwargs[py] = value
    for group in spec.one_of:
        pys = [spec.attr(name).py for name in group]
        if py in pys:
            others = [a for a in spec.attrs if a.py in pys and a.py != py]
            for other in others:
                kwargs.pop(other.py, None)
            if value is None:
                kwargs[others[0].py] = others[0].kind.example()


def build_with(spec: VerbSpec, attr: Attr, value: object) -> Verb:
    """A ``spec`` verb whose attribute ``attr`` is ``value`` (other values minimal)."""
    kwargs = minimal_arguments(spec)
    set_argument(spec, kwargs, attr.py, value)
    verb: Verb = verb_class(spec)(**kwargs)
    return verb


def build_with_text(spec: VerbSpec, text: object) -> Verb:
    """A ``spec`` verb whose text is ``text``."""
    assert spec.text is not None
    kwargs = minimal_arguments(spec)
    kwargs[spec.text.py] = text
    verb: Verb = verb_class(spec)(**kwargs)
    return verb


def examples(default: int) -> int:
    """How many examples a property runs: ``default``, times ``EXOML_PROPERTY_SCALE``."""
    return max(1, int(default * float(os.environ.get("EXOML_PROPERTY_SCALE", "1"))))


#: The settings of every property here: no deadline (CI machines stall), and in CI a
#: fixed sequence of examples (``derandomize``) so that a run is repeatable.
PROPERTY = settings(
    max_examples=examples(250),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
