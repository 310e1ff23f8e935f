"""EX204 attribute-case: an attribute name in the wrong case.

Attribute names are lowerCamelCase (``numDigits``, ``preferredTTSEngine``) and
case-sensitive. The documentation's lowercase examples (``numdigits``) fail. The fix
renames the attribute and changes nothing else; its value is still checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import Attr, VerbSpec
    from .._check import Context
    from .._diagnostics import Fix

RULE = Rule(
    code="EX204",
    name="attribute-case",
    severity="error",
    summary="Attribute name in the wrong case",
    doc=__doc__ or "",
    fixable=True,
    bad='<Flow><Gather numdigits="4"><Say>Enter your PIN</Say></Gather></Flow>',
    good='<Flow><Gather numDigits="4"><Say>Enter your PIN</Say></Gather></Flow>',
    schema_covered=True,
)


def message(element: str, qname: str, name: str) -> str:
    return f"<{element}> attribute {qname} must be spelt {name} (names are case-sensitive)"


def check_attribute(
    ctx: Context,
    el: etree._Element,
    spec: VerbSpec | None,
    qname: str,
    value: str,
    attr: Attr | None,
) -> None:
    if attr is None or spec is None or qname == attr.name:
        return
    from .._diagnostics import Edit, Fix

    name = attr.name
    fix: Fix | None = None
    tag = ctx.tag(el)
    # Two spellings of one name (LANGUAGE and Language, or Language next to language):
    # renaming one would write the attribute twice, so none gets a fix.
    folded = sum(1 for n in el.attrib if n.lower() == name.lower())
    if tag is not None and qname in tag.attrs and folded == 1:
        start = tag.attrs[qname][0]
        fix = Fix(f"rename {qname} to {name}", (Edit(start, start + len(qname), name),))
    ctx.add(
        RULE, message(spec.element, qname, name), offset=ctx.attribute_offset(el, qname), fix=fix
    )
