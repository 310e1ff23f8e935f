"""The strategies of ``exoml.testing`` cover the catalogue and keep their promises."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exoml import Flow, Verb
from exoml._catalogue import VERBS
from exoml._values import IntRange, illegal_xml_char
from exoml.testing import flows, verb_strategy, verbs
from exoml.testing._strategies import xml_text

from ._support import PROPERTY

# Enough examples that every verb and every attribute, set and unset, turns up; a fixed
# sequence, so that the count never depends on luck.
COVERAGE = settings(max_examples=100 * len(VERBS), deadline=None, derandomize=True, database=None)


def _seen() -> tuple[Counter[str], Counter[tuple[str, str, bool]], list[Verb]]:
    elements: Counter[str] = Counter()
    attributes: Counter[tuple[str, str, bool]] = Counter()
    drawn: list[Verb] = []

    @COVERAGE
    @given(verbs())
    def collect(verb: Verb) -> None:
        drawn.append(verb)
        for v in (verb, *verb.children):
            elements[v.element] += 1
            for attr in v.spec.attrs:
                attributes[v.element, attr.name, v.get(attr.py) is not None] += 1

    collect()
    return elements, attributes, drawn


ELEMENTS, ATTRIBUTES, DRAWN = _seen()


def test_every_verb_is_generated() -> None:
    assert set(ELEMENTS) == {v.element for v in VERBS}


def test_every_attribute_is_generated_set_and_unset() -> None:
    for spec in VERBS:
        for attr in spec.attrs:
            assert ATTRIBUTES[spec.element, attr.name, True], attr.name
            if not attr.required:
                assert ATTRIBUTES[spec.element, attr.name, False], attr.name


def test_bounds_and_nesting_are_generated() -> None:
    everything = [v for top in DRAWN for v in (top, *top.children)]
    for spec in VERBS:
        for attr in spec.attrs:
            if isinstance(attr.kind, IntRange):
                seen = {v.get(attr.py) for v in everything if v.element == spec.element}
                assert {attr.kind.low, attr.kind.max} <= seen, (spec.element, attr.name)
    assert any(v.element == "Gather" and len(v.children) > 1 for v in DRAWN)
    assert any(v.element == "Hold" and v.children for v in DRAWN)
    assert any(v.element == "Hold" and not v.children for v in DRAWN)
    texts = [v.text for v in everything if v.text]
    assert any(not t.isascii() for t in texts)
    assert any(max(map(ord, t)) > 0xFFFF for t in texts)


@PROPERTY
@given(flows(min_verbs=2, max_verbs=3, verbs=["Say", "Gather"]))
def test_flows_keep_to_the_verbs_named(flow: Flow) -> None:
    assert 2 <= len(flow) <= 3
    assert {v.element for v in flow} <= {"Say", "Gather"}


@PROPERTY
@given(flows(verbs=verb_strategy("Hold")))
def test_flows_take_a_strategy_of_verbs(flow: Flow) -> None:
    assert {v.element for v in flow} == {"Hold"}


@PROPERTY
@given(xml_text())
def test_xml_text_is_always_legal(text: str) -> None:
    assert illegal_xml_char(text) is None


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown verb"):
        verb_strategy("Speak")
    with pytest.raises(ValueError, match="min_verbs"):
        flows(min_verbs=0)
    with pytest.raises(ValueError, match="max_verbs"):
        flows(min_verbs=3, max_verbs=2)
    with pytest.raises(ValueError, match="at least one"):
        verbs([])
    assert isinstance(flows(), st.SearchStrategy)


def test_importing_exoml_does_not_import_hypothesis() -> None:
    code = (
        "import sys, exoml, exoml.lint, exoml.testing\n"
        "from exoml import Flow, validate\n"
        "validate('<Flow><Answer/></Flow>')\n"
        "assert 'hypothesis' not in sys.modules, 'hypothesis was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
