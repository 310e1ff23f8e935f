"""EX301 invalid-value: an attribute value breaks its rule.

Each attribute has a type and bounds (see the verb reference): integers are plain ASCII
digits (no sign, spaces or other scripts' digits) within their range, enumerated
values match exactly and in lowercase (``both``, not ``Both``), booleans are ``true``
or ``false``, URLs have the right scheme and no spaces, identifiers are not blank and
have no surrounding spaces. The value of a secret attribute (``password``) is never
shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import Attr, VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX301",
    name="invalid-value",
    severity="error",
    summary="An attribute value breaks its rule",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><StartPlay loop="11">https://example.com/a.wav</StartPlay></Flow>',
    good='<Flow><StartPlay loop="10">https://example.com/a.wav</StartPlay></Flow>',
    schema_covered=True,
)


def message(element: str, name: str, value: str, rule: str) -> str:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return f'<{element}> {name}="{shown}": {rule}'


def check_attribute(
    ctx: Context,
    el: etree._Element,
    spec: VerbSpec | None,
    qname: str,
    value: str,
    attr: Attr | None,
) -> None:
    if attr is None or spec is None:
        return
    if ctx.placeholders is None:
        rule = attr.kind.check_wire(value)
    else:
        from .._placeholders import check_value

        rule = check_value(attr.kind, value, ctx.placeholders)
    if rule is not None:
        shown = "<secret>" if attr.secret else value
        message_text = message(spec.element, attr.name, shown, rule)
        habit = ctx.dialect.habit(spec.element, attr.name)
        ctx.add(RULE, message_text, offset=ctx.attribute_offset(el, qname), hint=habit)
