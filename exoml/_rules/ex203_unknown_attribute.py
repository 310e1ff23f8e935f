"""EX203 unknown-attribute: an attribute the verb does not take.

Each verb takes only the attributes in the verb reference; the API ignores or rejects
others, so a typo silently loses a setting. The message suggests the closest
attribute. ``xsi:schemaLocation`` and ``xsi:noNamespaceSchemaLocation``, which point
editors at the schema, are allowed anywhere.
"""

from __future__ import annotations

import difflib

from ._base import Rule

RULE = Rule(
    code="EX203",
    name="unknown-attribute",
    severity="error",
    summary="Unknown attribute",
    doc=__doc__ or "",
    fixable=False,
    bad='<Flow><StartPlay loops="2">https://example.com/a.wav</StartPlay></Flow>',
    good='<Flow><StartPlay loop="2">https://example.com/a.wav</StartPlay></Flow>',
)

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
#: Attributes every XSD validator accepts on any element; allowed for editor support.
ALLOWED_ANYWHERE = frozenset({XSI + "schemaLocation", XSI + "noNamespaceSchemaLocation"})


def message(
    element: str, qname: str, known: list[str], aliases: dict[str, str]
) -> tuple[str, str | None]:
    """The message and hint for attribute ``qname`` on ``element``."""
    if qname.startswith(XSI):
        name = "xsi:" + qname[len(XSI) :]
        return f"<{element}> does not take {name}: ExoML has no typed or nil elements", "remove it"
    if qname.startswith("{"):
        return f"<{element}> does not take the namespaced attribute {qname}", None
    if qname in aliases:
        name = aliases[qname]
        return (
            f"<{element}> takes {name}, not {qname} (another spelling in some of Exotel's "
            "documentation)",
            f"rename it to {name}",
        )
    if not known:
        return f"<{element}> takes no attributes (found {qname})", "remove it"
    close = difflib.get_close_matches(qname, known, n=1, cutoff=0.6)
    if close:
        return (
            f"<{element}> has no attribute {qname}; did you mean {close[0]}?",
            f"rename it to {close[0]}",
        )
    return f"<{element}> has no attribute {qname} (it takes {', '.join(known)})", None
