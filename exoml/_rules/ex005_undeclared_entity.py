"""EX005 undeclared-entity: a reference to an entity that is not defined.

Only XML's five predefined entities (``&amp;`` ``&lt;`` ``&gt;`` ``&quot;`` ``&apos;``)
and character references (``&#233;``) may be used. HTML names such as ``&nbsp;`` are
not XML: write the character itself or a character reference.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX005",
    name="undeclared-entity",
    severity="error",
    summary="Reference to an undeclared entity",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Say>Hello&nbsp;there</Say></Flow>",
    good="<Flow><Say>Hello&#160;there</Say></Flow>",
    stage="source",
)

HINT = "use &amp; for a literal '&', or a character reference such as &#160;"


def message(name: str) -> str:
    return f"the entity &{name}; is not defined (XML has only &amp; &lt; &gt; &quot; &apos;)"
