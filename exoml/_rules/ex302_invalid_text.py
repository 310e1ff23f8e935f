"""EX302 invalid-text: a verb's text breaks its rule.

``<Say>`` must contain something to speak (not only white space); ``<StartPlay>`` must
contain the audio's absolute ``http://`` or ``https://`` URL with no spaces, and
nothing else (white space around the URL is part of the value and is refused too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX302",
    name="invalid-text",
    severity="error",
    summary="A verb's text content breaks its rule",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><StartPlay>example.com/a.wav</StartPlay></Flow>",
    good="<Flow><StartPlay>https://example.com/a.wav</StartPlay></Flow>",
    schema_covered=True,
    # the classic Dial takes text or children: XSD 1.0 can only call that mixed content
    schema_gaps=("classic",),
)


def message(element: str, what: str, text: str, rule: str) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return f"<{element}> {what} {shown!r}: {rule}"


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None or spec.text is None:
        return
    if spec.children and any(c.tag.__class__ is str for c in el):
        return  # text or children (the classic Dial): children, so no text to check
    from .._check import element_text

    # inline markup (the classic Say's SSML) is part of what is spoken
    text = "".join(el.itertext()) if spec.markup and len(el) else element_text(el)
    if ctx.placeholders is None:
        rule = spec.text.kind.check_wire(text)
    else:
        from .._placeholders import check_value

        rule = check_value(spec.text.kind, text, ctx.placeholders)
    if rule is not None:
        what = "text" if spec.text.py == "text" else spec.text.py.upper()
        ctx.add(
            RULE,
            message(spec.element, what, text, rule),
            # an empty <Say/> has no text to point at: point at the element
            offset=ctx.text_offset(el) if text else None,
            element=el,
        )
