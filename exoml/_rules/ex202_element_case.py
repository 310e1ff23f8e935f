"""EX202 element-case: an element name in the wrong case.

ExoML names are case-sensitive: elements are PascalCase (``StartPlay``, ``UnHold``).
Exotel's documentation prints its examples in lowercase (``<startplay>``), and copies
of them fail. The fix renames the start and end tags to the canonical spelling and
changes nothing else; the rest of the element is then checked under its right name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import VerbSpec
    from .._check import Context
    from .._diagnostics import Fix

RULE = Rule(
    code="EX202",
    name="element-case",
    severity="error",
    summary="Element name in the wrong case",
    doc=__doc__ or "",
    fixable=True,
    bad='<flow><startplay loop="1">https://example.com/a.wav</startplay></flow>',
    good='<Flow><StartPlay loop="1">https://example.com/a.wav</StartPlay></Flow>',
    schema_covered=True,
)


def message(tag: str, name: str) -> str:
    return f"<{tag}> must be spelt <{name}> (ExoML names are case-sensitive)"


def rename_fix(ctx: Context, el: etree._Element, old: str, new: str) -> Fix | None:
    """Rename the start (and end) tag of ``el`` from ``old`` to ``new``."""
    from .._diagnostics import Edit, Fix

    tag = ctx.tag(el)
    if tag is None:
        return None
    edits = [Edit(tag.name, tag.name + len(old), new)]
    if tag.end_name is not None:
        edits.append(Edit(tag.end_name, tag.end_name + len(old), new))
    return Fix(f"rename <{old}> to <{new}>", tuple(edits))


def check_document(ctx: Context) -> None:
    root = ctx.root
    assert root is not None
    tag, want = str(root.tag), ctx.dialect.root
    if tag != want and tag.lower() == want.lower():
        ctx.add(RULE, message(tag, want), element=root, fix=rename_fix(ctx, root, tag, want))


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is not None and el.tag != spec.element:
        tag = str(el.tag)
        ctx.add(
            RULE,
            message(tag, spec.element),
            element=el,
            fix=rename_fix(ctx, el, tag, spec.element),
        )
