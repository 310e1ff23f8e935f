"""EX203 unknown-attribute: an attribute the verb does not take.

Each verb takes only the attributes in the verb reference; the API ignores or rejects
others, so a typo silently loses a setting. The message suggests the closest attribute
when the name looks like a typo of one (never when it is itself a name ExoML knows).
``xsi:schemaLocation`` and ``xsi:noNamespaceSchemaLocation``, which point editors at
the schema, are allowed anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from lxml import etree

    from .._catalogue import Attr, VerbSpec
    from .._check import Context

RULE = Rule(
    code="EX203",
    name="unknown-attribute",
    severity="error",
    summary="Unknown attribute",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><StartPlay loops="2">https://example.com/a.wav</StartPlay></Flow>',
    good='<Flow><StartPlay loop="2">https://example.com/a.wav</StartPlay></Flow>',
    schema_covered=True,
)

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
#: Attributes every XSD validator accepts on any element; allowed for editor support.
ALLOWED_ANYWHERE = frozenset({XSI + "schemaLocation", XSI + "noNamespaceSchemaLocation"})


def message(
    element: str,
    qname: str,
    known: list[str],
    taken: frozenset[str] = frozenset(),
) -> tuple[str, str | None]:
    """The message and hint for attribute ``qname`` on ``element``."""
    if qname.startswith(XSI):
        name = "xsi:" + qname[len(XSI) :]
        return f"<{element}> does not take {name}: ExoML has no typed or nil elements", "remove it"
    if qname.startswith("{"):
        return f"<{element}> does not take the namespaced attribute {qname}", None
    if not known:
        return f"<{element}> takes no attributes (found {qname})", "remove it"
    from ._hints import did_you_mean

    close = did_you_mean(qname, known, taken)
    if close:
        return (
            f"<{element}> has no attribute {qname}; did you mean {close}?",
            f"rename it to {close}",
        )
    return f"<{element}> has no attribute {qname} (it takes {', '.join(known)})", None


_TAKEN: dict[str, frozenset[str]] = {}


def _taken(ctx: Context) -> frozenset[str]:
    """Every attribute name of the dialect (computed once per dialect)."""
    d = ctx.dialect
    found = _TAKEN.get(d.name)
    if found is None or d.name not in ("legs", "bridge", "classic"):
        found = _TAKEN[d.name] = frozenset(a.name for v in d.verbs for a in v.attrs)
    return found


def check_attribute(
    ctx: Context,
    el: etree._Element,
    spec: VerbSpec | None,
    qname: str,
    value: str,
    attr: Attr | None,
) -> None:
    if attr is not None or qname in ALLOWED_ANYWHERE:
        return
    element = ctx.dialect.root if spec is None else spec.element
    known = [] if spec is None else [a.name for a in spec.attrs]
    msg, hint = message(element, qname, known, _taken(ctx))
    habit = ctx.dialect.habit(element, qname)
    ctx.add(
        RULE,
        msg,
        offset=ctx.attribute_offset(el, qname),
        hint=habit or hint or _other_dialect(ctx, element, qname),
    )


def _other_dialect(ctx: Context, element: str, qname: str) -> str | None:
    """A hint when another dialect's element of this name takes the attribute (a bridge
    ``Refer``'s ``bridgeEventEndpoint`` in a leg-actions document)."""
    from .._catalogue import DIALECTS

    for d in DIALECTS.values():
        if d.name == ctx.dialect.name or d.root != ctx.dialect.root:
            continue
        for spec in d.verbs:
            if spec.element == element and any(a.name == qname for a in spec.attrs):
                noun = d.title.lower().rstrip("s")  # "leg action", "bridge action"
                return f"<{element} {qname}=...> is a {noun}: check it as --dialect {d.name}"
    return None
