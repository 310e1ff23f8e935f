"""EX205 missing-attribute: a required attribute is missing.

``JoinBridge`` needs ``bridgeSid``, ``StartStream`` needs ``streamUrl``,
``StartMonitoring`` needs ``monitoringLegSid`` and ``Refer`` needs
``legEventEndpoint``: without them the action has no target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    schema_covered=True,
)


def message(element: str, name: str, rule: str) -> str:
    return f"<{element}> requires the attribute {name}, which {rule}"


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
    if spec is None or not any(a.required for a in spec.attrs):
        return
    there = present(ctx, el, spec)
    for attr in spec.attrs:
        if attr.required and attr.name not in there:
            ctx.add(RULE, message(spec.element, attr.name, attr.kind.rule), element=el)
