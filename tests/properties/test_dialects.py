"""Every dialect: generated documents are valid to every judge, each dialect's builder
round-trips, and the checker never raises whatever the dialect and placeholders."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exoml._check import check_bytes, check_document
from exoml.classic import Response
from exoml.testing import documents, flows
from tests.differential._judges import Judges
from tests.hostile._inputs import report_shape_problem

from ._support import PROPERTY

JUDGES = {name: Judges(dialect=name) for name in ("legs", "bridge", "classic")}
DIALECTS = [None, "legs", "bridge", "classic"]

# Pieces of every dialect's syntax and of templates.
_TOKENS = st.sampled_from(
    [
        "<Response>",
        "</Response>",
        "<Flow>",
        "</Flow>",
        "<Dial>",
        "</Dial>",
        "<Number>",
        "</Number>",
        '<Say voice="man">',
        "</Say>",
        "<Gather>",
        "</Gather>",
        '<Refer bridgeEventEndpoint="grpc://h"/>',
        "<Play>",
        "</Play>",
        "+919876543210",
        "https://a.example/x",
        "{{ x }}",
        "{% if a %}",
        "${v}",
        "{name}",
        "<{{ v }}>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "&amp;",
        "<?xml version='1.0'?>",
        " ",
        "\n",
        "=",
        '"',
    ]
)


@PROPERTY
@given(st.sampled_from(["legs", "bridge", "classic"]), st.data())
def test_every_generated_document_is_valid_to_every_judge(name: str, data: st.DataObject) -> None:
    xml = data.draw(documents(name))
    v = JUDGES[name].judge(xml.encode("utf-8"))
    assert not v.validate, v.diagnostics
    assert not v.walk, v.diagnostics
    assert not v.lxml
    assert not v.xmlschema


@PROPERTY
@given(flows(dialect="classic"), st.booleans(), st.booleans())
def test_every_response_round_trips_and_is_valid(
    response: Response, pretty: bool, declaration: bool
) -> None:
    xml = response.to_xml(pretty=pretty, xml_declaration=declaration)
    assert Response.parse(xml) == response
    v = JUDGES["classic"].judge(xml.encode("utf-8"))
    assert (v.validate, v.walk, v.lxml, v.xmlschema) == (False,) * 4, v.diagnostics


@PROPERTY
@given(flows(dialect="bridge"))
def test_bridge_flows_are_valid_bridge_documents(flow: Any) -> None:
    v = JUDGES["bridge"].judge(flow.to_xml().encode("utf-8"))
    assert (v.validate, v.walk, v.lxml, v.xmlschema) == (False,) * 4, v.diagnostics


@PROPERTY
@given(
    st.lists(st.one_of(_TOKENS, st.text(max_size=3)), max_size=30).map("".join),
    st.sampled_from(DIALECTS),
    st.sampled_from([(), ("jinja",), ("dollar", "format"), ("jinja", "dollar", "format")]),
)
def test_the_checker_never_raises_in_any_dialect(
    text: str, dialect: str | None, styles: tuple[str, ...]
) -> None:
    report = check_document(text, dialect=dialect, placeholders=styles)
    assert report_shape_problem(report) is None, report_shape_problem(report)
    data = text.encode("utf-8", "surrogatepass")
    full = check_bytes(data, full=True, dialect=dialect, placeholders=styles)
    assert report_shape_problem(full) is None, report_shape_problem(full)


@pytest.mark.parametrize("name", ["legs", "bridge", "classic"])
def test_schema_fast_path_and_walk_agree(name: str) -> None:
    @PROPERTY
    @given(documents(name, max_verbs=3))
    def check(xml: str) -> None:
        data = xml.encode()
        assert (
            check_bytes(data, dialect=name).diagnostics
            == check_bytes(data, dialect=name, full=True).diagnostics
        )

    check()
