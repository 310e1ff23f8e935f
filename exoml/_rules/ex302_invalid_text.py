"""EX302 invalid-text: a verb's text breaks its rule.

``<Say>`` must contain something to speak (not only white space); ``<StartPlay>`` must
contain the audio's absolute ``http://`` or ``https://`` URL with no spaces, and
nothing else (white space around the URL is part of the value and is refused too).
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX302",
    name="invalid-text",
    severity="error",
    summary="A verb's text content breaks its rule",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><StartPlay>example.com/a.wav</StartPlay></Flow>",
    good="<Flow><StartPlay>https://example.com/a.wav</StartPlay></Flow>",
)


def message(element: str, what: str, text: str, rule: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return f"<{element}> {what} {shown!r}: {rule}"
