"""EX205 missing-attribute: a required attribute is missing.

``JoinBridge`` needs ``bridgeSid``, ``StartMonitoring`` needs ``monitoringLegSid``,
``Refer`` needs ``legEventEndpoint``, ``Dial`` needs ``contactUri`` and ``exophone``:
without them the action has no target. ``StartStream`` needs its WebSocket URL, spelt
``url`` (Exotel's cased documentation) or ``streamUrl`` (its other pages): one of the
two (XSD 1.0 cannot say "one of these", so the schema leaves it to this rule).
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
    code="EX205",
    name="missing-attribute",
    severity="error",
    summary="A required attribute is missing",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><JoinBridge absorbDtmf="true"/></Flow>',
    good='<Flow><JoinBridge bridgeSid="BR123" absorbDtmf="true"/></Flow>',
    # The schema covers required attributes, not "one of": for a schema-valid document
    # only a verb with a one-of group can miss one.
    needles=tuple(sorted({v.element for d in DIALECTS.values() for v in d.verbs if v.one_of})),
    quiet_covered=True,
)


def message(element: str, name: str, rule: str) -> str:
    return f"<{element}> requires the attribute {name}, which {rule}"


def message_one_of(element: str, names: tuple[str, ...], rule: str) -> str:
    spelt = " or ".join(names)
    return f"<{element}> requires the attribute {spelt} (one of them), which {rule}"


def present(ctx: Context, el: etree._Element, spec: VerbSpec) -> set[str]:
    """The catalogue names of the attributes ``el`` sets (whatever their case)."""
    attrib = el.attrib
    found: set[str] = set()
    for qname in attrib:
        attr = ctx.names.attribute(attrib, spec, str(qname))
        if attr is not None:
            found.add(attr.name)
    return found


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None or not (spec.one_of or any(a.required for a in spec.attrs)):
        return
    there = present(ctx, el, spec)
    for attr in spec.attrs:
        if attr.required and attr.name not in there:
            ctx.add(RULE, message(spec.element, attr.name, attr.kind.rule), element=el)
    for group in spec.one_of:
        if there.isdisjoint(group):
            rule = spec.attr(group[0]).kind.rule
            ctx.add(RULE, message_one_of(spec.element, group, rule), element=el)
