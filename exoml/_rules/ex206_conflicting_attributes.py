"""EX206 conflicting-attributes: two attributes of which only one may be set.

Some values have two spellings in Exotel's documentation: ``StartStream`` takes its
WebSocket URL as ``url`` (the cased developer documentation) or ``streamUrl`` (the other
pages). Exactly one of them must be set; both at once leave the API to pick one. XSD 1.0
cannot say this, so the schema accepts both and this rule refuses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import DIALECTS
from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX206",
    name="conflicting-attributes",
    severity="error",
    summary="Two attributes of which only one may be set",
    doc=__doc__ or "",
    fixable=False,
    bad=(
        '<Flow><StartStream url="wss://bot.example.com/s" '
        'streamUrl="wss://bot.example.com/s"/></Flow>'
    ),
    good='<Flow><StartStream url="wss://bot.example.com/s"/></Flow>',
    needles=tuple(sorted({v.element for d in DIALECTS.values() for v in d.verbs if v.one_of})),
    quiet_covered=True,
)


def message(element: str, names: list[str]) -> str:
    return f"<{element}> takes one of {' and '.join(names)}, not both: keep one"


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None or not spec.one_of:
        return
    from .ex205_missing_attribute import present

    there = present(ctx, el, spec)
    for group in spec.one_of:
        both = [name for name in group if name in there]
        if len(both) > 1:
            ctx.add(RULE, message(spec.element, both), element=el)
