"""The builder's count of a document's largest form is exact (it enforces the 64 KiB cap).

``Flow._largest()`` counts the bytes of ``to_xml(pretty=True, xml_declaration=True)``
without rendering it, from the body and the indentation each verb adds, and adds to
the count of the flow a chained call extends. Both must equal the rendered size.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from exoml import Flow
from exoml.testing import flows

from ._support import PROPERTY


def _rendered(flow: Flow) -> int:
    return len(flow.to_xml(pretty=True, xml_declaration=True).encode("utf-8"))


@PROPERTY
@given(flows(max_verbs=6), st.integers(0, 5))
def test_the_counted_size_is_the_rendered_size(flow: Flow, split: int) -> None:
    assert flow._largest() == _rendered(flow)
    # the same verbs appended one call at a time, counting at every step
    chained = Flow(*flow.verbs[: min(split, len(flow) - 1)]) if split else Flow()
    if len(chained):
        assert chained._largest() == _rendered(chained)
    for verb in flow.verbs[len(chained) :]:
        chained = chained.then(verb)
        assert chained._largest() == _rendered(chained)
    assert chained == flow
