"""EX008 placeholder-in-name: a template placeholder where a name must stand.

With placeholders on (``--placeholders``, ``validate(..., placeholders=...)``), a
template's values may be placeholders, but names may not: ``<{{ verb }}>``,
``<Say {attr}="x">`` or a ``{% if %}`` block inside a tag cannot be checked (and are not
well-formed XML, which is why nothing else in the document is checked). Write the names
out, and keep template logic between elements or inside values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Rule

if TYPE_CHECKING:
    from .._diagnostics import Diagnostic
    from .._placeholders import Placeholders

RULE = Rule(
    code="EX008",
    name="placeholder-in-name",
    severity="error",
    summary="A template placeholder where an element or attribute name must stand",
    doc=__doc__ or "",
    fixable=False,
    bad="<Response><{{ verb }}>Hello</{{ verb }}></Response>",
    good="<Response><Say>{{ greeting }}</Say></Response>",
    stage="source",
    example_placeholders=("jinja",),
)

HINT = "write element and attribute names out; keep placeholders in values"


def message(placeholder: str) -> str:
    shown = placeholder if len(placeholder) <= 40 else placeholder[:37] + "..."
    return f"template placeholder {shown} stands where a name must: names cannot be checked"


def placeholder_failure(text: str, placeholders: Placeholders) -> list[Diagnostic] | None:
    """The diagnostic for a document that did not parse because of a placeholder in a
    name position, or None when no placeholder stands in one."""
    found = placeholders.in_name(text)
    if found is None:
        return None
    offset, placeholder = found
    from .._diagnostics import Diagnostic
    from ._source import line_col

    line, column = line_col(text, offset)
    return [Diagnostic(RULE.code, RULE.severity, message(placeholder), line, column, HINT)]
