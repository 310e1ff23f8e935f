"""EX104 stray-text: text where only elements belong.

``<Flow>``, ``<Gather>`` and ``<Hold>`` hold verbs, not text; white space between their
elements is formatting and is fine. Text there is usually a verb's content left
outside its tags, e.g. ``<Flow>Hello</Flow>`` for ``<Flow><Say>Hello</Say></Flow>``.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX104",
    name="stray-text",
    severity="error",
    summary="Text directly inside <Flow>, <Gather> or <Hold>",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow>Hello<Hangup/></Flow>",
    good="<Flow><Say>Hello</Say><Hangup/></Flow>",
)


def message(parent: str, text: str) -> str:
    shown = text.strip()
    if len(shown) > 30:
        shown = shown[:27] + "..."
    return f"<{parent}> cannot contain text ({shown!r}); put it inside a verb such as <Say>"
