"""The XSI namespace is found on the parsed document, however its URI is written.

An XML Schema validator lets ``xsi:type`` and ``xsi:nil`` through, the walk refuses them
(EX203). The short path once skipped the walk only when the namespace's URI appeared
literally in the text, so a character reference in the URI (``XMLSchema&#45;instance``)
took the schema's verdict: ``validate`` and ``Flow.parse`` passed what the full walk
refused.
"""

from __future__ import annotations

import pytest

from exoml import ExomlError, Flow, validate
from exoml._check import check_bytes, check_document, has_errors

_URIS = [
    "http://www.w3.org/2001/XMLSchema&#45;instance",
    "http://www.w3.org/2001/XMLSchema&#x2d;instance",
    "http://www.w3.org/2001/XMLSchema&#x2D;instance",
    "&#104;ttp://www.w3.org/2001/XMLSchema-instance",
    "http&#58;//www.w3.org/2001/XMLSchema-instance",
    "&#x68;&#x74;&#x74;&#x70;&#x3a;&#x2f;&#x2f;www.w3.org/2001/XMLSchema-instance",
    "http://www&#46;w3&#46;org/2001/XMLSchema-instance",
    "http://www.w3.org/2001/XMLSchema-instance",
]


def _documents(uri: str) -> list[str]:
    # xsi:type naming the element's own schema type is what every schema validator
    # accepts: only the walk refuses it.
    return [
        f'<Flow xmlns:x="{uri}"><Say x:type="SayType">hi</Say></Flow>',
        f"<Flow xmlns:x='{uri}' x:type='FlowType'><Answer/></Flow>",
        # declared below the root, where the root's namespaces do not show it
        f'<Flow><Say xmlns:q="{uri}" q:type="SayType">hi</Say></Flow>',
        f'<Flow><Gather numDigits="4"><Say xmlns:q="{uri}" q:type="SayType">pin</Say>'
        "</Gather></Flow>",
        # two prefixes bound to it
        f'<Flow xmlns:x="{uri}" xmlns:y="{uri}"><Hangup y:type="HangupType"/></Flow>',
    ]


CASES = [doc for uri in _URIS for doc in _documents(uri)]


@pytest.mark.parametrize("document", CASES)
def test_validate_refuses_xsi_attributes_however_the_uri_is_written(document: str) -> None:
    assert "EX203" in [d.code for d in validate(document)]
    assert has_errors(document)
    assert "EX203" in [d.code for d in validate(document.encode())]


@pytest.mark.parametrize("document", CASES)
def test_flow_parse_refuses_them_too(document: str) -> None:
    with pytest.raises(ExomlError, match="EX203"):
        Flow.parse(document)


@pytest.mark.parametrize("document", CASES)
def test_short_path_and_full_walk_agree(document: str) -> None:
    data = document.encode()
    short = [(d.code, d.line, d.column) for d in check_bytes(data).diagnostics]
    full = [(d.code, d.line, d.column) for d in check_bytes(data, full=True).diagnostics]
    assert short == full


def test_a_schema_location_hint_stays_allowed_with_a_hidden_uri() -> None:
    doc = (
        '<Flow xmlns:x="http://www.w3.org/2001/XMLSchema&#45;instance"'
        ' x:noNamespaceSchemaLocation="exoml.xsd"><Answer/></Flow>'
    )
    assert validate(doc) == []
    assert check_document(doc).ok


def test_documents_without_the_namespace_still_take_the_short_path() -> None:
    # A namespace that only looks like XSI is not XSI: the schema refuses x:type (an
    # attribute in a foreign namespace) on its own, and the walk agrees.
    doc = (
        '<Flow xmlns:x="http://www.w3.org/2001/XMLSchema-instances"><Say x:type="a">hi</Say></Flow>'
    )
    assert [d.code for d in validate(doc)] == [
        d.code for d in check_bytes(doc.encode(), full=True).diagnostics
    ]
