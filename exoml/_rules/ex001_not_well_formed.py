"""EX001 not-well-formed: the input is not well-formed XML.

The document could not be parsed at all: a tag is not closed, tags overlap, an
attribute is not quoted, there is content after the root element, or the elements nest
deeper than 256 levels. The position is the parser's. Nothing else can be checked until
this is fixed.
"""

from __future__ import annotations

from ._base import Rule

RULE = Rule(
    code="EX001",
    name="not-well-formed",
    severity="error",
    summary="The input is not well-formed XML",
    doc=__doc__ or "",
    fixable=False,
    bad="<Flow><Say>Hello</Flow>",
    good="<Flow><Say>Hello</Say></Flow>",
    stage="source",
)


def message(parser_message: str) -> str:
    return f"not well-formed XML: {parser_message}"


# libxml2's words for an XML declaration after something else (often a blank line or a
# space that a template printed first).
_LATE_DECLARATION = "XML declaration allowed only at the start"


def hint(parser_message: str) -> str | None:
    """A hint for a parser message that has a common cause, else None."""
    if _LATE_DECLARATION in parser_message:
        return (
            "the <?xml ...?> declaration must be the very first characters: remove what "
            "stands before it (a blank line, spaces, a byte order mark), or the declaration"
        )
    return None
