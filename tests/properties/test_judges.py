"""Every generated flow is valid to every judge; the checker never raises on any input.

The judges are ``exoml.validate``, the engine's full rule walk, lxml's XSD validator and
xmlschema (see ``tests/differential/_judges.py``), and xmllint when it is installed.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exoml import Flow
from exoml._check import check_bytes, check_document
from exoml.testing import flows, verbs
from exoml.testing._strategies import xml_text
from tests.differential._judges import Judges, xmllint, xmllint_verdicts
from tests.hostile._inputs import report_problem

from ._support import PROPERTY

JUDGES = Judges()

# Pieces of ExoML and XML syntax, so that random documents get past the first byte.
_TOKENS = st.sampled_from(
    [
        "<Flow>",
        "</Flow>",
        "<Say>",
        "</Say>",
        "<Gather>",
        "</Gather>",
        "<Hold>",
        "</Hold>",
        "<StartPlay loop='2'>",
        "</StartPlay>",
        "<Answer/>",
        '<Mute direction="in"/>',
        "https://a.example/x",
        "<!--",
        "-->",
        "<?pi ",
        "?>",
        "<![CDATA[",
        "]]>",
        "&amp;",
        "&#10;",
        "&x;",
        "<!DOCTYPE Flow>",
        "<?xml version='1.0'?>",
        " ",
        "\n",
        "=",
        '"',
    ]
)


def _xml_ish() -> st.SearchStrategy[str]:
    return st.lists(st.one_of(_TOKENS, xml_text(max_size=4)), max_size=30).map("".join)


@PROPERTY
@given(flows(), st.booleans(), st.booleans())
def test_every_flow_is_valid_to_every_judge(flow: Flow, pretty: bool, declaration: bool) -> None:
    data = flow.to_xml(pretty=pretty, xml_declaration=declaration).encode("utf-8")
    v = JUDGES.judge(data)
    assert not v.validate, v.diagnostics
    assert not v.walk, v.diagnostics
    assert not v.lxml
    assert not v.xmlschema


@pytest.mark.skipif(xmllint() is None, reason="xmllint is not installed")
def test_xmllint_accepts_generated_flows() -> None:
    found: list[bytes] = []

    @PROPERTY
    @given(flows(max_verbs=3))
    def collect(flow: Flow) -> None:
        found.append(flow.to_xml(pretty=len(found) % 2 == 1).encode())

    collect()
    assert found
    assert xmllint_verdicts(found) == [False] * len(found)


@PROPERTY
@given(verbs())
def test_every_verb_alone_is_valid(verb: object) -> None:
    flow = Flow(verb)  # type: ignore[arg-type]
    assert not any(d.is_error for d in check_bytes(flow.to_xml().encode(), full=True).diagnostics)


@PROPERTY
@given(st.binary(max_size=300))
def test_the_checker_never_raises_on_bytes(data: bytes) -> None:
    assert report_problem(data) is None


@PROPERTY
@given(st.one_of(_xml_ish(), st.text(st.characters(exclude_categories=()), max_size=50)))
def test_the_checker_never_raises_on_text(text: str) -> None:
    report = check_document(text)
    assert all(d.line >= 1 and d.column >= 1 and d.message for d in report.diagnostics)
    assert report_problem(text.encode("utf-8", "surrogatepass")) is None
