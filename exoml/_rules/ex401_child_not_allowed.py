"""EX401 child-not-allowed: a verb where it cannot stand.

Only ``<Gather>`` and ``<Hold>`` hold other verbs: ``<Gather>`` takes ``<Say>`` and
``<StartPlay>`` prompts, ``<Hold>`` one ``<StartPlay>`` (music on hold). Every other
verb stands directly in ``<Flow>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX401",
    name="child-not-allowed",
    severity="error",
    summary="A verb inside an element that cannot hold it",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Gather><Hangup/></Gather></Flow>",
    good="<Flow><Gather><Say>Press 1</Say></Gather><Hangup/></Flow>",
    schema_covered=True,
)


def message(child: str, parent: str, allowed: tuple[str, ...]) -> str:
    if not allowed:
        return f"<{parent}> cannot contain elements (found <{child}>)"
    names = " or ".join(f"<{a}>" for a in allowed)
    return f"<{parent}> cannot contain <{child}>; it takes {names}"


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None:
        return
    if parent is None and not spec.method:
        # a verb that stands only inside another (the classic Number)
        top = ctx.dialect.top_level
        ctx.add(RULE, message(spec.element, ctx.dialect.root, top), element=el)
    if parent is not None and spec.element not in parent.children:
        ctx.add(RULE, message(spec.element, parent.element, parent.children), element=el)
    if not spec.children:
        # A verb that holds no verbs: the walk does not enter it; report what is there.
        for child in el:
            if child.tag.__class__ is str and child.tag not in spec.markup:
                ctx.add(RULE, message(str(child.tag), spec.element, spec.markup), element=child)
