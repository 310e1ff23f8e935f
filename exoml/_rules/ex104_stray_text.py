"""EX104 stray-text: text where only elements belong.

``<Flow>`` and the verbs that hold other verbs (``<Gather>``, ``<Hold>``,
``<PlaySequence>``, ``<StartRecording>``) take elements, not text; white space
between their elements is formatting and is fine. Text there is usually a verb's
content left outside its tags, e.g. ``<Flow>Hello</Flow>`` for
``<Flow><Say>Hello</Say></Flow>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule
from ._walk import root_is_entered

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX104",
    name="stray-text",
    severity="error",
    summary="Text directly inside <Flow> or a verb that holds verbs",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow>Hello<Hangup/></Flow>",
    good="<Flow><Say>Hello</Say><Hangup/></Flow>",
    schema_covered=True,
    # the classic Dial takes text or children: XSD 1.0 can only call that mixed content
    schema_gaps=("classic",),
)

_XML_WS = " \t\n\r"


def message(parent: str, text: str) -> str:
    shown = text.strip()
    if len(shown) > 30:
        shown = shown[:27] + "..."
    return f"<{parent}> cannot contain text ({shown!r}); put it inside a verb such as <Say>"


def _blank(ctx: Context, text: str | None) -> bool:
    """Whether ``text`` is white space (or, in a template, only placeholders and blocks)."""
    if not text or not text.strip(_XML_WS):
        return True
    return ctx.placeholders is not None and ctx.placeholders.only(text)


def _stray_text(ctx: Context, el: etree._Element, name: str) -> None:
    # Report the first non-blank run, where it stands (not at the white space before it).
    text = el.text
    if not _blank(ctx, text):
        assert text is not None
        offset = ctx.text_offset(el)
        if offset is not None:
            offset += len(text) - len(text.lstrip(_XML_WS))
        ctx.add(RULE, message(name, text), offset=offset, element=el)
        return
    for child in el:
        text = child.tail
        if not _blank(ctx, text):
            assert text is not None
            offset = ctx.tail_offset(child)
            if offset is not None:
                offset += len(text) - len(text.lstrip(_XML_WS))
            ctx.add(RULE, message(name, text), offset=offset, element=el)
            return


def check_document(ctx: Context) -> None:
    if root_is_entered(ctx):
        assert ctx.root is not None
        _stray_text(ctx, ctx.root, ctx.dialect.root)


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is not None and spec.children:
        if spec.text is not None and not any(c.tag.__class__ is str for c in el):
            return  # text or children (the classic Dial): this text is its content
        _stray_text(ctx, el, spec.element)
