"""EX101 root-not-flow: the root element is not ``<Flow>``.

Every Leg Actions document is one ``<Flow>`` holding the verbs. A verb on its own
(``<Say>Hi</Say>``) must be wrapped: ``<Flow><Say>Hi</Say></Flow>``. Nothing inside a
wrong root is checked.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX101",
    name="root-not-flow",
    severity="error",
    summary="The root element is not <Flow>",
    doc=__doc__ or "",
    fixable=False,
    bad="<Say>Hello</Say>",
    good="<Flow><Say>Hello</Say></Flow>",
)


def message(tag: str) -> str:
    return f"the root element must be <Flow>, not <{tag}>"


HINT = "wrap the verbs in <Flow>...</Flow>"
