"""EX402 too-many-children: more nested verbs than allowed.

``<Hold>`` takes at most one ``<StartPlay>``: the music on hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX402",
    name="too-many-children",
    severity="error",
    summary="More nested verbs than the parent allows",
    doc=__doc__ or "",
    fixable=False,
    bad=(
        "<Flow><Hold><StartPlay>https://example.com/a.wav</StartPlay>"
        "<StartPlay>https://example.com/b.wav</StartPlay></Hold></Flow>"
    ),
    good="<Flow><Hold><StartPlay>https://example.com/a.wav</StartPlay></Hold></Flow>",
    schema_covered=True,
)


def message(parent: str, limit: int) -> str:
    plural = "" if limit == 1 else "s"
    return f"<{parent}> takes at most {limit} nested verb{plural}"


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None or spec.max_children is None:
        return
    children = [c for c in el if c.tag.__class__ is str]
    if len(children) > spec.max_children:
        ctx.add(RULE, message(spec.element, spec.max_children), element=children[spec.max_children])
