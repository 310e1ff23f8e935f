"""EX520 preferred-spelling: the other spelling of a name that has two (opt-in warning).

Exotel's sources spell some names two ways, with one meaning: ``<StartSay>`` (the cased
developer documentation) and ``<Say>`` (its other pages), ``url`` and ``streamUrl`` on
``<StartStream>``. Both are valid ExoML. A team that wants one spelling throughout
turns this rule on, which is off by default: ``--select EX520`` on the command line
(with other codes as needed: ``--select EX,EX520``), or ``select`` in
``[tool.exoml.lint]``. It prefers the cased documentation's spelling (``StartSay``,
``url``) unless ``--prefer`` (``prefer`` in the configuration) names the other one.
``--fix`` renames the element (both tags) or the attribute and changes nothing else;
it leaves an attribute alone when the preferred spelling is already there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._catalogue import DIALECTS, spellings
from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import Attr, VerbSpec
    from .._check import Context
    from .._diagnostics import Fix

RULE = Rule(
    code="EX520",
    name="preferred-spelling",
    severity="warning",
    summary="The other spelling of a name Exotel spells two ways (off by default)",
    doc=__doc__ or "",
    fixable=True,
    bad="<Flow><Say>Hello</Say></Flow>",
    good="<Flow><StartSay>Hello</StartSay></Flow>",
    # A schema-valid document spells the names exactly, so it holds one of them.
    needles=tuple(sorted({n for d in DIALECTS.values() for p in spellings(d) for n in p[:2]})),
    default=False,
)


def preferred(ctx: Context, first: str, second: str) -> str:
    """The spelling to use: the one named in ``prefer``, else the first (cased docs)."""
    if second in ctx.prefer and first not in ctx.prefer:
        return second
    return first


def message(used: str, wanted: str, element: str | None) -> str:
    if element is None:
        return f"<{used}> is spelt <{wanted}> in this project (same meaning)"
    return f"<{element}> attribute {used} is spelt {wanted} in this project (same meaning)"


def _pairs(ctx: Context) -> tuple[tuple[str, str, str | None], ...]:
    return spellings(ctx.dialect)


def check_element(
    ctx: Context, el: etree._Element, spec: VerbSpec | None, parent: VerbSpec | None
) -> None:
    if spec is None or el.tag != spec.element:
        return  # unknown, or in the wrong case (EX202 first)
    for first, second, element in _pairs(ctx):
        if element is None and spec.element in (first, second):
            wanted = preferred(ctx, first, second)
            if wanted != spec.element:
                from .ex202_element_case import rename_fix

                fix = rename_fix(ctx, el, spec.element, wanted)
                ctx.add(RULE, message(spec.element, wanted, None), element=el, fix=fix)


def check_attribute(
    ctx: Context,
    el: etree._Element,
    spec: VerbSpec | None,
    qname: str,
    value: str,
    attr: Attr | None,
) -> None:
    if attr is None or spec is None or qname != attr.name:
        return
    for first, second, element in _pairs(ctx):
        if element == spec.element and qname in (first, second):
            wanted = preferred(ctx, first, second)
            if wanted != qname:
                fix: Fix | None = None
                tag = ctx.tag(el)
                if tag is not None and qname in tag.attrs and wanted not in el.attrib:
                    from .._diagnostics import Edit, Fix

                    start = tag.attrs[qname][0]
                    fix = Fix(
                        f"rename {qname} to {wanted}", (Edit(start, start + len(qname), wanted),)
                    )
                offset = ctx.attribute_offset(el, qname)
                ctx.add(RULE, message(qname, wanted, spec.element), offset=offset, fix=fix)
