"""EX303 text-in-empty-verb: text inside a verb that takes none.

Verbs such as ``<Answer/>``, ``<Hangup/>`` or ``<Mute/>`` are empty: they take no
text at all, not even white space (so that every validator, XSD ones included, agrees).
Write them self-closed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX303",
    name="text-in-empty-verb",
    severity="error",
    summary="Text inside a verb that takes none",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Hangup> </Hangup></Flow>",
    good="<Flow><Hangup/></Flow>",
    schema_covered=True,
)


def message(element: str, text: str) -> str:
    what = "white space" if not text.strip(" \t\r\n") else repr(text.strip()[:30])
    return f"<{element}> takes no content, found {what}; write <{element}/>"


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None or spec.text is not None or spec.children:
        return
    from .._check import element_text

    text = element_text(el)
    if text:
        ctx.add(RULE, message(spec.element, text), offset=ctx.text_offset(el), element=el)
